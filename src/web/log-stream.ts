/**
 * The live log of a running attempt, as server-sent events: the page opens
 * `/attempts/<id>/events?token=…&from=<byte offset>` and gets
 *
 *     event: lines   data: {"lines": [...]}          id: the byte offset after them
 *     event: tail    data: {"lines": [...]}          another host's attempt: its copied tail, whole
 *     event: state   data: {"state", "label", "ended", "duration"}
 *     event: end     data: {}                         then the stream closes
 *
 * Lines are read from the log file as it grows (whole lines only, until the
 * attempt ends), cleaned the way the log tail is (agents/log-tail.ts) and
 * passed through the redactor. The `id` is the offset, so a browser that
 * reconnects (EventSource sends Last-Event-ID) resumes where it stopped. For
 * an attempt another host runs there is no file here: the tail that host
 * copies into the database (pipeline/log-mirror.ts) is sent whenever it changes.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type http from "node:http";
import { toDisplayLines } from "../agents/log-tail.js";
import type { AttemptRecord } from "../store/records.js";
import { isEnded } from "../store/transitions.js";
import { formatDuration } from "../duration.js";

/** At most this much of the log per read, so a flood of output is sent in pieces. */
const MAX_READ_BYTES = 256 * 1024;
/** How often the log file and the attempt's state are looked at. */
const POLL_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export interface LogChunk {
  /** Display lines (not yet redacted). */
  lines: string[];
  /** The byte offset after the last whole line read. */
  next: number;
}

/**
 * The whole lines of `file` from byte `from` (at most MAX_READ_BYTES); with
 * `isFinal`, a last line without its newline too. A missing file, a link or
 * anything but a regular file reads as nothing, as in readLogTail.
 */
export async function readLogLines(file: string, params: { from: number; isFinal?: boolean; maxBytes?: number }): Promise<LogChunk> {
  const { from } = params;
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ELOOP" || code === "ENXIO") return { lines: [], next: from };
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size <= from) return { lines: [], next: Math.min(from, stat.isFile() ? stat.size : from) };
    const length = Math.min(stat.size - from, params.maxBytes ?? MAX_READ_BYTES);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    let bytes = buffer.subarray(0, bytesRead);
    const isAll = from + bytesRead >= stat.size;
    if (!(params.isFinal && isAll)) {
      const lastNewline = bytes.lastIndexOf(0x0a);
      // One line longer than a whole read is sent in pieces rather than never.
      if (lastNewline >= 0) bytes = bytes.subarray(0, lastNewline + 1);
      else if (isAll) return { lines: [], next: from };
    }
    if (bytes.length === 0) return { lines: [], next: from };
    return { lines: toDisplayLines(bytes.toString("utf8").replace(/\n$/, "")), next: from + bytes.length };
  } finally {
    await handle.close();
  }
}

/** The last `maxLines` lines of the log before byte offset `end` of it, and that offset: where the live stream starts. */
export async function readLogTailAt(file: string, params: { maxLines: number; maxBytes: number }): Promise<{ lines: string[]; end: number }> {
  let size = 0;
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      size = stat.isFile() ? stat.size : 0;
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ELOOP" || code === "ENXIO") return { lines: [], end: 0 };
    throw error;
  }
  const start = Math.max(0, size - params.maxBytes);
  const chunk = await readLogLines(file, { from: start, maxBytes: size - start });
  // A window that starts inside a line drops that cut line.
  const lines = start > 0 ? chunk.lines.slice(1) : chunk.lines;
  return { lines: lines.slice(-params.maxLines), end: chunk.next };
}

export interface StateEvent {
  state: AttemptRecord["state"];
  label: string;
  /** ISO time; null while it runs. */
  ended: string | null;
  duration: string;
}

/** What the page shows of the attempt's state, also used for its first render. */
export function toStateEvent(attempt: Pick<AttemptRecord, "state" | "startedAt" | "endedAt">, now: Date): StateEvent {
  return {
    state: attempt.state,
    label: attempt.state.replace("_", " "),
    ended: attempt.endedAt ? attempt.endedAt.toISOString() : null,
    duration: attempt.startedAt ? formatDuration((attempt.endedAt ?? now).getTime() - attempt.startedAt.getTime()) : "–",
  };
}

/**
 * Streams the attempt's new log lines and state changes to `response` until
 * the attempt ends (then its last lines, `end`, and close) or the browser
 * goes away. `findAttempt` reads the state; `redact` every line sent.
 */
export async function streamAttemptLog(params: {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  /** The log on this host's disk; undefined: the attempt's files are on another host. */
  logFile: string | undefined;
  /** Another host's attempt: the tail it copied. */
  findLogTail?: () => Promise<string | null>;
  from: number;
  findAttempt: () => Promise<Pick<AttemptRecord, "state" | "startedAt" | "endedAt"> | undefined>;
  redact: (text: string) => Promise<string>;
  headers: Record<string, string>;
}): Promise<void> {
  const { request, response, logFile, findAttempt, redact } = params;
  response.writeHead(200, { ...params.headers, "content-type": "text/event-stream; charset=utf-8", "x-accel-buffering": "no" });
  response.write("retry: 2000\n\n");
  let offset = params.from;
  let lastState = "";
  let isClosed = false;
  request.once("close", () => (isClosed = true));
  response.once("close", () => (isClosed = true));
  const send = (event: string, data: unknown, id?: number) => {
    response.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  let lastTail: string | null = null;
  const sendLines = async (isFinal: boolean) => {
    if (!logFile) {
      const tail = (await params.findLogTail?.()) ?? null;
      if (tail === null || tail === lastTail) return;
      lastTail = tail;
      if (!isClosed) send("tail", { lines: (await redact(tail)).split("\n") });
      return;
    }
    for (;;) {
      const chunk = await readLogLines(logFile, { from: offset, isFinal });
      if (chunk.next === offset) return;
      offset = chunk.next;
      const lines = (await redact(chunk.lines.join("\n"))).split("\n");
      if (!isClosed) send("lines", { lines }, offset);
      if (isClosed) return;
    }
  };
  let quietSince = Date.now();
  while (!isClosed) {
    const attempt = await findAttempt();
    if (!attempt) break;
    const ended = isEnded(attempt.state);
    await sendLines(ended);
    const state = toStateEvent(attempt, new Date());
    if (state.state !== lastState) {
      lastState = state.state;
      send("state", state);
      quietSince = Date.now();
    }
    if (ended) {
      send("end", {});
      break;
    }
    if (Date.now() - quietSince > KEEPALIVE_MS) {
      response.write(": keep-alive\n\n");
      quietSince = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  response.end();
}
