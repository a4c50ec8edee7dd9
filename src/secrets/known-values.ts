/**
 * The exact strings orch knows to be secret (its installation tokens, private
 * key, webhook secret, database password, agents' API keys) and the forms in
 * which they show up in text, found with a few regular expressions.
 *
 * Forms of one value:
 * - the value itself, and as it reads inside a JSON string (pino's log lines,
 *   API payloads), when that differs;
 * - for a one-line value, git's Basic-auth header form
 *   (`base64("x-access-token:" + value)`, see src/workspace/git.ts), which a
 *   failing push prints back in its trace;
 * - for a multi-line value (a PEM key), each line of at least
 *   MIN_LINE_LENGTH characters, since a tail or a quote cuts a key anywhere.
 *   The armour lines (`-----BEGIN RSA PRIVATE KEY-----`) are skipped: they are
 *   public boilerplate and appear in every key.
 *
 * Values shorter than MIN_VALUE_LENGTH are ignored: an agent entry passes
 * `CI=1` or `FORCE_COLOR=true`, and hiding every "1" would mangle all text.
 */

/** Shorter values are not secrets worth hiding (`1`, `true`, `debug`). */
export const MIN_VALUE_LENGTH = 8;
/** Lines of a multi-line value shorter than this are too common to hide. */
export const MIN_LINE_LENGTH = 16;
/** Default cap on values added at runtime (tokens rotate hourly). */
export const DEFAULT_MAX_ADDED = 200;

/** A span of text that is one of the known forms. */
export interface KnownRange {
  start: number;
  end: number;
}

export class KnownValues {
  /** Given at construction; never dropped. */
  private readonly fixed = new Set<string>();
  /** Added at runtime, oldest first (a Set keeps insertion order). */
  private readonly added = new Set<string>();
  private readonly maxAdded: number;
  /** Rebuilt lazily after a change; empty when there is nothing to find. */
  private patterns: RegExp[] = [];
  private isDirty = true;

  constructor(params: { values?: Iterable<string>; maxAdded?: number } = {}) {
    this.maxAdded = Math.max(0, params.maxAdded ?? DEFAULT_MAX_ADDED);
    for (const value of params.values ?? []) if (isWorthHiding(value)) this.fixed.add(value);
  }

  /**
   * Remembers `value` (ignored when shorter than MIN_VALUE_LENGTH or already
   * known). Past `maxAdded` runtime values the oldest runtime value is
   * forgotten; a value added again counts as new.
   */
  add(value: string): void {
    if (!isWorthHiding(value) || this.fixed.has(value)) return;
    this.added.delete(value);
    this.added.add(value);
    while (this.added.size > this.maxAdded) {
      const oldest = this.added.values().next().value;
      if (oldest === undefined) break;
      this.added.delete(oldest);
    }
    this.isDirty = true;
  }

  /** How many values (not forms) are known; for tests and diagnostics. */
  get size(): number {
    return this.fixed.size + this.added.size;
  }

  /** Every place in `text` where a known form occurs, overlapping ones included, in order. */
  findRanges(text: string): KnownRange[] {
    if (text.length === 0) return [];
    const ranges: KnownRange[] = [];
    for (const pattern of this.getPatterns()) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        ranges.push({ start: match.index, end: match.index + match[0].length });
        // Restart one past the match start, not at its end: another value may begin inside this one and reach beyond it.
        pattern.lastIndex = match.index + 1;
      }
    }
    return ranges.sort((a, b) => a.start - b.start);
  }

  private getPatterns(): RegExp[] {
    if (this.isDirty) {
      const forms = new Set<string>();
      for (const value of [...this.fixed, ...this.added]) for (const form of buildForms(value)) forms.add(form);
      this.patterns = buildPatterns([...forms]);
      this.isDirty = false;
    }
    return this.patterns;
  }
}

/**
 * One alternation per MAX_PATTERN_SOURCE characters of forms. V8 runs a
 * large regular expression in its interpreter instead of native code:
 * measured here over 38 MB, 200 tokens' forms (28 K characters) in one
 * alternation took 5.8 s, in five of about 6 K each 0.07 s.
 */
const MAX_PATTERN_SOURCE = 8 * 1024;

function buildPatterns(forms: string[]): RegExp[] {
  // Longest first: at one position, alternation takes the first alternative that matches.
  const sorted = forms.map(escapeRegExp).sort((a, b) => b.length - a.length);
  const patterns: RegExp[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const form of sorted) {
    if (chunk.length > 0 && size + form.length > MAX_PATTERN_SOURCE) {
      patterns.push(new RegExp(chunk.join("|"), "g"));
      chunk = [];
      size = 0;
    }
    chunk.push(form);
    size += form.length + 1;
  }
  if (chunk.length > 0) patterns.push(new RegExp(chunk.join("|"), "g"));
  return patterns;
}

/** The forms of one value that are searched for (see the file comment). */
export function buildForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1)];
  const lines = value.split(/\r?\n/);
  if (lines.length === 1) {
    forms.push(Buffer.from(`x-access-token:${value}`).toString("base64"));
  } else {
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_LINE_LENGTH && !trimmed.startsWith("-----")) forms.push(trimmed);
    }
  }
  return [...new Set(forms)];
}

function isWorthHiding(value: string): boolean {
  return typeof value === "string" && value.trim().length >= MIN_VALUE_LENGTH;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
