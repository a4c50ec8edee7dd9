/**
 * Runs one claimed attempt to its end:
 *
 *   1. Prepare the workspace: fetch the base into the repository's cache, add
 *      the attempt's worktree on its new branch, with the agent's own git.
 *   2. Report the start: check run in progress on the base commit, status
 *      comment. In the background, so the agent does not wait for GitHub.
 *   3. Run the agent in its sandbox until it exits, times out or is cancelled.
 *   4. Collect its work: commit the files it left with orch's own git, check
 *      the changes (size, secrets), push the branch, open the pull request
 *      when it succeeded. A cancel that lands at any point before the pull
 *      request ends the attempt instead, with nothing pushed.
 *   5. Record the outcome in the store first (so a GitHub fault cannot lose
 *      it), then complete the check runs and refresh the status comment.
 *      Whatever step throws, this still happens, with the reason.
 *
 * An attempt runs under its host's lease. When the lease is gone (another
 * host declared this one dead and marked the attempt lost), the pipeline
 * pushes nothing, opens nothing and reports nothing: it stops the agent,
 * removes the worktree and leaves the record as the other host wrote it.
 * The lease is checked before the push and before the pull request.
 *
 * Dispatch, retry, reassign, buttons and labels all end up here: they queue
 * an attempt, and the scheduler hands it to this function when a slot frees.
 */
import { printedLines } from "../agents/agent-log.js";
import { readLogTail } from "../agents/log-tail.js";
import { formatConfigDuration } from "../duration.js";
import { isUserError } from "../errors.js";
import { renderAnswer } from "../render/answer.js";
import type { AttemptContext } from "../store/records.js";
import { buildBranchName } from "../workspace/branch-name.js";
import { isWorkspaceError } from "../workspace/errors.js";
import { getAttemptFiles } from "./attempt-files.js";
import type { PipelineDeps } from "./deps.js";
import { decideOutcome, type Outcome } from "./outcome.js";
import type { PullRequestRef } from "./ports.js";
import { buildRetryPrompt } from "./prompt.js";
import type { CancelReason } from "./scheduler.js";
import { checkWork, commitWork, discardWork, openPullRequest, pushWork, unpushWork } from "./steps/collect-work.js";
import { DependencyConflict, prepareWorkspace } from "./steps/prepare-workspace.js";
import { runAgent, type AgentRun } from "./steps/run-agent.js";
import { runVerify, type VerifyOutcome } from "./steps/run-verify.js";

/** How the attempt ended, as recorded. */
interface Ending {
  outcome: Outcome;
  exitCode: number | null;
  pushedSha?: string;
  pullRequest?: PullRequestRef;
  /** This host no longer holds the attempt: nothing is recorded or reported. */
  leaseLost?: true;
}

export async function runAttempt(deps: PipelineDeps, claimed: AttemptContext, signal: AbortSignal): Promise<void> {
  const { store, reporter, github, redactor, cache } = deps;
  const log = deps.log.child({ attemptId: claimed.attempt.id, agent: claimed.attempt.agent });
  const client = github(claimed.thread);
  let context = claimed;
  let step = "prepare the workspace";
  let checkRun: Promise<number | undefined> = Promise.resolve(undefined);
  const { lease } = claimed.attempt;
  const isFenced = () => (signal.reason as CancelReason | undefined)?.fenced === true;
  const lostLease = (): Ending => ({ outcome: { state: "failed", summary: "never recorded: this host lost the lease" }, exitCode: null, leaseLost: true });
  const cancelled = (): Ending => (isFenced() ? lostLease() : { outcome: cancelledOutcome(signal), exitCode: null });
  /** Whether this host may still act for the attempt: not fenced, and the store still has it running under our lease. */
  const holdsLease = async () => !isFenced() && (lease === null || (await store.holdsLease({ attemptId: claimed.attempt.id, lease })));

  /** Set when the repository's verify ran on the change and did not pass: the next attempt's feedback. */
  let verifyFailure: VerifyOutcome | undefined;

  /** When the run's run_timeout ends it (undefined: no such cap). */
  const runDeadline = context.run.runTimeoutMs === null ? undefined : context.run.createdAt.getTime() + context.run.runTimeoutMs;
  const runTimedOut = (): Ending => ({ outcome: { state: "timed_out", summary: runTimeoutSummary(context.run) }, exitCode: null });

  const ending = await (async (): Promise<Ending> => {
    // A run past its run_timeout starts nothing more.
    if (runDeadline !== undefined && Date.now() >= runDeadline) return runTimedOut();
    // 1. Prepare the workspace.
    const token = await getToken();
    const { worktreePath, baseSha } = await prepareWorkspace(deps, { context, token });
    context = { ...context, attempt: { ...context.attempt, baseSha, worktreePath, workspaceState: "allocated" } };

    // 2. Report the start.
    const started = context;
    checkRun = reporter.startCheckRun(started);
    reporter.refreshStatus(context.thread.id);

    // 3. Run the agent.
    step = "run the agent";
    const agentRun: AgentRun = signal.aborted
      ? { exit: { reason: "cancelled", durationMs: 0 }, result: { kind: "missing" } }
      : await runAgent(deps, { context, worktreePath, signal, ...(runDeadline === undefined ? {} : { deadline: runDeadline }) });
    const { exit } = agentRun;
    const exitCode = exit.reason === "exited" ? exit.exitCode : null;
    const result = await redactResult(agentRun.result);
    await recordUsage(result);
    // A cancel that came after the agent exited still ends the attempt.
    if (signal.aborted || exit.reason === "cancelled") return cancelled();
    if (exit.reason === "timed_out" && runDeadline !== undefined && Date.now() >= runDeadline) return runTimedOut();
    // A question: its answer is the reply; nothing is committed or pushed, and no changes is no failure.
    if (context.task.mode === "ask") {
      if (exit.reason !== "exited" || exit.exitCode !== 0) return { outcome: decideOutcome({ exit, result, hasChanges: false }), exitCode };
      return answerQuestion(result, exitCode);
    }
    // A timed-out agent's half-done work is not pushed; neither is a failed start's.
    if (exit.reason !== "exited") return { outcome: decideOutcome({ exit, result, hasChanges: false }), exitCode };

    // 4. Collect its work.
    step = "commit the agent's work";
    const summary = result.kind === "reported" ? result.result.summary : undefined;
    const work = await commitWork(deps, { context, worktreePath, baseSha, summary, signal });
    const decided = decideOutcome({ exit, result, hasChanges: work !== undefined });
    if (!work) return { outcome: decided, exitCode };
    const outcome = work.skippedRepositories.length
      ? { ...decided, summary: `${decided.summary} (left out ${work.skippedRepositories.map((p) => `${p}/`).join(", ")}: git repositories the agent made inside the worktree)` }
      : decided;

    step = "check the changes";
    const refusal = await checkWork(deps, { work, baseSha });
    if (refusal !== undefined) {
      await discardWork(work);
      return { outcome: { state: "failed", summary: refusal }, exitCode };
    }
    if (signal.aborted) {
      await discardWork(work);
      return cancelled();
    }

    // The repository's verify, on a change the agent says is done: a PR only when it passes.
    let verified = outcome;
    if (context.run.verify && outcome.state === "succeeded") {
      step = "verify the change";
      const verify = await runVerify(deps, { context, worktreePath, settings: context.run.verify, signal });
      if (signal.aborted || verify.state === "cancelled") {
        await discardWork(work);
        return cancelled();
      }
      await store.updateAttempt({ attemptId: context.attempt.id, progress: { verifyState: verify.state } });
      context = { ...context, attempt: { ...context.attempt, verifyState: verify.state } };
      if (verify.state !== "passed") {
        verifyFailure = verify;
        // Its own last line, not orch's "[orch] exited with code …" after it.
        const lastLine = printedLines(verify.tail).filter((line) => line.trim() !== "").at(-1);
        verified = { state: "failed", summary: lastLine ? `${verify.summary}: ${lastLine.trim()}` : verify.summary };
      }
    }

    step = "push the branch";
    if (!(await holdsLease())) {
      await discardWork(work);
      return lostLease();
    }
    try {
      await pushWork(deps, { context, work, baseSha, token: await getToken(), signal });
    } catch (error) {
      if (signal.aborted) return cancelled();
      if (isWorkspaceError(error, "push_refused")) {
        log.warn({ err: error }, "the remote refused the push");
        const reasons = (error.detail ?? "").split("\n").filter(Boolean);
        const remote = reasons.length > 1 ? ` (GitHub said: ${reasons.slice(1, 4).join(" / ")})` : "";
        return { outcome: { state: "failed", summary: `GitHub refused the push of ${context.attempt.branch}: ${reasons[0] ?? "no reason given"}${remote}` }, exitCode };
      }
      throw error;
    }
    if (signal.aborted) {
      // Cancelled while the push ran: take the branch back, so a cancel pushes nothing.
      await unpushWork(deps, { context, sha: work.commitSha, token: await getToken() }).catch((error: unknown) =>
        log.warn({ err: error }, "could not delete the branch a cancel overtook"),
      );
      return cancelled();
    }
    const { filesChanged, insertions, deletions } = work.diffStat;
    await store.updateAttempt({ attemptId: context.attempt.id, progress: { diffStat: `${filesChanged} ${filesChanged === 1 ? "file" : "files"}, +${insertions} −${deletions}` } });
    if (verified.state !== "succeeded") return { outcome: verified, exitCode, pushedSha: work.commitSha };
    // A council attempt's PR waits for a person's pick (/orch pick).
    if (context.task.mode === "council") return { outcome: verified, exitCode, pushedSha: work.commitSha };
    step = "open the pull request";
    if (!(await holdsLease())) return lostLease();
    const pullRequest = await openPullRequest(deps, { context, outcome: verified, work, draft: context.run.draft });
    return { outcome: verified, exitCode, pushedSha: work.commitSha, pullRequest };
  })().catch((error: unknown): Ending => {
    // A cancel stops the git process of the step it lands in.
    if (signal.aborted && isWorkspaceError(error, "git_aborted")) return cancelled();
    if (isFenced()) return lostLease();
    if (error instanceof DependencyConflict) return { outcome: { state: "blocked", summary: error.message }, exitCode: null };
    log.error({ err: error, step }, "attempt failed in orch");
    return { outcome: { state: "failed", summary: `orch could not ${step}: ${describeError(error)}` }, exitCode: null };
  });

  // 5. Record the outcome, then report it.
  if (ending.leaseLost) return releaseLostAttempt();
  // A council's attempts are compared as they are: no auto-retry among them.
  const autoRetry = verifyFailure && context.task.mode !== "council" ? planAutoRetry(context, await store.spentOn(context.run.id)) : undefined;
  const summary = await redactor.redact(ending.outcome.summary + (autoRetry?.note ?? ""));
  const endedAt = new Date();
  const moved = await store.transitionAttempt({
    attemptId: context.attempt.id,
    lease,
    to: ending.outcome.state,
    progress: {
      endedAt,
      exitCode: ending.exitCode,
      summary,
      // Only a pushed head is one GitHub has, for the check run on it.
      headSha: ending.pushedSha ?? null,
      pullRequestNumber: ending.pullRequest?.number ?? null,
      pullRequestUrl: ending.pullRequest?.url ?? null,
    },
  });
  if (moved) observeEnd(endedAt);
  // Tasks that waited for this one may start now (the scheduler looks when this pipeline returns).
  if (moved && ending.outcome.state === "succeeded") await startDependents();
  if (moved && autoRetry?.next && verifyFailure) await queueAutoRetry(autoRetry.next, verifyFailure, summary);
  await checkRun;
  const recorded = await store.findAttemptContext(context.attempt.id);
  if (!moved && recorded?.attempt.state === "lost") return releaseLostAttempt();
  if (!moved) log.warn({ outcome: ending.outcome.state }, "attempt had already moved on; reporting its recorded state");
  if (recorded) await reporter.complete(recorded);
  await reporter.refreshStatusNow(context.thread.id);
  log.info({ state: ending.outcome.state, summary }, "attempt ended");

  /** For orch_attempt_duration_seconds: called only when this pipeline's move recorded the end, so no end counts twice. */
  function observeEnd(endedAt: Date): void {
    const startedAt = claimed.attempt.startedAt ?? endedAt;
    deps.metrics.attemptEnded({ agent: context.attempt.agent, state: ending.outcome.state, seconds: (endedAt.getTime() - startedAt.getTime()) / 1000 });
  }

  /** Another host has the last word on this attempt: only its worktree here is ours to remove. */
  async function releaseLostAttempt(): Promise<void> {
    log.warn("this host lost the attempt's lease: its agent is stopped, nothing was pushed or reported, and its worktree is removed");
    const { worktreePath } = context.attempt;
    if (context.attempt.workspaceState !== "allocated" || !worktreePath) return;
    await cache
      .removeWorktree({ owner: context.thread.owner, repo: context.thread.repo, path: worktreePath })
      .then(() => store.transitionWorkspace({ attemptId: context.attempt.id, to: "cleaned" }))
      .catch((error: unknown) => log.warn({ err: error }, "could not remove the worktree of a lost attempt"));
  }

  /** `/orch ask`: posts the agent's answer as a reply, and ends the attempt by it. */
  async function answerQuestion(result: AgentRun["result"], exitCode: number | null): Promise<Ending> {
    step = "post the answer";
    const reported = result.kind === "reported" ? result.result : undefined;
    if (reported?.status === "blocked" || reported?.status === "failed") {
      return { outcome: { state: reported.status, summary: reported.summary ?? `the agent reported ${reported.status}` }, exitCode };
    }
    const tail = printedLines(await readLogTail(getAttemptFiles(deps.home, context.attempt.id).logFile, ANSWER_TAIL)).join("\n").trim();
    const answer = reported?.summary;
    if (!answer && !tail) return { outcome: { state: "failed", summary: "no answer: the agent wrote no summary and printed nothing" }, exitCode };
    if (!(await holdsLease())) return lostLease();
    await client.createComment(renderAnswer({ context, answer, tail }));
    return { outcome: { state: "succeeded", summary: answer ?? tail.split("\n").at(-1)! }, exitCode };
  }

  /** What the agent said it spent, recorded at once: the run's max_cost_usd counts it. */
  async function recordUsage(result: AgentRun["result"]): Promise<void> {
    const usage = result.kind === "reported" ? result.result.usage : undefined;
    if (!usage) return;
    const progress = { costUsd: usage.costUsd ?? null, inputTokens: usage.inputTokens ?? null, outputTokens: usage.outputTokens ?? null };
    await store.updateAttempt({ attemptId: context.attempt.id, progress });
    context = { ...context, attempt: { ...context.attempt, ...progress } };
  }

  /** Attempt n+1 after a failed verify, started by orch with the failure's tail as feedback. */
  async function queueAutoRetry(next: { number: number; limit: number }, failure: VerifyOutcome, previousSummary: string): Promise<void> {
    const { attempt, task, thread, run } = context;
    const result = await store
      .createNextAttempt({
        taskId: task.id,
        allowedFrom: ["failed"],
        prompt: buildRetryPrompt({
          taskPrompt: task.prompt,
          previous: { number: attempt.number, agent: attempt.agent, state: "failed", summary: previousSummary },
          requestedBy: attempt.requestedBy,
          verifyFailure: { command: run.verify!.run, tail: failure.tail },
        }),
        requestedBy: attempt.requestedBy,
        buildBranch: (attemptNumber) => buildBranchName({ threadNumber: thread.number, taskKey: task.key, attemptNumber }),
        autoRetry: next,
      })
      .catch((error: unknown) => {
        log.error({ err: error }, "could not queue the auto-retry");
        return undefined;
      });
    if (result?.kind === "created") log.info({ next: result.attempt.id, autoRetry: next }, "queued an auto-retry after a failed verify");
  }

  /** Makes the first attempts of the run's tasks whose dependencies have all succeeded now. */
  async function startDependents(): Promise<void> {
    const { thread, run } = context;
    const buildBranch = (taskKey: string) => buildBranchName({ threadNumber: thread.number, taskKey, attemptNumber: 1 });
    const started = await store.startReadyTasks({ runId: run.id, buildBranch }).catch((error: unknown) => {
      log.error({ err: error }, "could not start the tasks waiting for this one");
      return [];
    });
    if (started.length > 0) log.info({ attempts: started.map((a) => a.id) }, "queued the tasks that waited for this one");
  }

  /** The installation token, which the redactor then hides wherever it might appear. */
  async function getToken(): Promise<string> {
    const token = await client.getToken();
    redactor.addKnown(token);
    return token;
  }

  /** The agent wrote the summary: it is published, so it passes the redactor first. */
  async function redactResult(result: AgentRun["result"]): Promise<AgentRun["result"]> {
    if (result.kind !== "reported" || result.result.summary === undefined) return result;
    return { kind: "reported", result: { ...result.result, summary: await redactor.redact(result.result.summary) } };
  }
}

/**
 * Whether orch follows a failed verify with attempt n+1 by itself: while the
 * task's chain of auto-retries is under `verify.max_auto_retries` and the task
 * under `max_attempts_per_task`. The note ends the summary either way.
 */
function planAutoRetry(context: AttemptContext, spentUsd: number): { next?: { number: number; limit: number }; note: string } | undefined {
  const { attempt, run } = context;
  const limit = run.verify?.maxAutoRetries ?? 0;
  if (limit === 0) return { note: "; `/orch retry` to try again" };
  if (attempt.autoRetry >= limit) return { note: `; no auto-retry left (verify.max_auto_retries: ${limit}, all used); \`/orch retry\` to try again` };
  if (attempt.number >= run.maxAttemptsPerTask) {
    return { note: `; no auto-retry: the task has had ${attempt.number} attempts, as many as max_attempts_per_task (${run.maxAttemptsPerTask}) allows` };
  }
  if (run.maxCostUsd !== null && spentUsd >= run.maxCostUsd) {
    return { note: `; no auto-retry: the run's agents have reported $${spentUsd.toFixed(2)} of usage, and max_cost_usd is $${run.maxCostUsd.toFixed(2)}` };
  }
  if (run.runTimeoutMs !== null && Date.now() >= run.createdAt.getTime() + run.runTimeoutMs) {
    return { note: `; no auto-retry: the run's run_timeout (${formatConfigDuration(run.runTimeoutMs)}) has passed` };
  }
  const next = { number: attempt.autoRetry + 1, limit };
  return { next, note: `; orch starts auto-retry ${next.number} of ${limit}` };
}

/** How much of a question's output the reply shows when the agent wrote no summary. */
const ANSWER_TAIL = { maxLines: 40, maxBytes: 8 * 1024 };

function runTimeoutSummary(run: AttemptContext["run"]): string {
  const started = `${run.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `run_timeout (${formatConfigDuration(run.runTimeoutMs ?? 0)}) reached: the run started at ${started}, so this attempt was stopped. \`/orch dispatch\` starts a new run.`;
}

function cancelledOutcome(signal: AbortSignal): Outcome {
  const reason = signal.reason as CancelReason | undefined;
  if (reason?.why) return { state: "cancelled", summary: reason.why };
  return decideOutcome({ exit: { reason: "cancelled", durationMs: 0 }, result: { kind: "missing" }, hasChanges: false, ...(reason?.by ? { cancelledBy: reason.by } : {}) });
}

/**
 * A message fit for GitHub: a UserError says what to fix; workspace errors
 * name local paths and git output, so only their kind is shown; anything else
 * stays in the server log.
 */
function describeError(error: unknown): string {
  if (isUserError(error)) return error.message;
  if (isWorkspaceError(error, "git_failed")) return "git failed (the server log has the details)";
  if (isWorkspaceError(error, "git_timeout")) return "a git command took too long and was stopped (the server log has the details)";
  if (isWorkspaceError(error, "branch_exists")) return "the attempt's branch already exists in orch's cache";
  if (isWorkspaceError(error)) return `workspace error: ${error.code} (the server log has the details)`;
  return "internal error (the server log has the details)";
}
