/**
 * The hosts sharing this database: each one's heartbeat, and the guarded
 * moves that declare a silent host dead and take its running attempts from
 * it. A host's `incarnation` changes at every start (and when a host declared
 * dead comes back); the attempts it claims carry it as their `lease`, so an
 * attempt is held by exactly one incarnation, and one that lost its lease can
 * tell (holdsLease) before it pushes or reports anything.
 */
import type { Db } from "./db.js";
import type { AttemptContext } from "./records.js";
import { transitionAttempt } from "./attempts.js";
import { findAttemptContext } from "./attempts.js";

export type HostRole = "all" | "web" | "worker";

export interface HostRecord {
  id: string;
  role: HostRole;
  incarnation: string;
  state: "alive" | "dead";
  startedAt: Date;
  lastSeenAt: Date;
  diedAt: Date | null;
}

function toHostRecord(row: Awaited<ReturnType<Db["host"]["findFirstOrThrow"]>>): HostRecord {
  return { ...row, role: row.role as HostRole, state: row.state as HostRecord["state"] };
}

/** Records this host as alive under a new incarnation (a restart or a comeback). */
export async function registerHost(db: Db, params: { id: string; role: HostRole; incarnation: string; now: Date }): Promise<HostRecord> {
  const { id, role, incarnation, now } = params;
  const data = { role, incarnation, state: "alive", startedAt: now, lastSeenAt: now, diedAt: null };
  return toHostRecord(await db.host.upsert({ where: { id }, create: { id, ...data }, update: data }));
}

/**
 * This incarnation is still alive: true and its heartbeat recorded; false when
 * another host declared it dead (or it was replaced), so it holds no lease.
 */
export async function heartbeat(db: Db, params: { id: string; incarnation: string; now: Date }): Promise<boolean> {
  const { count } = await db.host.updateMany({
    where: { id: params.id, incarnation: params.incarnation, state: "alive" },
    data: { lastSeenAt: params.now },
  });
  return count === 1;
}

/**
 * Declares dead every host silent for longer than `ttlMs`, each in a guarded
 * move (alive, same incarnation, still silent), so of several hosts reaping
 * at once exactly one declares each. Returns the hosts this call declared.
 */
export async function declareDeadHosts(db: Db, params: { ttlMs: number; now: Date }): Promise<HostRecord[]> {
  const cutoff = new Date(params.now.getTime() - params.ttlMs);
  const silent = await db.host.findMany({ where: { state: "alive", lastSeenAt: { lt: cutoff } } });
  const declared: HostRecord[] = [];
  for (const host of silent) {
    const { count } = await db.host.updateMany({
      where: { id: host.id, incarnation: host.incarnation, state: "alive", lastSeenAt: { lt: cutoff } },
      data: { state: "dead", diedAt: params.now },
    });
    if (count === 1) declared.push(toHostRecord({ ...host, state: "dead", diedAt: params.now }));
  }
  return declared;
}

/**
 * Moves the running attempts that `incarnation` of `host` holds to `lost`,
 * with `summary`. Returns the ones this call moved, as recorded now.
 */
export async function loseAttemptsOf(db: Db, params: { host: string; incarnation: string; summary: string; now: Date }): Promise<AttemptContext[]> {
  const rows = await db.attempt.findMany({ where: { state: "running", host: params.host, lease: params.incarnation }, select: { id: true } });
  const lost: AttemptContext[] = [];
  for (const { id } of rows) {
    const moved = await transitionAttempt(db, { attemptId: id, to: "lost", progress: { endedAt: params.now, summary: params.summary } });
    const context = moved ? await findAttemptContext(db, id) : undefined;
    if (context) lost.push(context);
  }
  return lost;
}

/** Whether `lease` still holds the attempt: it is running and was claimed under that incarnation. */
export async function holdsLease(db: Db, params: { attemptId: number; lease: string }): Promise<boolean> {
  return (await db.attempt.count({ where: { id: params.attemptId, state: "running", lease: params.lease } })) === 1;
}

export async function findHost(db: Db, id: string): Promise<HostRecord | undefined> {
  const row = await db.host.findUnique({ where: { id } });
  return row ? toHostRecord(row) : undefined;
}

export async function listHosts(db: Db): Promise<HostRecord[]> {
  return (await db.host.findMany({ orderBy: { id: "asc" } })).map(toHostRecord);
}
