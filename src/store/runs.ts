import { sqlExecutorOf, type OnQueued } from "./attempts.js";
import type { Db } from "./db.js";
import type { RunView, TaskMode, ThreadView, VerifySettings } from "./records.js";
import { toAttemptRecord, toRunRecord, toTaskRecord, toThreadRecord } from "./to-record.js";

export interface NewTask {
  key: string;
  prompt: string;
  agent: string;
  /** Branch of the task's first attempt. */
  branch: string;
  /** Default `change`. */
  mode?: TaskMode;
  /** A council: its first attempts, all queued at once (`agent` and `branch` above are then the first's). */
  council?: { agent: string; branch: string }[];
  /** A council's judge agent (the server's `council.judge`), and whether orch picks its top-ranked candidate itself. */
  judge?: string;
  autoPick?: boolean;
  /** Keys of tasks of the same run it waits for: its first attempt is made once they all succeeded (startReadyTasks). */
  after?: string[];
}

const withTasksAndAttempts = {
  tasks: { orderBy: { id: "asc" }, include: { attempts: { orderBy: { number: "asc" } } } },
} as const;

type RunRow = Awaited<ReturnType<Db["run"]["findFirstOrThrow"]>> & {
  tasks: (Awaited<ReturnType<Db["task"]["findFirstOrThrow"]>> & {
    attempts: Awaited<ReturnType<Db["attempt"]["findFirstOrThrow"]>>[];
  })[];
};

function toRunView(row: RunRow): RunView {
  return {
    ...toRunRecord(row),
    tasks: row.tasks.map((task) => ({ ...toTaskRecord(task), attempts: task.attempts.map(toAttemptRecord) })),
  };
}

/**
 * Records a run with its tasks in one transaction: each task that waits for
 * no other gets a queued first attempt; the others stay `pending` until
 * startReadyTasks makes theirs.
 */
export async function createRun(
  db: Db,
  params: {
    threadId: number;
    requestedBy: string;
    baseRef: string;
    prBase: string;
    draft: boolean;
    verify?: VerifySettings | undefined;
    /** Default: the column's (10). */
    maxAttemptsPerTask?: number;
    runTimeoutMs?: number | undefined;
    maxCostUsd?: number | undefined;
    tasks: NewTask[];
    onQueued?: OnQueued | undefined;
  },
): Promise<RunView> {
  const { threadId, requestedBy, baseRef, prBase, draft, verify, maxAttemptsPerTask, runTimeoutMs, maxCostUsd, tasks, onQueued } = params;
  return db.$transaction(async (tx) => {
    const row = await tx.run.create({
      data: {
        threadId,
        requestedBy,
        baseRef,
        prBase,
        draft,
        verify: verify ? JSON.stringify(verify) : null,
        ...(maxAttemptsPerTask === undefined ? {} : { maxAttemptsPerTask }),
        runTimeoutMs: runTimeoutMs ?? null,
        maxCostUsd: maxCostUsd ?? null,
        state: "active",
        tasks: {
          create: tasks.map((task) => {
            const after = task.after ?? [];
            const firsts = task.council ?? [{ agent: task.agent, branch: task.branch }];
            const common = {
              key: task.key,
              prompt: task.prompt,
              agent: task.agent,
              mode: task.mode ?? "change",
              councilSize: task.council?.length ?? 0,
              judge: task.judge ?? null,
              autoPick: task.autoPick ?? false,
              after: JSON.stringify(after),
            };
            if (after.length > 0) return { ...common, state: "pending" };
            return {
              ...common,
              state: "queued",
              attempts: {
                create: firsts.map((first, index) => ({
                  number: index + 1,
                  agent: first.agent,
                  state: "queued",
                  requestedBy,
                  prompt: task.prompt,
                  branch: first.branch,
                  council: task.council !== undefined,
                })),
              },
            };
          }),
        },
      },
      include: withTasksAndAttempts,
    });
    await onQueued?.(sqlExecutorOf(tx), row.tasks.flatMap((task) => task.attempts.map((attempt) => attempt.id)));
    return toRunView(row);
  });
}

/** One run of a thread (the newest when runId is left out), with its tasks and attempts. */
export async function findRun(db: Db, params: { threadId: number; runId?: number }): Promise<RunView | undefined> {
  const { threadId, runId } = params;
  const row = await db.run.findFirst({
    where: { threadId, ...(runId === undefined ? {} : { id: runId }) },
    orderBy: { id: "desc" },
    include: withTasksAndAttempts,
  });
  return row ? toRunView(row) : undefined;
}

/**
 * The thread with its newest runs: what the status comment shows. A fixed
 * number of queries however many attempts the database holds elsewhere.
 */
export async function getThreadView(db: Db, params: { threadId: number; maxRuns: number }): Promise<ThreadView> {
  const thread = await db.thread.findUniqueOrThrow({
    where: { id: params.threadId },
    include: { runs: { orderBy: { id: "desc" }, take: params.maxRuns, include: withTasksAndAttempts } },
  });
  return { thread: toThreadRecord(thread), runs: thread.runs.map(toRunView) };
}

/** Active runs of a thread (for cancel-on-close and the cancel label). */
export async function findActiveRuns(db: Db, threadId: number): Promise<RunView[]> {
  const rows = await db.run.findMany({
    where: { threadId, state: "active" },
    orderBy: { id: "asc" },
    include: withTasksAndAttempts,
  });
  return rows.map(toRunView);
}
