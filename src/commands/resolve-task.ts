import type { RunView, TaskView, ThreadRecord } from "../store/records.js";
import type { CommandContext } from "./context.js";

export type ResolvedTask =
  | { kind: "found"; thread: ThreadRecord; run: RunView; task: TaskView }
  | { kind: "refused"; message: string };

export type ResolvedRun = { kind: "found"; thread: ThreadRecord; run: RunView } | { kind: "refused"; message: string };

/** The thread's latest run (or the request's run, for a button), or a refusal that says how to start one. */
export async function resolveLatestRun(ctx: CommandContext): Promise<ResolvedRun> {
  const { owner, repo, thread, runId } = ctx.request;
  const record = await ctx.deps.store.findThread({ owner, repo, number: thread.number });
  const run = record ? await ctx.deps.store.findRun({ threadId: record.id, runId }) : undefined;
  if (!record || !run) {
    return { kind: "refused", message: "there is no orch run on this thread yet. Start one with `/orch dispatch`." };
  }
  return { kind: "found", thread: record, run };
}

/**
 * The task a command names, in the thread's latest run. Without a name, the
 * run's only task; when it has several, a refusal that lists them.
 */
export async function resolveTask(ctx: CommandContext, params: { taskKey: string | undefined; verb: string }): Promise<ResolvedTask> {
  const latest = await resolveLatestRun(ctx);
  if (latest.kind === "refused") return latest;
  const { run, thread } = latest;
  const keys = run.tasks.map((task) => `\`${task.key}\``).join(", ");
  if (params.taskKey === undefined) {
    if (run.tasks.length === 1) return { kind: "found", thread, run, task: run.tasks[0]! };
    return {
      kind: "refused",
      message: `run ${run.id} has several tasks (${keys}); say which one, e.g. \`/orch ${params.verb} ${run.tasks[0]!.key}\`.`,
    };
  }
  const task = run.tasks.find((candidate) => candidate.key === params.taskKey);
  if (!task) {
    return { kind: "refused", message: `run ${run.id} has no task \`${params.taskKey}\`; its tasks: ${keys}.` };
  }
  return { kind: "found", thread, run, task };
}
