/**
 * The one way into orch. Every entry point (a comment's commands, a
 * check-run button, a label, a closed thread) arrives here as a plain
 * request, and the shared guards run once, in order:
 *
 *   1. A repository name orch would not use in a path: dropped.
 *   2. What the request means: the comment's command lines (none: not for
 *      orch), the button's verb and attempt, the label's verb.
 *   3. The delivery is recorded: GitHub's redelivery of one does nothing.
 *   4. The repository's `.github/orch.yml` (a bad one gets a reply naming
 *      the bad keys, and the defaults are used).
 *   5. The sender's permission (not for closing: whoever may close may stop).
 *   6. A verb that starts work on a closed thread is refused.
 *   7. The verb runs; the request gets one reply with every outcome.
 *
 * A verb that throws gets "internal error" in the reply, the details in the log.
 */
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from "../config/repo-config.js";
import { renderRepoConfigProblems } from "../config/repo-config.js";
import { renderInternalError, renderOutcome, renderPermissionRefusal } from "../render/command-replies.js";
import { renderReply, type ReplySection } from "../render/reply.js";
import { isSafeRepoName } from "../workspace/branch-name.js";
import type { Store } from "../store/store.js";
import { closeThread } from "./close-thread.js";
import type { CommandOutcome } from "./outcome.js";
import { parseComment, type ParseResult } from "./parse.js";
import { hasPermission } from "./permission.js";
import type { CommandGitHub, OrchRequest, ThreadRequest } from "./request.js";
import type { VerbDeps, VerbRequest } from "./verb.js";
import { findButtonVerb, verbOf, type Command } from "./verbs/index.js";
import { threadNoun } from "./verbs/words.js";

export interface RequestDeps extends VerbDeps {
  store: VerbDeps["store"] & Pick<Store, "recordDelivery">;
  /** GitHub for one thread. */
  github: (thread: { installationId: number; owner: string; repo: string; number: number }) => CommandGitHub;
}

/** One line of what a request asked, for the reply's quote, and what it means. */
interface Step {
  line: string;
  parsed: { kind: "command"; command: Command } | { kind: "error"; message: string } | { kind: "refused"; outcome: CommandOutcome };
}

/** What a request means, once the repository's config is known. */
interface Meaning {
  thread: ThreadRequest["thread"];
  runId?: number;
  steps(config: RepoConfig): Step[];
}

export async function handleRequest(deps: RequestDeps, request: OrchRequest): Promise<void> {
  const { log } = deps;
  // 1. Names that GitHub never sends: a forged or broken payload gets nothing.
  if (!isSafeRepoName(request.owner, request.repo)) {
    log.warn({ deliveryId: request.deliveryId }, "skip: repository name orch would not use in a path");
    return;
  }
  // 2. What it means.
  const meaning = await understand(deps, request);
  if (meaning === undefined) return;
  const { installationId, owner, repo, defaultBranch, sender } = request;
  const target: ThreadRequest = {
    installationId,
    owner,
    repo,
    defaultBranch,
    sender,
    thread: meaning.thread,
    ...(meaning.runId === undefined ? {} : { runId: meaning.runId }),
  };

  // 3. Once per delivery.
  if (!(await deps.store.recordDelivery({ id: request.deliveryId, event: request.kind }))) {
    log.debug({ deliveryId: request.deliveryId }, "skip: delivery already handled");
    return;
  }
  const github = deps.github({ installationId: request.installationId, owner: request.owner, repo: request.repo, number: target.thread.number });
  if (request.kind === "comment") {
    await github.acknowledge({ commentId: request.commentId, isReviewComment: request.isReviewComment }).catch((error: unknown) => {
      log.warn({ err: error }, "could not react to the comment");
    });
  }

  // 4. The repository's config.
  const repoConfig = await loadRepoConfig(deps, github, target);
  const verbRequest: VerbRequest = { request: target, repoConfig, github };

  if (request.kind === "closed") {
    const outcome = await closeThread(deps, verbRequest, { cleanup: repoConfig.cleanupOnClose });
    const text = renderOutcome(outcome);
    if (text) await github.reply(text);
    return;
  }
  if (request.kind === "label" && !isOrchLabel(request.label, repoConfig)) return;
  const steps = meaning.steps(repoConfig);

  // 5. Who may command.
  const permission = await github.getPermission(request.sender);
  const isPermitted = hasPermission(permission, repoConfig.minPermission);
  if (request.kind === "label") await github.removeLabel(request.label).catch((error: unknown) => log.warn({ err: error }, "could not remove the label"));
  if (!isPermitted) {
    log.info({ sender: request.sender, permission, minPermission: repoConfig.minPermission }, "refused a command: permission too low");
    const message = renderPermissionRefusal({ required: repoConfig.minPermission, actual: permission });
    await github.reply(renderReply({ user: request.sender, sections: [{ line: steps.map((step) => step.line).join("\n"), message }] }));
    return;
  }

  // 6 and 7. Each verb, one reply.
  const sections: ReplySection[] = [];
  for (const step of steps) {
    if (step.parsed.kind === "error") {
      sections.push({ line: step.line, message: step.parsed.message });
      continue;
    }
    const outcome = step.parsed.kind === "refused" ? step.parsed.outcome : await runVerb(deps, verbRequest, step.parsed.command);
    // A label's outcome says the label is gone too; one that needs no reply (dispatch) gets none.
    const said =
      request.kind === "label" && outcome.kind !== "silent"
        ? renderOutcome({ kind: "done", notice: { kind: "label", label: request.label, outcome } })
        : renderOutcome(outcome);
    if (said) sections.push({ line: step.line, message: said });
  }
  if (sections.length) await github.reply(renderReply({ user: request.sender, sections }));
}

/** Runs one command: the closed-thread guard, then the verb; a failure inside orch becomes "internal error". */
async function runVerb(deps: RequestDeps, verbRequest: VerbRequest, command: Command): Promise<CommandOutcome> {
  const verb = verbOf(command);
  const { request } = verbRequest;
  if (verb.needsOpenThread && !request.thread.isOpen) {
    return { kind: "refused", refusal: { kind: "thread_closed", noun: threadNoun(request), verb: verb.name as "dispatch" | "retry" | "reassign" } };
  }
  try {
    return await verb.run(deps, verbRequest, command);
  } catch (error) {
    deps.log.error({ err: error, command: command.verb }, "command failed");
    return { kind: "text", markdown: renderInternalError() };
  }
}

/**
 * What a request means, before anything is written: the thread it is about
 * and its steps. Undefined when it is not for orch (a comment without
 * commands, a button orch does not know, a closed thread orch never saw).
 */
async function understand(deps: RequestDeps, request: OrchRequest): Promise<Meaning | undefined> {
  switch (request.kind) {
    case "comment": {
      const results = parseComment(request.body);
      if (results.length === 0) return undefined;
      return { thread: request.thread, steps: () => results.map(toStep) };
    }
    case "label": {
      const { label, sender } = request;
      const line = `label ${label}`;
      return {
        thread: request.thread,
        steps: (config) => [
          {
            line,
            parsed: {
              kind: "command",
              command:
                label === config.labels.dispatch
                  ? { verb: "dispatch" }
                  : { verb: "cancel", scope: { kind: "active" }, why: `cancelled by @${sender} with the ${label} label` },
            },
          },
        ],
      };
    }
    case "closed": {
      // Most closed threads never saw orch: look before recording anything.
      const known = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
      return known ? { thread: request.thread, steps: () => [] } : undefined;
    }
    case "button":
      return understandButton(deps, request);
  }
}

/**
 * A check-run button means its verb aimed at the attempt the check run
 * belongs to (its external id), never at whatever the task's latest is.
 */
async function understandButton(deps: RequestDeps, request: Extract<OrchRequest, { kind: "button" }>): Promise<Meaning | undefined> {
  const verb = findButtonVerb(request.identifier);
  const context = Number.isSafeInteger(request.attemptId) && request.attemptId > 0 ? await deps.store.findAttemptContext(request.attemptId) : undefined;
  if (!verb?.button || !context || context.thread.owner !== request.owner || context.thread.repo !== request.repo) {
    deps.log.warn({ attemptId: request.attemptId, identifier: request.identifier }, "skip: a button orch does not know for this repository");
    return undefined;
  }
  // The check run may be older than the thread's closing: ask GitHub how the thread is now.
  const now = await deps.github({ installationId: request.installationId, owner: request.owner, repo: request.repo, number: context.thread.number }).getThread();
  const line = `${request.identifier} button on check run "${request.checkRunName}"`;
  const button = verb.button;
  return {
    thread: { number: context.thread.number, kind: context.thread.kind, title: now.title, body: now.body, url: now.url, isOpen: now.isOpen },
    runId: context.run.id,
    steps: (config) => {
      const command = button.toCommand({ context, defaultAgent: config.defaultAgent ?? deps.config.defaultAgent, agentNames: Object.keys(deps.config.agents) });
      if (command === undefined) {
        return [{ line, parsed: { kind: "refused", outcome: { kind: "refused", refusal: { kind: "no_other_agent", task: context.task.key } } } }];
      }
      return [{ line, parsed: { kind: "command", command } }];
    },
  };
}

function toStep(result: ParseResult): Step {
  return result.kind === "command"
    ? { line: result.line, parsed: { kind: "command", command: result.command } }
    : { line: result.line, parsed: { kind: "error", message: result.message } };
}

function isOrchLabel(label: string, config: RepoConfig): boolean {
  return label === config.labels.dispatch || label === config.labels.cancel;
}

/** The repository's config, or the defaults (and a reply naming the bad keys) when it is invalid. */
async function loadRepoConfig(deps: RequestDeps, github: CommandGitHub, request: ThreadRequest): Promise<RepoConfig> {
  let raw: unknown;
  try {
    raw = await github.readRepoConfig();
  } catch (error) {
    // Probot's config reader throws on YAML it cannot parse (and on API faults).
    const message = error instanceof Error ? error.message : String(error);
    if (!/could not be parsed|invalid YAML|YAML/i.test(message)) {
      deps.log.warn({ err: error, repo: `${request.owner}/${request.repo}` }, "could not read .github/orch.yml; using the defaults");
      return DEFAULT_REPO_CONFIG;
    }
    await github.reply(renderRepoConfigProblems(["it is not valid YAML"]));
    return DEFAULT_REPO_CONFIG;
  }
  const result = parseRepoConfig(raw, Object.keys(deps.config.agents));
  if (result.problems.length) {
    deps.log.info({ repo: `${request.owner}/${request.repo}`, problems: result.problems }, "invalid .github/orch.yml");
    await github.reply(renderRepoConfigProblems(result.problems));
  }
  return result.config;
}
