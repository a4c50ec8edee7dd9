/**
 * A council's judge in the store: the guarded moves that let it run exactly
 * once for a task's current attempts, whatever races (two attempts ending at
 * once, a redelivered webhook, several hosts reconciling):
 *
 *   none ──claimJudging──▶ judging ──recordJudgement──▶ ranked | failed
 *     ▲                       │
 *     └──releaseJudging───────┘  (its host died or restarted: judged again)
 *
 * A council that runs again (a retry) goes back to `none` in settle.ts, which
 * also makes a judge still running for the old attempts unable to record: its
 * claim (`judgeLease`) is gone.
 */
import type { Db } from "./db.js";

/** What `judgeRanking` holds (JSON). */
interface StoredJudgement {
  order: number[];
  ranking?: { attempt: number; reason: string }[];
  autoPicked?: number;
}

/**
 * Claims the judging of a council task from `none`: only while it waits for
 * a pick (every attempt ended, one or more succeeded, none picked). Records
 * the shuffled order (candidate k is attempt `order[k-1]`). False: another
 * host or report got there first, or the task moved on.
 */
export async function claimJudging(db: Db, params: { taskId: number; host: string; lease: string; order: number[] }): Promise<boolean> {
  const { taskId, host, lease, order } = params;
  const stored: StoredJudgement = { order };
  const { count } = await db.task.updateMany({
    where: { id: taskId, mode: "council", state: "picking", judgeState: "none" },
    data: { judgeState: "judging", judgeHost: host, judgeLease: lease, judgeRanking: JSON.stringify(stored), judgeNote: null, judgedAt: null },
  });
  return count === 1;
}

/**
 * Records the judge's end under its claim: `ranked` with the ranking mapped
 * to attempt numbers, or `failed` with why. False when the claim is gone (a
 * retry made the ranking stale, or it was released): nothing is written.
 */
export async function recordJudgement(
  db: Db,
  params: { taskId: number; lease: string; order: number[]; usage?: { costUsd?: number; inputTokens?: number; outputTokens?: number } | undefined } & (
    | { state: "ranked"; ranking: { attempt: number; reason: string }[] }
    | { state: "failed"; note: string }
  ),
): Promise<boolean> {
  const { taskId, lease, order, usage } = params;
  const stored: StoredJudgement = params.state === "ranked" ? { order, ranking: params.ranking } : { order };
  const { count } = await db.task.updateMany({
    where: { id: taskId, judgeState: "judging", judgeLease: lease },
    data: {
      judgeState: params.state,
      judgeRanking: JSON.stringify(stored),
      judgeNote: params.state === "failed" ? params.note : null,
      judgedAt: new Date(),
      // Added to what earlier runs of the judge spent (before a retry in the council): spent is spent.
      judgeCostUsd: { increment: usage?.costUsd ?? 0 },
      judgeInputTokens: { increment: usage?.inputTokens ?? 0 },
      judgeOutputTokens: { increment: usage?.outputTokens ?? 0 },
    },
  });
  return count === 1;
}

/** After an auto_pick: the attempt orch picked from the ranking, or why it picked none (`note`). */
export async function recordAutoPick(db: Db, params: { taskId: number; lease: string } & ({ attempt: number } | { note: string })): Promise<void> {
  const row = await db.task.findFirst({ where: { id: params.taskId, judgeState: "ranked", judgeLease: params.lease }, select: { judgeRanking: true } });
  if (!row?.judgeRanking) return;
  const stored = JSON.parse(row.judgeRanking) as StoredJudgement;
  const data = "attempt" in params ? { judgeRanking: JSON.stringify({ ...stored, autoPicked: params.attempt }) } : { judgeNote: params.note };
  await db.task.updateMany({ where: { id: params.taskId, judgeState: "ranked", judgeLease: params.lease }, data });
}

/**
 * Puts back to `none` the judging that `host` had claimed (it restarted, or
 * was declared dead): its judge process died with it, so the task is judged
 * again. Returns the tasks released.
 */
export async function releaseJudging(db: Db, params: { host: string }): Promise<number[]> {
  const rows = await db.task.findMany({ where: { judgeState: "judging", judgeHost: params.host }, select: { id: true, judgeLease: true } });
  const released: number[] = [];
  for (const row of rows) {
    const { count } = await db.task.updateMany({
      where: { id: row.id, judgeState: "judging", judgeLease: row.judgeLease },
      data: { judgeState: "none", judgeHost: null, judgeLease: null },
    });
    if (count === 1) released.push(row.id);
  }
  return released;
}

/** Council tasks that wait for a pick and that no judge has looked at, with a judge recorded: where to look for work. */
export async function findCouncilsToJudge(db: Db): Promise<{ threadId: number; runId: number; taskId: number }[]> {
  const rows = await db.task.findMany({
    where: { mode: "council", state: "picking", judgeState: "none", judge: { not: null } },
    select: { id: true, runId: true, run: { select: { threadId: true } } },
    orderBy: { id: "asc" },
    take: 100,
  });
  return rows.map((row) => ({ threadId: row.run.threadId, runId: row.runId, taskId: row.id }));
}
