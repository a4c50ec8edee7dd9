/**
 * The tasks of a run that wait for others (a task list's `(after …)`): once
 * every task a pending task waits for has succeeded, its first attempt is
 * made, based on their pushed branches. With one dependency it starts from
 * that branch and its pull request targets it (a stacked PR); with several
 * it starts from the first one's branch with the others merged in
 * (pipeline/steps/prepare-workspace.ts) and targets the run's base.
 */
import { sqlExecutorOf, type OnQueued } from "./attempts.js";
import type { Db } from "./db.js";
import type { AttemptRecord } from "./records.js";
import { settleTaskAndRun } from "./settle.js";
import { toAttemptRecord } from "./to-record.js";
import { isUniqueViolation } from "./unique-violation.js";

/** The refs a dependent task starts from: the first dependency's branch, and the others' to merge into it. */
export interface DependencyBase {
  baseRef: string;
  mergeRefs: string[];
  /** The branch its PR targets; null: the run's. */
  prBase: string | null;
}

/**
 * The guarded move that lets exactly one pick of a council task go on: from
 * `picking` to `succeeded`. False when it is not waiting for a pick (another
 * pick won, or an attempt is still going). `releasePick` undoes it when the
 * pull request could not be opened.
 */
export async function claimPick(db: Db, params: { taskId: number }): Promise<boolean> {
  const { count } = await db.task.updateMany({ where: { id: params.taskId, mode: "council", state: "picking" }, data: { state: "succeeded" } });
  return count === 1;
}

export async function releasePick(db: Db, params: { taskId: number }): Promise<void> {
  await db.$transaction((tx) => settleTaskAndRun(tx, params.taskId));
}

/** Records the picked attempt's pull request, and settles its task (succeeded) and run. */
export async function recordPick(db: Db, params: { attemptId: number; pullRequestNumber: number; pullRequestUrl: string }): Promise<void> {
  const { attemptId, pullRequestNumber, pullRequestUrl } = params;
  await db.$transaction(async (tx) => {
    const attempt = await tx.attempt.update({ where: { id: attemptId }, data: { pullRequestNumber, pullRequestUrl }, select: { taskId: true } });
    await settleTaskAndRun(tx, attempt.taskId);
  });
}

/** Active runs that still have a task waiting for others, with their thread's number (for branch names). */
export async function findRunsWithWaitingTasks(db: Db): Promise<{ runId: number; threadNumber: number }[]> {
  const rows = await db.run.findMany({
    where: { state: "active", tasks: { some: { state: "pending" } } },
    select: { id: true, thread: { select: { number: true } } },
    orderBy: { id: "asc" },
  });
  return rows.map((row) => ({ runId: row.id, threadNumber: row.thread.number }));
}

/**
 * Makes the first attempt of every pending task of `runId` whose
 * dependencies have all succeeded, and returns them. Safe to call from
 * several hosts at once and again later: a task's first attempt is made once
 * (the (task, number) key), and a call that loses that race makes nothing.
 */
export async function startReadyTasks(
  db: Db,
  params: { runId: number; buildBranch: (taskKey: string) => string; onQueued?: OnQueued | undefined },
): Promise<AttemptRecord[]> {
  const { runId, buildBranch, onQueued } = params;
  try {
    return await db.$transaction(async (tx) => {
      const run = await tx.run.findUniqueOrThrow({
        where: { id: runId },
        include: { tasks: { orderBy: { id: "asc" }, include: { attempts: { orderBy: { number: "desc" }, take: 1 } } } },
      });
      const byKey = new Map(run.tasks.map((task) => [task.key, task]));
      const created: AttemptRecord[] = [];
      for (const task of run.tasks) {
        if (task.state !== "pending" || task.attempts.length > 0) continue;
        const deps = (JSON.parse(task.after) as string[]).map((key) => byKey.get(key));
        const heads = deps.map((dep) => (dep?.state === "succeeded" ? dep.attempts[0] : undefined));
        if (heads.length === 0 || heads.some((head) => head === undefined || head.headSha === null)) continue;
        const branches = heads.map((head) => head!.branch);
        const base: DependencyBase = {
          baseRef: `refs/heads/${branches[0]}`,
          mergeRefs: branches.slice(1).map((branch) => `refs/heads/${branch}`),
          prBase: branches.length === 1 ? branches[0]! : null,
        };
        await tx.task.update({
          where: { id: task.id },
          data: { baseRef: base.baseRef, mergeRefs: JSON.stringify(base.mergeRefs), prBase: base.prBase },
        });
        const attempt = await tx.attempt.create({
          data: {
            taskId: task.id,
            number: 1,
            agent: task.agent,
            state: "queued",
            requestedBy: run.requestedBy,
            prompt: task.prompt,
            branch: buildBranch(task.key),
          },
        });
        await settleTaskAndRun(tx, task.id);
        created.push(toAttemptRecord(attempt));
      }
      if (created.length > 0) await onQueued?.(sqlExecutorOf(tx), created.map((attempt) => attempt.id));
      return created;
    });
  } catch (error) {
    // Another host made them first.
    if (isUniqueViolation(error)) return [];
    throw error;
  }
}
