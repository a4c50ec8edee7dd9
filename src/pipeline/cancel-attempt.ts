import type { AttemptContext } from "../store/records.js";
import type { PipelineDeps } from "./deps.js";
import type { CancelReason, Scheduler } from "./scheduler.js";

export type CancelResult =
  /** It was queued and will never start; it is `cancelled` now. */
  | "cancelled"
  /** Its agent is being stopped here; the pipeline records `cancelled` when the process group is gone. */
  | "stopping"
  /** It had already ended (or another command cancelled it first). */
  | "already_ended";

/**
 * Cancels one attempt. A queued attempt is cancelled in the store. A running
 * one is aborted in the process that runs it, which kills the agent's process
 * group (SIGTERM, then SIGKILL after the grace period) and records the end.
 * A running attempt no process here holds (claimed a moment ago, or left by
 * a crash) is cancelled in the store and reported directly.
 */
export async function cancelAttempt(
  deps: Pick<PipelineDeps, "store" | "reporter"> & { scheduler: Pick<Scheduler, "cancel"> },
  params: { context: AttemptContext; reason: CancelReason },
): Promise<CancelResult> {
  const { store, scheduler, reporter } = deps;
  const { context, reason } = params;
  const { attempt } = context;
  if (scheduler.cancel(attempt.id, reason)) return "stopping";
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
