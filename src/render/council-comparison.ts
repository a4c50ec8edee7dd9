/**
 * A council task's comparison, once all its attempts have ended: one row per
 * attempt (agent, state, verify, what it changed, duration, usage, summary,
 * and a link to its branch's diff), and how to pick. buildCouncilComparison
 * gathers the rows as plain values; renderCouncilComparison writes them as
 * markdown for the status comment, and the attempt page (web/attempt-page.ts)
 * as an HTML table. The summaries were written by agents: each renderer
 * escapes them its own way.
 */
import type { AttemptRecord, RunView, TaskView } from "../store/records.js";
import { isActive } from "../store/transitions.js";
import { formatDuration } from "../duration.js";
import { renderUsage } from "./check-run.js";
import { escapeInline } from "./markdown.js";

const VERIFY: Record<NonNullable<AttemptRecord["verifyState"]>, string> = { passed: "✅", failed: "❌", timed_out: "⌛" };

export interface CouncilRow {
  attempt: AttemptRecord;
  /** `a2` */
  label: string;
  /** "succeeded", "timed out" */
  state: string;
  /** The picked attempt's pull request. */
  pickedPullRequest: number | null;
  /** ✅ ❌ ⌛, or – when verify did not run. */
  verify: string;
  changes: string;
  duration: string;
  usage: string;
  /** Raw, as the agent wrote it; null: none. */
  summary: string | null;
  /** The branch's diff against the PR base on GitHub; null before a push. */
  diffUrl: string | null;
}

export interface CouncilComparison {
  taskKey: string;
  rows: CouncilRow[];
  isPicked: boolean;
  /** `/orch pick t1/a2` for each attempt that can be picked (none once one is). */
  pickCommands: string[];
}

/** Undefined while an attempt still runs, or for a task that is not a council. */
export function buildCouncilComparison(params: { run: RunView; task: TaskView; threadUrl: string }): CouncilComparison | undefined {
  const { run, task, threadUrl } = params;
  if (task.mode !== "council" || task.attempts.length === 0 || task.attempts.some((a) => isActive(a.state))) return undefined;
  const repoUrl = threadUrl.replace(/\/(issues|pull)\/\d+$/, "");
  const base = task.prBase ?? run.prBase;
  const rows = task.attempts.map((attempt) => ({
    attempt,
    label: `a${attempt.number}`,
    state: attempt.state.replace("_", " "),
    pickedPullRequest: attempt.pullRequestNumber,
    verify: attempt.verifyState ? VERIFY[attempt.verifyState] : "–",
    changes: attempt.diffStat ?? "–",
    duration: attempt.startedAt && attempt.endedAt ? formatDuration(attempt.endedAt.getTime() - attempt.startedAt.getTime()) : "–",
    usage: renderUsage(attempt) || "–",
    summary: attempt.summary,
    diffUrl: attempt.headSha ? `${repoUrl}/compare/${encodeURI(base)}...${encodeURI(attempt.branch)}` : null,
  }));
  const isPicked = task.attempts.some((a) => a.pullRequestNumber !== null);
  const pickCommands = isPicked
    ? []
    : task.attempts.filter((a) => a.state === "succeeded" && a.headSha !== null).map((a) => `/orch pick ${task.key}/a${a.number}`);
  return { taskKey: task.key, rows, isPicked, pickCommands };
}

/** The comparison as markdown for the status comment; undefined as buildCouncilComparison. */
export function renderCouncilComparison(params: { run: RunView; task: TaskView; threadUrl: string }): string | undefined {
  const comparison = buildCouncilComparison(params);
  if (!comparison) return undefined;
  const rows = comparison.rows.map((row) =>
    [
      row.label,
      escapeInline(row.attempt.agent, 40),
      row.state + (row.pickedPullRequest !== null ? ` · picked, #${row.pickedPullRequest}` : ""),
      row.verify,
      row.changes,
      row.duration,
      row.usage,
      row.summary ? escapeInline(row.summary, 160) : "–",
      row.diffUrl ? `[diff](${row.diffUrl})` : "–",
    ].join(" | "),
  );
  const next = comparison.isPicked
    ? undefined
    : comparison.pickCommands.length
      ? `Pick one: ${comparison.pickCommands.map((command) => `\`${command}\``).join(" · ")}, or the **Pick** button on its check run.`
      : "No attempt succeeded, so there is nothing to pick; `/orch retry` adds an attempt.";
  return [
    `**Council ${comparison.taskKey}**`,
    "",
    "| attempt | agent | state | verify | changes | duration | usage | summary | branch |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row} |`),
    ...(next ? ["", next] : []),
  ].join("\n");
}
