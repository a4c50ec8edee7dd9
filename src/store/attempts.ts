import type { Prisma } from "../generated/postgres/client.js";
import type { Db, Provider } from "./db.js";
import type { AttemptContext, AttemptRecord } from "./records.js";
import { settleTaskAndRun } from "./settle.js";
import { toAttemptRecord, toRunRecord, toTaskRecord, toThreadRecord } from "./to-record.js";
import {
  ATTEMPT_STATES,
  attemptSourcesOf,
  isEnded,
  workspaceSourcesOf,
  type AttemptState,
  type WorkspaceState,
} from "./transitions.js";
import { isUniqueViolation } from "./unique-violation.js";

/** Fields the pipeline fills in as an attempt goes along. */
export type AttemptProgress = Partial<
  Pick<
    AttemptRecord,
    | "baseSha"
    | "headSha"
    | "worktreePath"
    | "checkRunId"
    | "reportedState"
    | "pid"
    | "host"
    | "startedAt"
    | "endedAt"
    | "exitCode"
    | "summary"
    | "pullRequestNumber"
    | "pullRequestUrl"
    | "verifyState"
    | "costUsd"
    | "diffStat"
    | "inputTokens"
    | "outputTokens"
  >
>;

export interface ConcurrencyLimits {
  /** In all, over every host sharing the database. */
  maxRunning: number;
  /** On the claiming host. */
  maxRunningPerHost: number;
  perRepository: number;
  perAgent: Readonly<Record<string, number>>;
}

/** Runs SQL inside a store transaction, for a queue that must enqueue in it (pg-boss's `db` option). */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Told, inside the transaction that queued them, of attempts that may now start; rolled back with it. */
export type OnQueued = (sql: SqlExecutor, attemptIds: number[]) => Promise<void>;

export function sqlExecutorOf(tx: Prisma.TransactionClient): SqlExecutor {
  return {
    executeSql: async (text, values = []) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }),
  };
}

const ENDED_STATES = ATTEMPT_STATES.filter(isEnded);

const withContext = { task: { include: { run: { include: { thread: true } } } } } as const;

type AttemptRow = Awaited<ReturnType<Db["attempt"]["findFirstOrThrow"]>>;
type ContextRow = AttemptRow & {
  task: Awaited<ReturnType<Db["task"]["findFirstOrThrow"]>> & {
    run: Awaited<ReturnType<Db["run"]["findFirstOrThrow"]>> & {
      thread: Awaited<ReturnType<Db["thread"]["findFirstOrThrow"]>>;
    };
  };
};

function toContext(row: ContextRow): AttemptContext {
  return {
    attempt: toAttemptRecord(row),
    task: toTaskRecord(row.task),
    run: toRunRecord(row.task.run),
    thread: toThreadRecord(row.task.run.thread),
  };
}

function toData(progress: AttemptProgress): Prisma.AttemptUpdateManyMutationInput {
  const { checkRunId, ...rest } = progress;
  return checkRunId === undefined ? rest : { ...rest, checkRunId: checkRunId === null ? null : BigInt(checkRunId) };
}

export async function findAttemptContext(db: Db, attemptId: number): Promise<AttemptContext | undefined> {
  const row = await db.attempt.findUnique({ where: { id: attemptId }, include: withContext });
  return row ? toContext(row) : undefined;
}

/** Attempts in the given states, oldest first, optionally only those held by one host. */
export async function listAttemptContexts(
  db: Db,
  params: { states: readonly AttemptState[]; host?: string },
): Promise<AttemptContext[]> {
  const rows = await db.attempt.findMany({
    where: { state: { in: [...params.states] }, ...(params.host === undefined ? {} : { host: params.host }) },
    orderBy: { id: "asc" },
    include: withContext,
  });
  return rows.map(toContext);
}

/**
 * Attempts for the operator's command line (`orch attempts`, `orch cleanup`),
 * newest first: optionally only some states, one repository, one workspace
 * state, or those that ended before a time; at most `limit`.
 */
export async function listAttempts(
  db: Db,
  params: {
    states?: readonly AttemptState[];
    repo?: { owner: string; repo: string };
    workspaceState?: WorkspaceState;
    endedBefore?: Date;
    limit: number;
  },
): Promise<AttemptContext[]> {
  const { states, repo, workspaceState, endedBefore, limit } = params;
  const rows = await db.attempt.findMany({
    where: {
      ...(states ? { state: { in: [...states] } } : {}),
      ...(workspaceState ? { workspaceState } : {}),
      ...(endedBefore ? { endedAt: { lte: endedBefore } } : {}),
      ...(repo ? { task: { run: { thread: { owner: repo.owner, repo: repo.repo } } } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit,
    include: withContext,
  });
  return rows.map(toContext);
}

/**
 * Ended attempts whose check run does not show their end yet: GitHub failed
 * when orch reported it (or orch stopped in between). Oldest first.
 */
export async function listUnreportedAttempts(db: Db, params: { limit: number }): Promise<AttemptContext[]> {
  const rows = await db.attempt.findMany({
    where: {
      state: { in: ENDED_STATES },
      // An attempt that never got a base commit has nothing GitHub could show.
      baseSha: { not: null },
      OR: [{ reportedState: null }, { reportedState: { in: ["queued", "running"] } }],
    },
    orderBy: { id: "asc" },
    take: params.limit,
    include: withContext,
  });
  return rows.map(toContext);
}

/**
 * Moves an attempt to `to` if, and only if, it is in a state allowed to move
 * there (see transitions.ts), recording `progress` with it. False when the
 * attempt had already moved on: another command or webhook won the race.
 */
export async function transitionAttempt(
  db: Db,
  params: { attemptId: number; to: AttemptState; progress?: AttemptProgress; /** Only while this lease holds it. */ lease?: string | null },
): Promise<boolean> {
  const { attemptId, to, progress = {}, lease } = params;
  return db.$transaction(async (tx) => {
    const { count } = await tx.attempt.updateMany({
      where: { id: attemptId, state: { in: attemptSourcesOf(to) }, ...(lease ? { lease } : {}) },
      data: { ...toData(progress), state: to },
    });
    if (count === 0) return false;
    const { taskId } = await tx.attempt.findUniqueOrThrow({ where: { id: attemptId }, select: { taskId: true } });
    await settleTaskAndRun(tx, taskId);
    return true;
  });
}

/** Records progress that is not a state change (sha, paths, ids). */
/** The end of the attempt's log as its running host last copied it (recordLogTail); null: none copied. */
export async function findLogTail(db: Db, attemptId: number): Promise<string | null> {
  const row = await db.attempt.findUnique({ where: { id: attemptId }, select: { logTail: true } });
  return row?.logTail ?? null;
}

/** Copies the end of a running attempt's log (already redacted) for hosts that do not have the file. */
export async function recordLogTail(db: Db, params: { attemptId: number; logTail: string }): Promise<void> {
  await db.attempt.update({ where: { id: params.attemptId }, data: { logTail: params.logTail }, select: { id: true } });
}

/** The end of the attempt's verify output as its host copied it (recordVerifyTail); null: none copied. */
export async function findVerifyTail(db: Db, attemptId: number): Promise<string | null> {
  const row = await db.attempt.findUnique({ where: { id: attemptId }, select: { verifyTail: true } });
  return row?.verifyTail ?? null;
}

/** Copies the end of an attempt's verify output (already redacted) for hosts that do not have the file. */
export async function recordVerifyTail(db: Db, params: { attemptId: number; verifyTail: string }): Promise<void> {
  await db.attempt.update({ where: { id: params.attemptId }, data: { verifyTail: params.verifyTail }, select: { id: true } });
}

export async function updateAttempt(db: Db, params: { attemptId: number; progress: AttemptProgress }): Promise<void> {
  await db.attempt.update({ where: { id: params.attemptId }, data: toData(params.progress) });
}

/** Moves a workspace to `to` if allowed from its current state; false otherwise. */
export async function transitionWorkspace(
  db: Db,
  params: { attemptId: number; to: WorkspaceState; worktreePath?: string },
): Promise<boolean> {
  const { count } = await db.attempt.updateMany({
    where: { id: params.attemptId, workspaceState: { in: workspaceSourcesOf(params.to) } },
    data: { workspaceState: params.to, ...(params.worktreePath ? { worktreePath: params.worktreePath } : {}) },
  });
  return count === 1;
}

export type NextAttemptResult =
  | { kind: "created"; attempt: AttemptRecord; previous: AttemptRecord }
  | { kind: "refused"; previous: AttemptRecord | undefined }
  /** A cap of its run stops it: which, and what was spent. */
  | ({ kind: "capped"; previous: AttemptRecord } & CapReached);

/**
 * Queues attempt n+1 of a task when its latest attempt n is in one of
 * `allowedFrom`. Racing callers (a comment and a button press, a redelivered
 * webhook) compute the same n+1; the (task, number) key lets exactly one win,
 * and the others get `refused` with the attempt that stopped them.
 */
export async function createNextAttempt(
  db: Db,
  params: {
    taskId: number;
    allowedFrom: readonly AttemptState[];
    /** Agent of the new attempt; the previous attempt's when left out. */
    agent?: string;
    prompt: string;
    feedback?: string;
    requestedBy: string;
    buildBranch: (attemptNumber: number) => string;
    /** Started by orch after a failed verify: k and n of "auto-retry k of n". */
    autoRetry?: { number: number; limit: number };
    onQueued?: OnQueued | undefined;
  },
): Promise<NextAttemptResult> {
  const { taskId, allowedFrom, agent, prompt, feedback, requestedBy, buildBranch, autoRetry, onQueued } = params;
  try {
    return await db.$transaction(async (tx) => {
      const latest = await tx.attempt.findFirst({ where: { taskId }, orderBy: { number: "desc" } });
      if (!latest || !allowedFrom.includes(latest.state as AttemptState)) {
        return { kind: "refused", previous: latest ? toAttemptRecord(latest) : undefined } as const;
      }
      const { run } = await tx.task.findUniqueOrThrow({
        where: { id: taskId },
        select: { run: { select: { id: true, createdAt: true, maxAttemptsPerTask: true, runTimeoutMs: true, maxCostUsd: true } } },
      });
      const cap = await findCapReached(tx, { run, attemptNumber: latest.number });
      if (cap) return { kind: "capped", ...cap, previous: toAttemptRecord(latest) } as const;
      const number = latest.number + 1;
      const created = await tx.attempt.create({
        data: {
          taskId,
          number,
          agent: agent ?? latest.agent,
          state: "queued",
          requestedBy,
          prompt,
          feedback: feedback ?? null,
          branch: buildBranch(number),
          // A retry in a council is another contender.
          council: latest.council,
          ...(autoRetry ? { autoRetry: autoRetry.number, autoRetryLimit: autoRetry.limit } : {}),
        },
      });
      await settleTaskAndRun(tx, taskId);
      await onQueued?.(sqlExecutorOf(tx), [created.id]);
      return { kind: "created", attempt: toAttemptRecord(created), previous: toAttemptRecord(latest) } as const;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const latest = await db.attempt.findFirst({ where: { taskId }, orderBy: { number: "desc" } });
    return { kind: "refused", previous: latest ? toAttemptRecord(latest) : undefined };
  }
}

/** What a run's caps say about one more attempt: the first cap it would pass, with what was spent. */
export type CapReached =
  | { cap: "max_attempts_per_task"; limit: number }
  | { cap: "max_cost_usd"; limit: number; spentUsd: number }
  | { cap: "run_timeout"; limitMs: number; startedAt: Date };

async function findCapReached(
  tx: Prisma.TransactionClient,
  params: { run: { id: number; createdAt: Date; maxAttemptsPerTask: number; runTimeoutMs: number | null; maxCostUsd: number | null }; attemptNumber: number },
): Promise<CapReached | undefined> {
  const { run, attemptNumber } = params;
  if (attemptNumber >= run.maxAttemptsPerTask) return { cap: "max_attempts_per_task", limit: run.maxAttemptsPerTask };
  if (run.runTimeoutMs !== null && Date.now() - run.createdAt.getTime() >= run.runTimeoutMs) {
    return { cap: "run_timeout", limitMs: run.runTimeoutMs, startedAt: run.createdAt };
  }
  if (run.maxCostUsd !== null) {
    const spentUsd = await spentOn(tx, run.id);
    if (spentUsd >= run.maxCostUsd) return { cap: "max_cost_usd", limit: run.maxCostUsd, spentUsd };
  }
  return undefined;
}

/** The usage a run's agents reported (its attempts and its councils' judges), in US dollars. */
export async function spentOn(db: Prisma.TransactionClient | Db, runId: number): Promise<number> {
  const attempts = await db.attempt.aggregate({ where: { task: { runId } }, _sum: { costUsd: true } });
  const judges = await db.task.aggregate({ where: { runId }, _sum: { judgeCostUsd: true } });
  return (attempts._sum.costUsd ?? 0) + (judges._sum.judgeCostUsd ?? 0);
}

/** Serialises slot claims across processes on PostgreSQL; SQLite transactions are serial already. */
async function lockClaims(tx: Prisma.TransactionClient, provider: Provider): Promise<void> {
  if (provider === "postgresql") await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(7104001)");
}

/**
 * Claims the oldest queued attempt that fits the concurrency limits (in all,
 * on this host, per repository and per agent, counted over every host) and
 * moves it to `running` on `host` under `lease`. On PostgreSQL the count and
 * the move happen under one advisory lock, so two hosts never both take the
 * last slot. Undefined when nothing is queued or every queued attempt would
 * exceed a limit.
 */
export async function claimNextQueued(
  db: Db,
  params: { host: string; lease: string; limits: ConcurrencyLimits; provider: Provider },
): Promise<AttemptContext | undefined> {
  const { host, lease, limits, provider } = params;
  return db.$transaction(async (tx) => {
    await lockClaims(tx, provider);
    const running = await tx.attempt.findMany({
      where: { state: "running" },
      select: { agent: true, host: true, task: { select: { run: { select: { thread: { select: { owner: true, repo: true } } } } } } },
    });
    if (running.length >= limits.maxRunning) return undefined;
    if (running.filter((r) => r.host === host).length >= limits.maxRunningPerHost) return undefined;
    const countBy = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const repoOf = (thread: { owner: string; repo: string }) => `${thread.owner}/${thread.repo}`;
    const byRepo = countBy(running.map((r) => repoOf(r.task.run.thread)));
    const byAgent = countBy(running.map((r) => r.agent));
    const queued = await tx.attempt.findMany({
      where: { state: "queued" },
      orderBy: { id: "asc" },
      take: 200,
      include: withContext,
    });
    const next = queued.find((row) => {
      const repoCount = byRepo.get(repoOf(row.task.run.thread)) ?? 0;
      const agentLimit = limits.perAgent[row.agent];
      return repoCount < limits.perRepository && (agentLimit === undefined || (byAgent.get(row.agent) ?? 0) < agentLimit);
    });
    if (!next) return undefined;
    const startedAt = new Date();
    const { count } = await tx.attempt.updateMany({
      where: { id: next.id, state: "queued" },
      data: { state: "running", host, lease, startedAt },
    });
    if (count === 0) return undefined;
    await settleTaskAndRun(tx, next.taskId);
    return toContext({ ...next, state: "running", host, lease, startedAt });
  });
}

/** How many attempts are queued: the queue's depth, for the scheduler and metrics. */
export async function countQueued(db: Db): Promise<number> {
  return db.attempt.count({ where: { state: "queued" } });
}
