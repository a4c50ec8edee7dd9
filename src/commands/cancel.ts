import { cancelAttempt } from "../pipeline/cancel-attempt.js";
import type { AttemptContext, RunView, TaskView, ThreadRecord } from "../store/records.js";
import { isActive } from "../store/transitions.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import type { Command } from "./parse.js";
import { resolveLatestRun, resolveTask } from "./resolve-task.js";
import { describeAttempt } from "./start-next-attempt.js";

/** Cancels the task's active attempt, or with --run every queued and running attempt of the latest run. */
export async function cancel(ctx: CommandContext, command: Extract<Command, { verb: "cancel" }>): Promise<CommandOutcome> {
  if (command.scope.kind === "run") {
    const resolved = await resolveLatestRun(ctx);
    if (resolved.kind === "refused") return { message: resolved.message };
    return cancelRun(ctx, { thread: resolved.thread, run: resolved.run, why: `cancelled by @${ctx.request.sender}` });
  }
  const resolved = await resolveTask(ctx, { taskKey: command.scope.task, verb: "cancel" });
  if (resolved.kind === "refused") return { message: resolved.message };
  const { thread, run, task } = resolved;
  const latest = task.attempts.at(-1);
  if (!latest || !isActive(latest.state)) {
    return {
      message: `nothing to cancel: \`${task.key}\`'s latest is ${latest ? describeAttempt(latest) : "no attempt"}.`,
    };
  }
  const count = await cancelAttempts(ctx, { thread, run, tasks: [task], why: `cancelled by @${ctx.request.sender}` });
  if (count === 0) return { message: `nothing to cancel: \`${task.key}\` had just ended.` };
  return { message: `cancelled attempt ${latest.number} (\`${latest.agent}\`) of \`${task.key}\`.` };
}

/** Cancels every active attempt of a run; used by `--run`, the cancel label and closing the thread. */
export async function cancelRun(
  ctx: CommandContext,
  params: { thread: ThreadRecord; run: RunView; why: string },
): Promise<CommandOutcome> {
  const { thread, run, why } = params;
  const count = await cancelAttempts(ctx, { thread, run, tasks: run.tasks, why });
  if (count === 0) return { message: `nothing to cancel: run ${run.id} has no queued or running attempt.` };
  return { message: `cancelled ${count === 1 ? "1 attempt" : `${count} attempts`} of run ${run.id}.` };
}

/** Cancels the latest attempt of each task that is active; returns how many it stopped. */
async function cancelAttempts(
  ctx: CommandContext,
  params: { thread: ThreadRecord; run: RunView; tasks: TaskView[]; why: string },
): Promise<number> {
  const { deps, request } = ctx;
  const { thread, run, tasks, why } = params;
  let count = 0;
  for (const task of tasks) {
    const attempt = task.attempts.at(-1);
    if (!attempt || !isActive(attempt.state)) continue;
    const context: AttemptContext = { thread, run, task, attempt };
    const result = await cancelAttempt(deps, { context, reason: { by: request.sender, why } });
    if (result !== "already_ended") count += 1;
  }
  deps.scheduler.track(deps.status.refresh(thread.id));
  return count;
}
