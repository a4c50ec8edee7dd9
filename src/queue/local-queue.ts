/**
 * The queue of one process (SQLite, ORCH_ROLE=all): the queued rows are the
 * queue, the scheduler is woken directly, and there is no other host to
 * send anything to. With `socketPath` (npm start gives `<ORCH_HOME>/control.sock`)
 * it also takes the operator's command line's control messages and wake-ups
 * over a unix socket (control-socket.ts), so `npx orch cancel` stops an
 * agent this process runs and `npx orch retry` starts at once.
 */
import { listenControlSocket, type ControlSocketServer } from "./control-socket.js";
import type { QueueHandlers, WorkQueue } from "./work-queue.js";

export function createLocalQueue(params: { socketPath?: string } = {}): WorkQueue {
  let handlers: QueueHandlers = {};
  let socket: ControlSocketServer | undefined;
  return {
    onQueued: undefined,
    async start(given, log) {
      handlers = given;
      if (!params.socketPath) return;
      socket = await listenControlSocket({
        socketPath: params.socketPath,
        handle: async (request) => {
          if (request.kind === "wake") handlers.wake?.();
          else await handlers.control?.(request);
        },
        warn: (message, error) => log.warn(error === undefined ? {} : { err: error }, message),
      });
    },
    async sendControl() {
      return false;
    },
    async announceFreeSlot() {
      handlers.wake?.();
    },
    async stop() {
      handlers = {};
      await socket?.close();
      socket = undefined;
    },
  };
}
