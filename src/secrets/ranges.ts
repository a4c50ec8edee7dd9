/**
 * Pure helpers for the spans of text the redactor hides: merging the spans
 * that several rules found, and replacing them. Offsets are JavaScript string
 * indexes (UTF-16 code units), as secretlint and `indexOf` report them.
 */

/** What `[redacted]` stands in for: `text.slice(start, end)`, found by `rule`. */
export interface SecretRange {
  start: number;
  end: number;
  /** A short human name ("GitHub token", "a known secret value"); never the secret itself. */
  rule: string;
}

/** The text that replaces each secret. */
export const REDACTED = "[redacted]";

/**
 * Sorts the ranges and merges those that overlap or touch, so that two rules
 * matching parts of one secret hide it as a single `[redacted]`. A merged
 * range keeps the rule of the range that starts first (on a tie, the longer
 * one). Empty ranges are dropped.
 */
export function mergeRanges(ranges: readonly SecretRange[]): SecretRange[] {
  const sorted = ranges
    .filter((range) => range.end > range.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SecretRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** `text` with every range (merged first) replaced by `replacement`. */
export function replaceRanges(text: string, ranges: readonly SecretRange[], replacement = REDACTED): string {
  if (ranges.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const range of mergeRanges(ranges)) {
    parts.push(text.slice(at, range.start), replacement);
    at = range.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}
