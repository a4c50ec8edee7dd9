import type { Prisma } from "../generated/postgres/client.js";
import { deriveRunState, type TaskState } from "./transitions.js";

/**
 * After an attempt moved: the task takes its latest attempt's state (a
 * council's: see councilState), and the
 * run's state is derived from its tasks. Runs inside the move's transaction.
 */
/**
 * A council task's state from all its attempts, not only the latest: running
 * (or queued) while any is; once all ended, succeeded when one was picked
 * (it has the PR), picking while one succeeded and waits for a person's pick,
 * else failed (or cancelled when they all were).
 */
function councilState(attempts: { state: string; pullRequestNumber: number | null }[]): string {
  if (attempts.some((a) => a.state === "running")) return "running";
  if (attempts.some((a) => a.state === "queued")) return "queued";
  if (attempts.some((a) => a.state === "succeeded" && a.pullRequestNumber !== null)) return "succeeded";
  if (attempts.some((a) => a.state === "succeeded")) return "picking";
  return attempts.length > 0 && attempts.every((a) => a.state === "cancelled") ? "cancelled" : "failed";
}

export async function settleTaskAndRun(tx: Prisma.TransactionClient, taskId: number): Promise<void> {
  const { mode } = await tx.task.findUniqueOrThrow({ where: { id: taskId }, select: { mode: true } });
  const taskState =
    mode === "council"
      ? councilState(await tx.attempt.findMany({ where: { taskId }, select: { state: true, pullRequestNumber: true } }))
      : ((await tx.attempt.findFirst({ where: { taskId }, orderBy: { number: "desc" }, select: { state: true } }))?.state ?? "pending");
  // A council that runs again (a retry) has a new contender: the judge's ranking is stale, and it judges again once all have ended.
  const isStale = mode === "council" && (taskState === "queued" || taskState === "running");
  const judgeReset = { judgeState: "none", judgeRanking: null, judgeNote: null, judgeHost: null, judgeLease: null, judgedAt: null };
  const task = await tx.task.update({ where: { id: taskId }, data: { state: taskState, ...(isStale ? judgeReset : {}) }, select: { runId: true } });
  const tasks = await tx.task.findMany({ where: { runId: task.runId }, select: { key: true, state: true, after: true } });
  const state = deriveRunState(tasks.map((t) => ({ key: t.key, state: t.state as TaskState, after: JSON.parse(t.after) as string[] })));
  await tx.run.update({
    where: { id: task.runId },
    data: { state, endedAt: state === "active" ? null : new Date() },
  });
}
