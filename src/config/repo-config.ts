/**
 * A repository's own settings, `.github/orch.yml`, read through Probot's
 * context.config. Everything is optional. A repository can pick one of the
 * server's agents but never define one. An invalid file is reported on the
 * thread, naming the bad keys, and the defaults are used meanwhile.
 *
 *     default_agent: claude          # one of the server's agents
 *     min_permission: write          # read, triage, write, maintain or admin
 *     labels:
 *       dispatch: "orch:dispatch"    # adding it dispatches with the default agent
 *       cancel: "orch:cancel"        # adding it cancels the thread's active runs
 *     draft_pull_requests: true      # open the attempts' pull requests as drafts
 *     cleanup_on_close: true         # closing the thread also removes its worktrees
 *     task_lists: true               # a dispatch's checkbox list makes one task per item
 *     verify:
 *       run: npm ci && npm test      # run in the attempt's sandbox after the agent; a PR only when it passes
 *       timeout: 15m
 *       max_auto_retries: 2          # a failed verify starts the next attempt by itself, this often per task
 *     max_attempts_per_task: 5       # caps: lower than the server's `limits`, never higher
 *     run_timeout: 2h                # wall clock for a whole run
 *     max_cost_usd: 5                # what a run's attempts may report spending
 *     council:
 *       auto_pick: true              # orch picks the judge's top-ranked candidate (needs the server's council.judge)
 *
 * Probot reads it from the default branch, so a pull request cannot change
 * what its own attempts are verified with.
 */
import { z } from "zod";
import type { RepositoryPermission } from "../commands/request.js";
import { MINUTE, SECOND, HOUR } from "../duration.js";
import type { VerifySettings } from "../store/records.js";
import { buildConfigIssues, type ConfigIssue } from "./config-issues.js";
import { dollars, duration, integerBetween } from "./value-schemas.js";

export interface RepoConfig {
  /** Undefined: the server's default agent. */
  defaultAgent?: string;
  minPermission: Exclude<RepositoryPermission, "none">;
  labels: { dispatch: string; cancel: string };
  draftPullRequests: boolean;
  /** A dispatch whose instructions hold a checkbox list makes one task per item (commands/grammar/task-list.ts). */
  taskLists: boolean;
  cleanupOnClose: boolean;
  /** Undefined: no verify. `maxAutoRetries` as the file says; the server's ceiling applies at dispatch. */
  verify?: VerifySettings;
  /** The repository's own caps; each is lowered to the server's ceiling where it is higher. */
  caps: { maxAttemptsPerTask?: number; runTimeoutMs?: number; maxCostUsd?: number };
  /** `autoPick`: orch itself picks the top-ranked candidate of the server's judge; without a judge it does nothing (the comparison says so). */
  council: { autoPick: boolean };
}

export const DEFAULT_VERIFY_TIMEOUT_MS = 15 * MINUTE;

export const DEFAULT_REPO_CONFIG: RepoConfig = {
  minPermission: "write",
  labels: { dispatch: "orch:dispatch", cancel: "orch:cancel" },
  draftPullRequests: true,
  taskLists: true,
  caps: {},
  cleanupOnClose: true,
  council: { autoPick: false },
};

export const REPO_CONFIG_PATH = ".github/orch.yml";

const labelName = z
  .string({ error: "expected a label name" })
  .trim()
  .min(1, { error: "expected a label name" })
  .max(50, { error: "label names are at most 50 characters" });

const labelsSchema = z.strictObject({ dispatch: labelName.optional(), cancel: labelName.optional() });

const schema = z.strictObject({
  default_agent: z.string({ error: "expected the name of one of the server's agents" }).optional(),
  min_permission: z
    .enum(["read", "triage", "write", "maintain", "admin"], { error: "expected one of read, triage, write, maintain, admin" })
    .optional(),
  labels: labelsSchema.optional(),
  draft_pull_requests: z.boolean({ error: "expected true or false" }).optional(),
  cleanup_on_close: z.boolean({ error: "expected true or false" }).optional(),
  task_lists: z.boolean({ error: "expected true or false" }).optional(),
  verify: z
    .strictObject({
      run: z.string({ error: "expected the command to run, like `npm ci && npm test`" }).trim().min(1, { error: "expected the command to run, like `npm ci && npm test`" }).max(2_000, { error: "at most 2,000 characters" }),
      timeout: duration({ minMs: 10 * SECOND, maxMs: 2 * HOUR }).optional(),
      max_auto_retries: integerBetween(0, 10).optional(),
    })
    .optional(),
  max_attempts_per_task: integerBetween(1, 100).optional(),
  run_timeout: duration({ minMs: SECOND, maxMs: 7 * 24 * HOUR }).optional(),
  max_cost_usd: dollars().optional(),
  council: z.strictObject({ auto_pick: z.boolean({ error: "expected true or false" }).optional() }).optional(),
});

export type RepoConfigResult = { config: RepoConfig; problems: string[] };

/** A problem zod found, as one markdown list item; renderRepoConfigProblems lists the valid keys after them. */
function issueLine(issue: ConfigIssue): string {
  if (issue.kind === "unknown_key") {
    const at = issue.at ? `\`${issue.at}\`: ` : "";
    return `${at}unknown key \`${issue.key}\`${issue.suggestion ? ` (did you mean \`${issue.suggestion}\`?)` : ""}`;
  }
  return `\`${issue.at || "(top level)"}\`: ${issue.message}`;
}

/**
 * Validates what context.config read (undefined or null when there is no
 * file). Always returns a usable config: the file's valid keys are ignored
 * too when any key is bad, so a half-read file never surprises anyone.
 */
export function parseRepoConfig(raw: unknown, serverAgents: readonly string[]): RepoConfigResult {
  if (raw === undefined || raw === null) return { config: DEFAULT_REPO_CONFIG, problems: [] };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { config: DEFAULT_REPO_CONFIG, problems: buildConfigIssues(schema, parsed.error.issues).map(issueLine) };
  const data = parsed.data;
  if (data.default_agent !== undefined && !serverAgents.includes(data.default_agent)) {
    return {
      config: DEFAULT_REPO_CONFIG,
      problems: [`\`default_agent\`: \`${data.default_agent}\` is not an agent on this server; known agents: ${serverAgents.map((a) => `\`${a}\``).join(", ")}`],
    };
  }
  return {
    config: {
      defaultAgent: data.default_agent,
      minPermission: data.min_permission ?? DEFAULT_REPO_CONFIG.minPermission,
      labels: { ...DEFAULT_REPO_CONFIG.labels, ...data.labels },
      draftPullRequests: data.draft_pull_requests ?? DEFAULT_REPO_CONFIG.draftPullRequests,
      cleanupOnClose: data.cleanup_on_close ?? DEFAULT_REPO_CONFIG.cleanupOnClose,
      taskLists: data.task_lists ?? DEFAULT_REPO_CONFIG.taskLists,
      ...(data.verify
        ? { verify: { run: data.verify.run, timeoutMs: data.verify.timeout ?? DEFAULT_VERIFY_TIMEOUT_MS, maxAutoRetries: data.verify.max_auto_retries ?? 0 } }
        : {}),
      caps: {
        ...(data.max_attempts_per_task === undefined ? {} : { maxAttemptsPerTask: data.max_attempts_per_task }),
        ...(data.run_timeout === undefined ? {} : { runTimeoutMs: data.run_timeout }),
        ...(data.max_cost_usd === undefined ? {} : { maxCostUsd: data.max_cost_usd }),
      },
      council: { autoPick: data.council?.auto_pick ?? false },
    },
    problems: [],
  };
}

/** The reply when `.github/orch.yml` is invalid. */
export function renderRepoConfigProblems(problems: readonly string[]): string {
  return [
    `⚠️ \`${REPO_CONFIG_PATH}\` is invalid, so orch is using its defaults until it is fixed:`,
    "",
    ...problems.map((problem) => `- ${problem}`),
    "",
    "Valid keys: `default_agent`, `min_permission` (read, triage, write, maintain, admin), `labels.dispatch`, `labels.cancel`, `draft_pull_requests` (true/false), `cleanup_on_close` (true/false), `task_lists` (true/false), `verify.run`, `verify.timeout`, `verify.max_auto_retries` (0–10), `max_attempts_per_task` (1–100), `run_timeout` (a duration), `max_cost_usd` (US dollars), `council.auto_pick` (true/false).",
  ].join("\n");
}
