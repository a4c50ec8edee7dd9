/**
 * How hosts that share a database hand each other work: the start of every
 * queued attempt (any host that runs agents may take it), messages to one
 * host (cancel or clean up an attempt whose agent or worktree it holds), and
 * a wake-up when a slot frees. On one host (SQLite) all of this stays in the
 * process (local-queue.ts); on PostgreSQL it is pg-boss plus LISTEN/NOTIFY
 * (pg-queue.ts).
 */
import type { Logger } from "pino";
import type { OnQueued } from "../store/store.js";

/** What one host asks another to do with an attempt it holds. */
export type ControlMessage =
  | { kind: "cancel"; attemptId: number; by?: string; why: string }
  | { kind: "cleanup"; attemptId: number }
  | { kind: "verify"; attemptId: number };

/** What a host does with the work the queue brings it. */
export interface QueueHandlers {
  /**
   * Starts what may start here; resolves true when attempt `attemptId` is no
   * longer queued (started here or elsewhere, or ended), false to be asked
   * again later. Absent on a host that runs no agents.
   */
  start?: (attemptId: number) => Promise<boolean>;
  /** A slot may have freed somewhere: look for queued attempts that fit now. */
  wake?: () => void;
  /** A message for this host. */
  control?: (message: ControlMessage) => Promise<void>;
}

export interface WorkQueue {
  /** Given to the store: records the start of new queued attempts in the transaction that queues them. */
  readonly onQueued: OnQueued | undefined;
  start(handlers: QueueHandlers, log: Logger): Promise<void>;
  /** Sends `message` to host `host`; false when this queue reaches no other host. */
  sendControl(host: string, message: ControlMessage): Promise<boolean>;
  /** Tells every host a slot may have freed (an attempt ended, a host died). */
  announceFreeSlot(): Promise<void>;
  stop(): Promise<void>;
}
