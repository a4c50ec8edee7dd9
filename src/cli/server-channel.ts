/**
 * How the command line reaches the running server(s), which alone can stop
 * an agent they run or start a queued attempt:
 *
 * - SQLite: one `npm start` on this machine, whose local queue listens on
 *   `<ORCH_HOME>/control.sock` (queue/control-socket.ts). Nothing listening
 *   means no server runs: the caller acts in the store itself.
 * - PostgreSQL: the hosts' own queue (queue/pg-queue.ts), used as a sender
 *   only: control messages go to the holding host's queue, new attempts get
 *   their start job in the transaction that queues them (onQueued), and a
 *   wake-up is the hosts' NOTIFY.
 */
import type { Logger } from "pino";
import type { RouteToHost } from "../pipeline/cancel-attempt.js";
import { controlSocketPath, sendControlRequest } from "../queue/control-socket.js";
import { createPgQueue } from "../queue/pg-queue.js";
import type { Settings } from "../settings.js";
import type { OnQueued } from "../store/store.js";

export interface ServerChannel {
  /** For the store: what makes a new queued attempt's start known to the hosts (PostgreSQL). */
  onQueued: OnQueued | undefined;
  /** Sends a control message to the host that holds the attempt; false when no server listens (SQLite). */
  route: RouteToHost;
  /** Tells the server(s) to look for queued attempts that may start now; false when no server listens (SQLite). */
  wake(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openServerChannel(params: { settings: Settings; log: Logger }): Promise<ServerChannel> {
  const { settings, log } = params;
  if (settings.databaseProvider === "postgresql") {
    // pg-boss queue names take [A-Za-z0-9_-]; this process makes no queue of its own.
    const queue = createPgQueue({ connectionString: settings.databaseUrl, host: "operator-cli" });
    await queue.start({}, log);
    return {
      onQueued: queue.onQueued,
      route: (host, message) => queue.sendControl(host, message),
      wake: async () => {
        await queue.announceFreeSlot();
        return true;
      },
      close: () => queue.stop(),
    };
  }
  const socketPath = controlSocketPath(settings.home);
  return {
    onQueued: undefined,
    route: async (_host, message) => {
      const result = await sendControlRequest(socketPath, message);
      if (result.kind === "failed") throw new Error(`the running orch could not ${message.kind} attempt ${message.attemptId}: ${result.error}`);
      return result.kind === "done";
    },
    wake: async () => {
      const result = await sendControlRequest(socketPath, { kind: "wake" });
      if (result.kind === "failed") throw new Error(`the running orch did not take the wake-up: ${result.error}`);
      return result.kind === "done";
    },
    close: async () => {},
  };
}
