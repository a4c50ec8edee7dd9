/**
 * The end of an agent's log, as plain text for a check run summary or a status
 * page. Logs can be gigabytes and are written while we read, so only the last
 * `maxBytes` are read. Terminal escape sequences are removed and carriage-return
 * progress bars are resolved the way a terminal shows them: the text after the
 * last \r of a line.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";

export interface LogTailLimits {
  maxLines: number;
  maxBytes: number;
}

/**
 * The last `maxLines` lines within the last `maxBytes` bytes of `file`, without
 * a trailing newline. A line cut by the byte window is dropped, unless it is the
 * only one there. Missing file → "".
 */
export async function readLogTail(file: string, limits: LogTailLimits): Promise<string> {
  const maxLines = Math.floor(limits.maxLines);
  const maxBytes = Math.floor(limits.maxBytes);
  if (!(maxLines > 0) || !(maxBytes > 0)) return "";

  let handle;
  try {
    // The log is orch's own file, outside every sandbox; still, a link or a
    // FIFO at its path must never make orch read elsewhere or wait forever.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ELOOP" || code === "ENXIO") return "";
    throw error;
  }
  let raw: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return "";
    const { size } = stat;
    const start = Math.max(0, size - maxBytes);
    // One byte before the window as well: it tells whether the first line starts whole.
    const readFrom = start > 0 ? start - 1 : 0;
    const buffer = Buffer.alloc(size - readFrom);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, readFrom);
    let bytes = buffer.subarray(0, bytesRead);
    if (start > 0) {
      const firstNewline = bytes.indexOf(0x0a);
      // Drop the cut line; a single huge line is kept, less its cut UTF-8 start.
      bytes = firstNewline >= 0 ? bytes.subarray(firstNewline + 1) : bytes.subarray(1);
      raw = bytes.toString("utf8");
      if (firstNewline < 0) raw = raw.replace(/^\uFFFD+/, "");
    } else {
      raw = bytes.toString("utf8");
    }
  } finally {
    await handle.close();
  }

  const lines = toDisplayLines(raw);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-maxLines).join("\n");
}

/** Log text as a terminal would show its lines: no escape sequences or control characters, progress bars resolved. */
export function toDisplayLines(raw: string): string[] {
  return stripTerminalCodes(raw)
    .split("\n")
    .map(resolveCarriageReturns)
    .map((line) => line.replace(CONTROL_CHARS, ""));
}

/** CSI (colours, cursor moves), OSC (titles, hyperlinks; ends with BEL or ST), other ESC sequences, 8-bit CSI. */
const TERMINAL_CODES = new RegExp(
  [
    "\\u001b\\[[0-?]*[ -/]*[@-~]",
    "\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?",
    "\\u001b[PX^_][^\\u001b]*(?:\\u001b\\\\)?",
    "\\u001b[ -/]*[0-~]",
    "\\u009b[0-?]*[ -/]*[@-~]",
  ].join("|"),
  "g",
);
/** Every C0 and C1 control character except tab and newline (\r is handled first). */
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function stripTerminalCodes(text: string): string {
  return text.replace(TERMINAL_CODES, "");
}

/** "10%\r50%\r100%" shows as "100%"; a CRLF line ending is just a line ending. */
function resolveCarriageReturns(line: string): string {
  const trimmed = line.replace(/\r+$/, "");
  const lastReturn = trimmed.lastIndexOf("\r");
  return lastReturn >= 0 ? trimmed.slice(lastReturn + 1) : trimmed;
}
