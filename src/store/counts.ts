/**
 * Small counts over every host's attempts, for /metrics: a scrape runs them
 * (each one indexed query), so the numbers are the database's, the same
 * whichever host answers.
 */
import type { Db } from "./db.js";
import { ATTEMPT_STATES, type AttemptState } from "./transitions.js";

/** How many attempts are in each state now, every state listed (0 when none). */
export async function countAttemptsByState(db: Db): Promise<Record<AttemptState, number>> {
  const counts = Object.fromEntries(ATTEMPT_STATES.map((state) => [state, 0])) as Record<AttemptState, number>;
  const rows = await db.attempt.groupBy({ by: ["state"], _count: { _all: true } });
  for (const row of rows) counts[row.state as AttemptState] = row._count._all;
  return counts;
}

/** Running attempts by the host that holds them; every host recorded alive is listed, with 0 when it runs none. */
export async function countRunningByHost(db: Db): Promise<Record<string, number>> {
  const [alive, rows] = await Promise.all([
    db.host.findMany({ where: { state: "alive" }, select: { id: true } }),
    db.attempt.groupBy({ by: ["host"], where: { state: "running" }, _count: { _all: true } }),
  ]);
  const counts: Record<string, number> = Object.fromEntries(alive.map(({ id }) => [id, 0]));
  for (const row of rows) counts[row.host ?? ""] = row._count._all;
  return counts;
}
