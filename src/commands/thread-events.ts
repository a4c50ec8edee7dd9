/**
 * Commands that come from what happens to a thread rather than from a
 * comment: the cancel label and closing the issue or pull request.
 */
import { isActive } from "../store/transitions.js";
import { cleanupTasks } from "./cleanup.js";
import { cancelRun } from "./cancel.js";
import type { CommandContext, CommandOutcome } from "./context.js";

/** Cancels every active run of the thread (the `orch:cancel` label, and closing). */
export async function cancelActiveRuns(
  ctx: CommandContext,
  params: { why: string },
): Promise<CommandOutcome & { attemptIds: number[] }> {
  const { deps, request } = ctx;
  const thread = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
  const runs = thread ? await deps.store.findActiveRuns(thread.id) : [];
  if (!thread || runs.length === 0) {
    return { message: "there was nothing to cancel: no run on this thread is active.", attemptIds: [] };
  }
  const attemptIds = runs.flatMap((run) =>
    run.tasks.flatMap((task) => task.attempts.filter((attempt) => isActive(attempt.state)).map((attempt) => attempt.id)),
  );
  const messages = [];
  for (const run of runs) messages.push((await cancelRun(ctx, { thread, run, why: params.why })).message);
  return { message: messages.join(" "), attemptIds };
}

/** Closing a thread: cancel its active attempts, wait for their agents to stop, remove every worktree left. */
export async function closeThread(ctx: CommandContext, params: { cleanup: boolean }): Promise<CommandOutcome> {
  const { deps, request } = ctx;
  const noun = request.thread.kind === "issue" ? "issue" : "pull request";
  const cancelled = await cancelActiveRuns(ctx, { why: `the ${noun} was closed` });
  await Promise.all(cancelled.attemptIds.map((id) => deps.scheduler.whenSettled(id)));
  const thread = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
  if (!thread) return {};
  const count = cancelled.attemptIds.length;
  const parts = count ? [`Closing this ${noun} cancelled ${count === 1 ? "1 active attempt" : `${count} active attempts`}.`] : [];
  if (params.cleanup) {
    const view = await deps.store.getThreadView({ threadId: thread.id, maxRuns: 1_000 });
    const results = [];
    for (const run of view.runs) {
      results.push(await cleanupTasks(ctx, { thread, run, tasks: run.tasks, label: `run ${run.id}`, quietWhenNothing: true }));
    }
    parts.push(...results.map((r) => r.message).filter((m): m is string => Boolean(m)));
  }
  return parts.length ? { message: parts.join(" ") } : {};
}
