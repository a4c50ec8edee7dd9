/**
 * Runs one claimed attempt to its end:
 *
 *   1. Prepare the workspace: fetch the base into the repository's cache, add
 *      the attempt's worktree on its new branch.
 *   2. Report the start: check run in progress on the base commit, status
 *      comment. In the background, so the agent does not wait for GitHub.
 *   3. Run the agent until it exits, times out or is cancelled.
 *   4. Collect its work: commit leftovers, push the branch, open the pull
 *      request when it succeeded.
 *   5. Record the outcome in the store first (so a GitHub fault cannot lose
 *      it), then complete the check runs and refresh the status comment.
 *
 * Dispatch, retry, reassign, buttons and labels all end up here: they queue
 * an attempt, and the scheduler hands it to this function when a slot frees.
 */
import { isUserError } from "../errors.js";
import type { AttemptContext } from "../store/records.js";
import { isWorkspaceError } from "../workspace/errors.js";
import type { PipelineDeps } from "./deps.js";
import { decideOutcome, type Outcome } from "./outcome.js";
import type { PullRequestRef } from "./ports.js";
import type { CancelReason } from "./scheduler.js";
import { commitWork, openPullRequest, pushWork, type CollectedWork } from "./steps/collect-work.js";
import { prepareWorkspace } from "./steps/prepare-workspace.js";
import { completeAttemptCheckRuns, createAttemptCheckRun } from "./steps/report-progress.js";
import { runAgent, type AgentRun } from "./steps/run-agent.js";

export async function runAttempt(deps: PipelineDeps, claimed: AttemptContext, signal: AbortSignal): Promise<void> {
  const { store, status, github } = deps;
  const log = deps.log.child({ attemptId: claimed.attempt.id, agent: claimed.attempt.agent });
  const client = github(claimed.thread);
  let context = claimed;
  let step = "prepare the workspace";
  let checkRun: Promise<number | undefined> = Promise.resolve(undefined);
  let outcome: Outcome | undefined;
  let exitCode: number | null = null;
  let work: CollectedWork | undefined;
  let pushedSha: string | undefined;
  let pullRequest: PullRequestRef | undefined;
  try {
    // 1. Prepare the workspace.
    const token = await client.getToken();
    const { worktreePath, baseSha } = await prepareWorkspace(deps, { context, token });
    context = { ...context, attempt: { ...context.attempt, baseSha, worktreePath, workspaceState: "allocated" } };

    // 2. Report the start.
    const started = context;
    checkRun = createAttemptCheckRun(deps, started).catch((error: unknown) => {
      log.warn({ err: error }, "could not create the check run");
      return undefined;
    });
    void status.refresh(context.thread.id);

    // 3. Run the agent.
    step = "run the agent";
    const agentRun: AgentRun = signal.aborted
      ? { exit: { reason: "cancelled", durationMs: 0 }, result: undefined }
      : await runAgent(deps, { context, worktreePath, signal });
    if (agentRun.exit.reason === "exited") exitCode = agentRun.exit.exitCode;

    // 4. Collect its work.
    step = "commit the agent's work";
    work = await commitWork(deps, { context, worktreePath, baseSha });
    outcome = decideOutcome({
      exit: agentRun.exit,
      result: agentRun.result,
      hasChanges: work.commitCount > 0,
      cancelledBy: (signal.reason as CancelReason | undefined)?.by,
    });
    if (agentRun.exit.reason === "cancelled" && (signal.reason as CancelReason | undefined)?.why) {
      outcome = { ...outcome, summary: (signal.reason as CancelReason).why };
    }
    if (work.commitCount > 0) {
      step = "push the branch";
      await pushWork(deps, { context, worktreePath, token: await client.getToken() });
      pushedSha = work.headSha;
    }
    if (outcome.state === "succeeded" && work.commitCount > 0) {
      step = "open the pull request";
      pullRequest = await openPullRequest(deps, { context, outcome, worktreePath, baseSha, draft: context.run.draft });
    }
  } catch (error) {
    log.error({ err: error, step }, "attempt failed in orch");
    outcome = { state: "failed", summary: `orch could not ${step}: ${describeError(error)}` };
  }

  // 5. Record the outcome, then report it.
  const moved = await store.transitionAttempt({
    attemptId: context.attempt.id,
    to: outcome.state,
    progress: {
      endedAt: new Date(),
      exitCode,
      summary: outcome.summary,
      // Only a pushed head is one GitHub has, for the check run on it.
      headSha: pushedSha ?? null,
      pullRequestNumber: pullRequest?.number ?? null,
      pullRequestUrl: pullRequest?.url ?? null,
    },
  });
  if (!moved) log.warn({ outcome }, "attempt had already moved on; reporting its recorded state");
  await checkRun;
  const recorded = await store.findAttemptContext(context.attempt.id);
  if (recorded) {
    await completeAttemptCheckRuns(deps, { context: recorded }).catch((error: unknown) =>
      log.warn({ err: error }, "could not complete the check run; it is reconciled later"),
    );
  }
  await status.refresh(context.thread.id);
  log.info({ state: outcome.state, summary: outcome.summary }, "attempt ended");
}

/**
 * A message fit for GitHub: a UserError says what to fix; workspace errors
 * name local paths and git output, so only their kind is shown; anything else
 * stays in the server log.
 */
function describeError(error: unknown): string {
  if (isUserError(error)) return error.message;
  if (isWorkspaceError(error, "git_failed")) return "git failed (the server log has the details)";
  if (isWorkspaceError(error, "branch_exists")) return "the attempt's branch already exists in orch's cache";
  if (isWorkspaceError(error)) return `workspace error: ${error.code} (the server log has the details)`;
  return "internal error (the server log has the details)";
}
