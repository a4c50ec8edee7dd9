/**
 * The scan before a push (DESIGN.md, "Secrets stay in"): does an attempt's
 * diff add anything the redactor would hide? A hit fails the attempt ("the
 * changes hold what looks like a secret in settings.js:3") and nothing is
 * pushed. Same rules as the redactor: orch's known values and secretlint's.
 *
 * All added text of the diff goes through ONE scan: per-file calls cost
 * about 0.3 ms each, which for a diff of 40,000 new files is 12 s, while one
 * call over the joined text costs about 7.5 ms per MB. The added lines are
 * joined with `\n`, in diff order (so a PEM key added as a new file is one
 * multi-line block again), followed by the names of the new files, one per
 * line; each joined line remembers its file and line number.
 */
import { parseDiff, type DiffFile } from "./parse-diff.js";
import { replaceRanges, type SecretRange } from "./ranges.js";
import type { Redactor } from "./redactor.js";

/** One place in the new tree that holds what looks like a secret. Never holds the secret. */
export interface SecretHit {
  /**
   * The path in the new tree. If the name itself holds a secret, that part
   * reads `[redacted]` (here and in every hit for that file).
   */
  file: string;
  /** 1-based line in the new file, where the secret starts; 0 when the secret is in the file's name. */
  line: number;
  /** What it looks like: "GitHub token", "private key", "a known secret value", … */
  rule: string;
}

/** A joined line: where its text starts in the joined text, and which file and line it is. */
interface Segment {
  offset: number;
  fileIndex: number;
  /** 0 for a file's name. */
  line: number;
  length: number;
}

/**
 * The secrets `diff` adds (see the file comment), sorted by file then line,
 * at most one per (file, line). A secret whose text also appears in a
 * removed line was already in the base and is not reported: the line was
 * moved or edited around it. Rejects if the scanner fails, so that a broken
 * scanner stops the push instead of waving it through.
 */
export async function scanDiffForSecrets(params: { diff: string; redactor: Redactor }): Promise<SecretHit[]> {
  const { files, removed } = parseDiff(params.diff);
  const { text, segments } = buildScanText(files);
  if (text.length === 0) return [];

  const ranges = await params.redactor.findSecrets(text);
  const removedText = removed.join("\n");
  // The removed lines come from the base, so a secret found there too was public to the repository already.
  const isFresh = (range: SecretRange) => !removedText.includes(text.slice(range.start, range.end));
  const fresh = ranges.filter(isFresh);

  const displayNames = buildDisplayNames({ files, segments, ranges: fresh });
  const hits = new Map<string, SecretHit>();
  for (const range of fresh) {
    const segment = findSegment(segments, range.start);
    if (!segment) continue;
    const file = displayNames[segment.fileIndex] ?? "";
    const key = `${segment.fileIndex}\u0000${segment.line}`;
    if (hits.has(key)) continue;
    const rule = segment.line === 0 ? `${range.rule} (in the file's name)` : range.rule;
    hits.set(key, { file, line: segment.line, rule });
  }
  return [...hits.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** The joined text: every added line, then the name of every new file; one segment per joined line. */
function buildScanText(files: readonly DiffFile[]): { text: string; segments: Segment[] } {
  const parts: string[] = [];
  const segments: Segment[] = [];
  let offset = 0;
  const push = (fileIndex: number, line: number, part: string) => {
    segments.push({ offset, fileIndex, line, length: part.length });
    parts.push(part);
    offset += part.length + 1;
  };
  files.forEach((file, fileIndex) => {
    for (const added of file.added) push(fileIndex, added.line, added.text);
  });
  files.forEach((file, fileIndex) => {
    // Same length, so offsets into the name stay valid: a newline in a name would split its segment.
    if (file.isNew && !file.isDeleted) push(fileIndex, 0, file.path.replace(/[\r\n]/g, " "));
  });
  return { text: parts.join("\n"), segments };
}

/** Each file's path, with any part of its name that a range covers replaced by `[redacted]`. */
function buildDisplayNames(params: {
  files: readonly DiffFile[];
  segments: readonly Segment[];
  ranges: readonly SecretRange[];
}): string[] {
  const names = params.files.map((file) => file.path);
  const nameSegments = params.segments.filter((segment) => segment.line === 0);
  for (const segment of nameSegments) {
    const local = params.ranges
      .filter((range) => range.start < segment.offset + segment.length && range.end > segment.offset)
      .map((range) => ({
        start: Math.max(0, range.start - segment.offset),
        end: Math.min(segment.length, range.end - segment.offset),
        rule: range.rule,
      }));
    if (local.length > 0) names[segment.fileIndex] = replaceRanges(names[segment.fileIndex] ?? "", local);
  }
  return names;
}

/** The segment holding joined-text offset `at` (binary search; segments are in offset order). */
function findSegment(segments: readonly Segment[], at: number): Segment | undefined {
  let low = 0;
  let high = segments.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const segment = segments[middle];
    if (!segment) return undefined;
    if (at < segment.offset) high = middle - 1;
    else if (at > segment.offset + segment.length) low = middle + 1;
    else return segment;
  }
  return undefined;
}
