import type { ControlMessage } from "../queue/work-queue.js";
import type { AttemptContext } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { PipelineDeps } from "./deps.js";
import type { CancelReason, Scheduler } from "./scheduler.js";

export type CancelResult =
  /** It was queued and will never start; it is `cancelled` now. */
  | "cancelled"
  /** Its agent is being stopped (here, or by the host that runs it); that pipeline records `cancelled` when it is gone. */
  | "stopping"
  /** It had already ended (or another command cancelled it first). */
  | "already_ended";

/** Reaching the host that holds an attempt; false when it cannot be reached (it is dead, or there is no other host). */
export type RouteToHost = (host: string, message: ControlMessage) => Promise<boolean>;

/**
 * Cancels one attempt. A queued attempt is cancelled in the store. A running
 * one is aborted by the host that runs it: here directly, on another live
 * host through that host's queue; its pipeline kills the agent (SIGTERM,
 * then SIGKILL after the grace period) and records the end. A running
 * attempt nobody holds any more (claimed a moment ago, left by a crash, or
 * its host is dead) is cancelled in the store and reported directly.
 */
export async function cancelAttempt(
  deps: Pick<PipelineDeps, "store" | "reporter"> & {
    store: Pick<Store, "findHost">;
    scheduler: Pick<Scheduler, "cancel">;
    /** This host's id. */
    host: string;
    route: RouteToHost;
  },
  params: { context: AttemptContext; reason: CancelReason },
): Promise<CancelResult> {
  const { store, scheduler, reporter, host, route } = deps;
  const { context, reason } = params;
  const { attempt } = context;
  if (scheduler.cancel(attempt.id, reason)) return "stopping";
  const holder = attempt.state === "running" ? attempt.host : null;
  if (holder && holder !== host && (await store.findHost(holder))?.state === "alive") {
    if (await route(holder, { kind: "cancel", attemptId: attempt.id, why: reason.why, ...(reason.by ? { by: reason.by } : {}) })) return "stopping";
  }
  const moved = await store.transitionAttempt({
    attemptId: attempt.id,
    to: "cancelled",
    progress: { endedAt: new Date(), summary: reason.why },
  });
  if (!moved) {
    // Claimed between our read and now: the scheduler may hold it by now.
    return scheduler.cancel(attempt.id, reason) ? "stopping" : "already_ended";
  }
  const recorded = await store.findAttemptContext(attempt.id);
  if (recorded?.attempt.checkRunId != null) await reporter.complete(recorded);
  return "cancelled";
}
