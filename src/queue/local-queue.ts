/**
 * The queue of one process (SQLite, ORCH_ROLE=all): the queued rows are the
 * queue, the scheduler is woken directly, and there is no other host to
 * send anything to.
 */
import type { QueueHandlers, WorkQueue } from "./work-queue.js";

export function createLocalQueue(): WorkQueue {
  let handlers: QueueHandlers = {};
  return {
    onQueued: undefined,
    async start(given) {
      handlers = given;
    },
    async sendControl() {
      return false;
    },
    async announceFreeSlot() {
      handlers.wake?.();
    },
    async stop() {
      handlers = {};
    },
  };
}
