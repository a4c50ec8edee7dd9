import { cleanupAttempt } from "../pipeline/cleanup-attempt.js";
import type { RunView, TaskView, ThreadRecord } from "../store/records.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import type { Command } from "./parse.js";
import { resolveLatestRun, resolveTask } from "./resolve-task.js";

/** Removes the worktrees of ended attempts of a task, or of the whole latest run; branches stay. */
export async function cleanup(ctx: CommandContext, command: Extract<Command, { verb: "cleanup" }>): Promise<CommandOutcome> {
  if (command.scope.kind === "run") {
    const resolved = await resolveLatestRun(ctx);
    if (resolved.kind === "refused") return { message: resolved.message };
    return cleanupTasks(ctx, { thread: resolved.thread, run: resolved.run, tasks: resolved.run.tasks, label: `run ${resolved.run.id}` });
  }
  const resolved = await resolveTask(ctx, { taskKey: command.scope.task, verb: "cleanup" });
  if (resolved.kind === "refused") return { message: resolved.message };
  return cleanupTasks(ctx, { thread: resolved.thread, run: resolved.run, tasks: [resolved.task], label: `\`${resolved.task.key}\`` });
}

/** Cleans every ended attempt of the given tasks; reports what it removed and what it left running. */
export async function cleanupTasks(
  ctx: CommandContext,
  params: { thread: ThreadRecord; run: RunView; tasks: TaskView[]; label: string; quietWhenNothing?: boolean },
): Promise<CommandOutcome> {
  const { deps } = ctx;
  const { thread, run, tasks, label, quietWhenNothing = false } = params;
  const cleaned: string[] = [];
  const active: string[] = [];
  for (const task of tasks) {
    for (const attempt of task.attempts) {
      const result = await cleanupAttempt(deps, { context: { thread, run, task, attempt } });
      if (result === "cleaned") cleaned.push(`${task.key} attempt ${attempt.number}`);
      if (result === "active") active.push(`${task.key} attempt ${attempt.number}`);
    }
  }
  deps.scheduler.track(deps.status.refresh(thread.id));
  if (quietWhenNothing && cleaned.length === 0 && active.length === 0) return {};
  const parts = [];
  if (cleaned.length) parts.push(`Removed the worktree of ${cleaned.join(", ")}; the branches stay, in orch's cache and on GitHub.`);
  else parts.push(`Nothing to clean up in ${label}: no ended attempt still has a worktree.`);
  if (active.length) {
    parts.push(`Left ${active.join(", ")} alone because ${active.length === 1 ? "it is" : "they are"} still active; \`/orch cancel\` stops it first.`);
  }
  return { message: parts.join(" ") };
}
