import type { Prisma } from "../generated/postgres/client.js";
import { deriveRunState, type TaskState } from "./transitions.js";

/**
 * After an attempt moved: the task takes its latest attempt's state, and the
 * run's state is derived from its tasks. Runs inside the move's transaction.
 */
export async function settleTaskAndRun(tx: Prisma.TransactionClient, taskId: number): Promise<void> {
  const latest = await tx.attempt.findFirst({ where: { taskId }, orderBy: { number: "desc" }, select: { state: true } });
  const task = await tx.task.update({
    where: { id: taskId },
    data: { state: latest?.state ?? "pending" },
    select: { runId: true },
  });
  const tasks = await tx.task.findMany({ where: { runId: task.runId }, select: { key: true, state: true, after: true } });
  const state = deriveRunState(tasks.map((t) => ({ key: t.key, state: t.state as TaskState, after: JSON.parse(t.after) as string[] })));
  await tx.run.update({
    where: { id: task.runId },
    data: { state, endedAt: state === "active" ? null : new Date() },
  });
}
