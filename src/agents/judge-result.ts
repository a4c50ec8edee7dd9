/**
 * Reads the result file a council's judge writes to ORCH_RESULT_FILE:
 *
 *   {"ranking": [{"candidate": 2, "reason": "smallest change, verify passed"},
 *                {"candidate": 1, "reason": "also edits unrelated files"}]}
 *
 * Best first; every candidate (1…n, as in `candidate-k.diff`) exactly once,
 * each with a reason. The judge is an agent and as hostile as any: the file
 * is read the same defensive way as an attempt's (result-file.ts), anything
 * off makes the whole ranking `invalid` (never half a ranking), the reasons
 * given for that never quote what it wrote, and each reason comes back on
 * one line. The caller redacts it and only then cuts it (cutReason): a cut
 * first could leave half a secret the redactor no longer recognises. The
 * renderer escapes it.
 */
import { z } from "zod";
import { parseUsage, readCapped, type AgentUsage } from "./result-file.js";

export const REASON_MAX_CHARS = 300;

/** What the judge's file said: nothing, something unusable (`reason` is fit for GitHub), or a ranking of candidate numbers. */
export type JudgeResultRead =
  | { kind: "missing" }
  | { kind: "invalid"; reason: string }
  | { kind: "ranked"; ranking: { candidate: number; reason: string }[] };

const rankingSchema = z.object({
  ranking: z.array(z.object({ candidate: z.number().int(), reason: z.string() }), { error: "must be a list" }).max(100),
});

/**
 * Never throws for what the judge wrote. `usage` is what it says it spent
 * (`"usage": {"cost_usd": …, "input_tokens": …, "output_tokens": …}` beside
 * the ranking, as in an attempt's file), kept even when the ranking is unusable:
 * it was spent all the same.
 */
export async function readJudgeResult(path: string, candidates: number): Promise<JudgeResultRead & { usage?: AgentUsage }> {
  const read = await readCapped(path);
  if (read.kind !== "text") return read;
  let json: unknown;
  try {
    json = JSON.parse(read.text.replace(/^\uFEFF/, ""));
  } catch {
    return { kind: "invalid", reason: "its result file is not valid JSON" };
  }
  const usage = typeof json === "object" && json !== null ? parseUsage((json as { usage?: unknown }).usage) : undefined;
  return { ...parseJudgeRanking(json, candidates), ...(usage ? { usage } : {}) };
}

/** The checks on parsed JSON, for `candidates` candidates numbered 1…candidates. */
export function parseJudgeRanking(json: unknown, candidates: number): JudgeResultRead {
  const parsed = rankingSchema.safeParse(json);
  if (!parsed.success) {
    return { kind: "invalid", reason: 'its result file is not {"ranking": [{"candidate": N, "reason": "…"}, …]} (each candidate a whole number, each reason a string)' };
  }
  const { ranking } = parsed.data;
  const range = `1 to ${candidates}`;
  const seen = new Set<number>();
  for (const entry of ranking) {
    if (entry.candidate < 1 || entry.candidate > candidates) {
      const named = Math.abs(entry.candidate) < 1000 ? `candidate ${entry.candidate}` : "a candidate number";
      return { kind: "invalid", reason: `it ranked ${named}, which is not one of the candidates (${range})` };
    }
    if (seen.has(entry.candidate)) return { kind: "invalid", reason: `it ranked candidate ${entry.candidate} twice` };
    seen.add(entry.candidate);
    if (toReasonLine(entry.reason) === undefined) return { kind: "invalid", reason: `it gave no reason for candidate ${entry.candidate}` };
  }
  const missing = Array.from({ length: candidates }, (_, index) => index + 1).filter((candidate) => !seen.has(candidate));
  if (missing.length > 0) return { kind: "invalid", reason: `it left out ${missing.map((c) => `candidate ${c}`).join(", ")}: a ranking places every candidate (${range})` };
  return { kind: "ranked", ranking: ranking.map((entry) => ({ candidate: entry.candidate, reason: toReasonLine(entry.reason)! })) };
}

/** A (redacted) reason cut to REASON_MAX_CHARS code points, so an emoji is never cut in half. */
export function cutReason(reason: string): string {
  const chars = Array.from(reason);
  return chars.length <= REASON_MAX_CHARS ? reason : `${chars.slice(0, REASON_MAX_CHARS - 1).join("").trimEnd()}…`;
}

/** The reason on one line, without control characters; undefined when blank. */
function toReasonLine(reason: string): string | undefined {
  const line = reason
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line === "" ? undefined : line;
}
