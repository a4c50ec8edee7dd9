/**
 * The attempt's log, written by orch from the agent's output.
 *
 * The agent never holds the log file: its stdout and stderr are pipes orch
 * reads, so the agent cannot replace the log with a link, a FIFO or a folder
 * (and the file lies outside its sandbox anyway). Every line passes the
 * redactor before it is written, so what the agent printed of a secret (its
 * own API key, say) is not on disk to be published later. Output past
 * `maxBytes` is left out, except its last `tailBytes`, which are written at
 * the end so the log's tail still shows how the agent ended.
 *
 * Reading pauses while too much is waiting to be written: an agent that
 * prints gigabytes is slowed to the speed of the disk, and orch's memory
 * stays bounded.
 */
import { constants } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";

/** How orch marks its own lines in a log ("[orch] started …", "[orch] exited …"). */
export const ORCH_LINE_PREFIX = "[orch] ";

/** The lines of a log's text that the process printed, without orch's own. */
export function printedLines(text: string): string[] {
  return text.split("\n").filter((line) => !line.startsWith(ORCH_LINE_PREFIX));
}

export const LOG_MAX_BYTES = 64 * 1024 * 1024;
export const LOG_TAIL_BYTES = 64 * 1024;
/** A line longer than this is written in pieces (a secret across a piece boundary is the price). */
const MAX_LINE_CHARS = 64 * 1024;
/** Queued text above which the agent's output is no longer read until it is written. */
const HIGH_WATER_CHARS = 1024 * 1024;

export interface AgentLogOptions {
  file: string;
  redact: (text: string) => Promise<string>;
  maxBytes?: number;
  tailBytes?: number;
}

export class AgentLog {
  private handle: FileHandle | undefined;
  private readonly queue: string[] = [];
  private queuedChars = 0;
  private flushing: Promise<void> = Promise.resolve();
  private written = 0;
  private dropped = 0;
  /** The newest output past the cap, at most tailBytes. */
  private tail = "";
  private readonly sources: Readable[] = [];
  private readonly maxBytes: number;
  private readonly tailBytes: number;

  private constructor(private readonly options: AgentLogOptions) {
    this.maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
    this.tailBytes = options.tailBytes ?? LOG_TAIL_BYTES;
  }

  /** Creates (or appends to) the log; refuses to follow a link at its path. */
  static async open(options: AgentLogOptions): Promise<AgentLog> {
    const log = new AgentLog(options);
    await mkdir(dirname(options.file), { recursive: true });
    log.handle = await open(options.file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o600);
    return log;
  }

  /** Reads `stream` into the log, line by line, until it ends. */
  follow(stream: Readable): Promise<void> {
    this.sources.push(stream);
    const decoder = new StringDecoder("utf8");
    let partial = "";
    return new Promise((resolve) => {
      const take = (text: string) => {
        partial += text;
        const cut = partial.lastIndexOf("\n");
        if (cut >= 0) {
          this.enqueue(partial.slice(0, cut + 1));
          partial = partial.slice(cut + 1);
        }
        while (partial.length > MAX_LINE_CHARS) {
          this.enqueue(partial.slice(0, MAX_LINE_CHARS));
          partial = partial.slice(MAX_LINE_CHARS);
        }
      };
      stream.on("data", (chunk: Buffer) => take(decoder.write(chunk)));
      const finish = () => {
        take(decoder.end());
        if (partial !== "") this.enqueue(`${partial}\n`);
        partial = "";
        resolve();
      };
      stream.once("end", finish);
      stream.once("error", finish);
    });
  }

  /** A line of orch's own (`[orch] …`), after everything read so far. */
  async note(line: string): Promise<void> {
    this.enqueue(`${ORCH_LINE_PREFIX}${line}\n`, { isOrch: true });
    await this.flushing;
  }

  /** Writes what is left (the kept tail too) and closes the file. Never throws. */
  async close(): Promise<void> {
    await this.flushing;
    if (this.dropped > 0) {
      const kept = this.tail.slice(this.tail.indexOf("\n") + 1);
      this.tail = "";
      this.enqueue(`${ORCH_LINE_PREFIX}${this.dropped} bytes of output were left out (the log keeps ${this.maxBytes} bytes and the last ${this.tailBytes})\n`, { isOrch: true });
      if (kept) this.enqueue(kept, { isOrch: true });
      await this.flushing;
    }
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  private enqueue(text: string, params: { isOrch?: boolean } = {}): void {
    if (!params.isOrch && this.written + this.queuedChars >= this.maxBytes) {
      this.dropped += Buffer.byteLength(text);
      this.tail = (this.tail + text).slice(-this.tailBytes);
      return;
    }
    this.queue.push(text);
    this.queuedChars += text.length;
    if (this.queuedChars > HIGH_WATER_CHARS) for (const source of this.sources) source.pause();
    this.flushing = this.flushing.then(() => this.flush());
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const text = this.queue.splice(0).join("");
    this.queuedChars = 0;
    try {
      const clean = await this.options.redact(text);
      if (this.handle) {
        await this.handle.write(clean);
        this.written += Buffer.byteLength(clean);
      }
    } catch {
      // The log is for humans; losing a piece of it must not lose the attempt.
    }
    for (const source of this.sources) source.resume();
  }
}
