/**
 * Whose turn it is to publish a thread's status comment, across processes
 * (hosts, and the command line beside a server). pipeline/status-reporter.ts
 * uses it so that two processes never write one comment at once, and the last
 * write is always made from a read that began after every request:
 *
 *   request ──▶ statusWanted + 1
 *   claim   ──▶ holds the turn until `until` (free, expired, or already ours)
 *   release ──▶ frees it, unless a request came since the holder read the thread
 *
 * A holder knows `statusWanted` before it reads the thread, publishes, and
 * publishes again while its release finds a newer request; a process that
 * finds the turn taken leaves its request to the holder. A host that restarts
 * or is declared dead loses its turns (releaseStatusTurns), and any claim expires.
 */
import type { Db } from "./db.js";

/** Asks for the thread's status comment to be published; returns the request's number. */
export async function requestStatus(db: Db, threadId: number): Promise<number> {
  const row = await db.thread.update({ where: { id: threadId }, data: { statusWanted: { increment: 1 } }, select: { statusWanted: true } });
  return row.statusWanted;
}

/** The number of the latest request to publish the thread's status comment. */
export async function findStatusWanted(db: Db, threadId: number): Promise<number> {
  const row = await db.thread.findUnique({ where: { id: threadId }, select: { statusWanted: true } });
  return row?.statusWanted ?? 0;
}

/** Takes (or renews) the turn to publish until `until`. False: another process holds it. */
export async function claimStatusTurn(db: Db, params: { threadId: number; host: string; lease: string; now: Date; until: Date }): Promise<boolean> {
  const { threadId, host, lease, now, until } = params;
  const { count } = await db.thread.updateMany({
    where: { id: threadId, OR: [{ statusLease: null }, { statusLease: lease }, { statusHeldUntil: { lt: now } }] },
    data: { statusHost: host, statusLease: lease, statusHeldUntil: until },
  });
  return count === 1;
}

/**
 * Gives the turn back once the holder has published every request up to
 * `seen`. False, and still held: a request came meanwhile (publish again),
 * or the turn is not `lease`'s any more.
 */
export async function releaseStatusTurn(db: Db, params: { threadId: number; lease: string; seen: number }): Promise<boolean> {
  const { count } = await db.thread.updateMany({
    where: { id: params.threadId, statusLease: params.lease, statusWanted: { lte: params.seen } },
    data: { statusHost: null, statusLease: null, statusHeldUntil: null },
  });
  return count === 1;
}

/** Frees every turn `host` holds, except its current process's `keep` (a restart, or a host declared dead); returns how many. */
export async function releaseStatusTurns(db: Db, params: { hosts: readonly string[]; keep?: string }): Promise<number> {
  if (params.hosts.length === 0) return 0;
  const { count } = await db.thread.updateMany({
    where: { statusHost: { in: [...params.hosts] }, ...(params.keep ? { NOT: { statusLease: params.keep } } : {}) },
    data: { statusHost: null, statusLease: null, statusHeldUntil: null },
  });
  return count;
}
