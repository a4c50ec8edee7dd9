/**
 * Hosts sharing PostgreSQL each keep their attempts' logs on their own disk,
 * and the attempt page may be opened on another host (the web host). So
 * while an agent runs, its host copies the end of the log, redacted, into
 * the attempt's row, at most every MIRROR_EVERY_MS and only when it changed,
 * and once more when the agent has exited; the page and its live stream
 * show that copy for attempts whose files are elsewhere (web/).
 */
import type { Logger } from "pino";
import { readLogTail } from "../agents/log-tail.js";
import type { Store } from "../store/store.js";

/** What is copied: the page shows up to this much of another host's log. */
export const MIRROR_TAIL = { maxLines: 300, maxBytes: 32 * 1024 };
export const MIRROR_EVERY_MS = 2_000;

export interface LogMirror {
  /** Stops copying after one last copy (the agent's final lines); never rejects. */
  stop(): Promise<void>;
}

export function startLogMirror(params: {
  store: Pick<Store, "recordLogTail">;
  attemptId: number;
  logFile: string;
  redact: (text: string) => Promise<string>;
  log: Logger;
  everyMs?: number;
}): LogMirror {
  const { store, attemptId, logFile, redact, log } = params;
  const everyMs = params.everyMs ?? MIRROR_EVERY_MS;
  let copied: string | undefined;
  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const copy = async () => {
    try {
      const tail = await redact(await readLogTail(logFile, MIRROR_TAIL));
      if (tail === copied || (copied === undefined && tail === "")) return;
      await store.recordLogTail({ attemptId, logTail: tail });
      copied = tail;
    } catch (error) {
      // A missed copy only makes the other host's page a little older.
      log.warn({ err: error, attemptId }, "could not copy the log tail for other hosts");
    }
  };
  const tick = () => {
    inFlight = copy().finally(() => {
      if (!isStopped) timer = setTimeout(tick, everyMs);
    });
  };
  timer = setTimeout(tick, everyMs);
  return {
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await inFlight;
      await copy();
    },
  };
}
