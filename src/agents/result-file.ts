/**
 * Reads the file an agent may write to ORCH_RESULT_FILE:
 *   {"status": "succeeded" | "failed" | "blocked", "summary": "one line for humans",
 *    "usage": {"cost_usd": 0.42, "input_tokens": 1200, "output_tokens": 300}}
 *
 * `usage` is optional and each of its fields too; a usage that does not fit
 * (a negative cost, a string) is left out rather than failing the file.
 *
 * The agent controls this file, and through a prompt injected into an issue so
 * may an attacker, so it is read defensively: a symbolic link is refused (it
 * could point at orch's private key), a FIFO or device is refused (it could
 * block or never end), at most 64 KiB is read, and the reasons given for an
 * invalid file never quote its content, because they end up on GitHub.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { z } from "zod";

export interface AgentResult {
  status: "succeeded" | "failed" | "blocked";
  /** One line, at most SUMMARY_MAX_CHARS characters, no control characters. */
  summary?: string;
  /** What the agent says it spent (counted against `max_cost_usd`). */
  usage?: AgentUsage;
}

export interface AgentUsage {
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
}

const count = z.number().int().min(0).max(1e12);
const usageSchema = z
  .object({ cost_usd: z.number().min(0).max(100_000).optional(), input_tokens: count.optional(), output_tokens: count.optional() })
  .optional()
  .catch(undefined);

/** A result file's `usage` (an attempt's or a judge's), each field kept only when it fits; undefined when none does. */
export function parseUsage(raw: unknown): AgentUsage | undefined {
  const parsed = usageSchema.parse(raw);
  const usage: AgentUsage = {
    ...(parsed?.cost_usd === undefined ? {} : { costUsd: parsed.cost_usd }),
    ...(parsed?.input_tokens === undefined ? {} : { inputTokens: parsed.input_tokens }),
    ...(parsed?.output_tokens === undefined ? {} : { outputTokens: parsed.output_tokens }),
  };
  return Object.keys(usage).length ? usage : undefined;
}

/** What the result file said: nothing (no file), something unusable (`reason` says why, fit for GitHub), or a result. */
export type ResultFileRead =
  | { kind: "missing" }
  | { kind: "invalid"; reason: string }
  | { kind: "reported"; result: AgentResult };

export const RESULT_FILE_MAX_BYTES = 64 * 1024;
export const SUMMARY_MAX_CHARS = 500;

const resultSchema = z.object({
  status: z.enum(["succeeded", "failed", "blocked"], {
    error: 'must be "succeeded", "failed" or "blocked"',
  }),
  summary: z.string({ error: "must be a string" }).optional(),
  usage: z.unknown().optional(),
});

/**
 * Missing file → `missing` (the agent chose not to report). A readable,
 * well-formed file → its result, with the summary cut to one line. Anything
 * else → `invalid`. Never throws for what the agent wrote.
 */
export async function readResultFile(
  path: string,
  options: {
    /** Applied to the summary's line before it is cut, so a cut never leaves half a secret the redactor no longer knows. */
    redact?: (text: string) => Promise<string>;
  } = {},
): Promise<ResultFileRead> {
  const read = await readCapped(path);
  if (read.kind !== "text") return read;

  const text = read.text.replace(/^\uFEFF/, "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input; the file may hold anything.
    return { kind: "invalid", reason: "the result file is not valid JSON" };
  }

  const parsed = resultSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? `"${issue.path.join(".")}" ${issue.message}` : "it must be a JSON object",
    );
    return { kind: "invalid", reason: `the result file is not usable: ${problems.join("; ")}` };
  }

  const line = parsed.data.summary === undefined ? undefined : firstLine(parsed.data.summary);
  const summary = line === undefined ? undefined : cutSummary(options.redact ? await options.redact(line) : line);
  const usage = parseUsage(parsed.data.usage);
  return {
    kind: "reported",
    result: { status: parsed.data.status, ...(summary ? { summary } : {}), ...(usage ? { usage } : {}) },
  };
}

export type CappedRead = { kind: "missing" } | { kind: "invalid"; reason: string } | { kind: "text"; text: string };

/** The file as text, read the defensive way described above (no link, no FIFO, at most RESULT_FILE_MAX_BYTES). */
export async function readCapped(path: string): Promise<CappedRead> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    if (code === "ELOOP") return { kind: "invalid", reason: "the result file is a symbolic link; write a regular file" };
    return { kind: "invalid", reason: `the result file could not be read (${code ?? "unknown error"})` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { kind: "invalid", reason: "the result file is not a regular file" };
    if (stat.size > RESULT_FILE_MAX_BYTES) return tooLarge();
    // One byte more than the cap tells a file that grew since fstat from one that fits.
    const buffer = Buffer.alloc(RESULT_FILE_MAX_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > RESULT_FILE_MAX_BYTES) return tooLarge();
    return { kind: "text", text: buffer.subarray(0, length).toString("utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: "invalid", reason: `the result file could not be read (${code ?? "unknown error"})` };
  } finally {
    await handle.close();
  }
}

function tooLarge(): CappedRead {
  return { kind: "invalid", reason: `the result file is larger than ${RESULT_FILE_MAX_BYTES / 1024} KiB` };
}

/** The first non-blank line, without control characters. */
function firstLine(summary: string): string | undefined {
  return summary
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((part) => part.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").replace(/\s+/g, " ").trim())
    .find((part) => part.length > 0);
}

/** Cut to SUMMARY_MAX_CHARS characters. */
function cutSummary(line: string): string {
  const chars = Array.from(line); // code points, so an emoji is never cut in half
  return chars.length <= SUMMARY_MAX_CHARS ? line : `${chars.slice(0, SUMMARY_MAX_CHARS - 1).join("").trimEnd()}…`;
}
