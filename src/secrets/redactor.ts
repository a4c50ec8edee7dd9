/**
 * The one redactor for everything orch publishes or logs (DESIGN.md,
 * "Secrets stay in"): check-run text and log tails, summaries, PR bodies, the
 * status comment, replies, orch's own log lines, the attempt page.
 *
 * It hides two kinds of thing, each replaced by `[redacted]`:
 * - known values: the exact strings orch holds (see collectKnownSecrets and
 *   KnownValues for the forms searched), plus each installation token as it
 *   is minted (`addKnown`);
 * - secret shapes: whatever secretlint's recommended rules find (see
 *   findSecretShapes), whoever's secret it is.
 *
 *     const redactor = new Redactor({ known: collectKnownSecrets({ env: process.env, agentEnvNames }) });
 *     redactor.addKnown(installationToken);
 *     await redactor.redact(checkRunText);
 *     pino({ hooks: { streamWrite: (line) => redactor.redactKnown(line) } });
 *
 * When secretlint fails, `redact` does not give up and does not publish the
 * text unchecked: it hides the known values and, in place of the shapes,
 * everything that could plausibly be a secret (see findPossibleSecrets), and
 * reports the failure to `onScanError`. `findSecrets` instead rejects, so
 * that a check which must not pass on a broken scanner (the diff scan before
 * a push) fails closed.
 */
import { findSecretShapes } from "./find-secret-shapes.js";
import { KnownValues } from "./known-values.js";
import { mergeRanges, replaceRanges, type SecretRange } from "./ranges.js";

export { REDACTED, type SecretRange } from "./ranges.js";

/** The rule name of a known value's range. */
export const KNOWN_VALUE_RULE = "a known secret value";
/** The rule name of a range found by the fallback while secretlint was failing. */
export const POSSIBLE_SECRET_RULE = "possible secret (the secret scanner failed)";

export interface RedactorOptions {
  /** Known values that are kept for the redactor's life (orch's configuration). */
  known?: Iterable<string>;
  /** Values added with `addKnown` kept at most (the oldest go first); default 200. */
  maxAdded?: number;
  /** Told when the shape scan failed and `redact` used the fallback; the error names no part of the text. */
  onScanError?: (error: Error) => void;
  /** The shape scanner; secretlint unless a test needs one that fails. */
  findShapes?: (text: string) => Promise<SecretRange[]>;
}

export class Redactor {
  private readonly known: KnownValues;
  private readonly findShapes: (text: string) => Promise<SecretRange[]>;
  private readonly onScanError: ((error: Error) => void) | undefined;

  constructor(options: RedactorOptions = {}) {
    this.known = new KnownValues({
      ...(options.known !== undefined && { values: options.known }),
      ...(options.maxAdded !== undefined && { maxAdded: options.maxAdded }),
    });
    this.findShapes = options.findShapes ?? findSecretShapes;
    this.onScanError = options.onScanError;
  }

  /** Adds a value to hide from now on (an installation token, as orch gets it). Ignored if shorter than 8 characters. */
  addKnown(value: string): void {
    this.known.add(value);
  }

  /** How many known values are held (runtime ones capped at `maxAdded`). */
  get knownCount(): number {
    return this.known.size;
  }

  /**
   * What `redact` would hide: merged, sorted, non-overlapping ranges, each
   * with the rule of the range that started first. Rejects (with an error
   * that quotes nothing) when secretlint fails.
   */
  async findSecrets(text: string): Promise<SecretRange[]> {
    const shapes = await this.findShapes(text);
    return mergeRanges([...this.findKnown(text), ...shapes]);
  }

  /** `text` with known values and secret shapes replaced by `[redacted]`. Never throws. */
  async redact(text: string): Promise<string> {
    const input = typeof text === "string" ? text : String(text ?? "");
    try {
      return replaceRanges(input, await this.findSecrets(input));
    } catch (error) {
      this.reportScanError(error);
      return replaceRanges(input, [...this.findKnown(input), ...findPossibleSecrets(input)]);
    }
  }

  /**
   * Known values only, synchronously: for orch's own log lines (pino's
   * `hooks.streamWrite`), where an await is not possible and orch, not an
   * agent, wrote the text.
   */
  redactKnown(text: string): string {
    if (typeof text !== "string") return text;
    return replaceRanges(text, this.findKnown(text));
  }

  /**
   * A copy of JSON-ish `value` with every string in it (nested in plain
   * objects and arrays) redacted. Other values (numbers, booleans, null,
   * dates, class instances) are kept as they are; object keys are kept;
   * the input is not changed. Never throws.
   */
  async redactDeep<T>(value: T): Promise<T> {
    return (await this.redactValue(value, new Map())) as T;
  }

  private async redactValue(value: unknown, seen: Map<object, unknown>): Promise<unknown> {
    if (typeof value === "string") return this.redact(value);
    if (value === null || typeof value !== "object") return value;
    // A repeated (or circular) reference maps to the same copy instead of recursing forever.
    const copied = seen.get(value);
    if (copied !== undefined) return copied;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(await this.redactValue(item, seen));
      return out;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [key, item] of Object.entries(value)) out[key] = await this.redactValue(item, seen);
    return out;
  }

  private findKnown(text: string): SecretRange[] {
    return this.known.findRanges(text).map((range) => ({ ...range, rule: KNOWN_VALUE_RULE }));
  }

  private reportScanError(error: unknown): void {
    try {
      this.onScanError?.(error instanceof Error ? error : new Error("the secret scanner failed"));
    } catch {
      // A broken logger must not turn redaction into a throw.
    }
  }
}

/**
 * Deliberately broad, for when secretlint is not available: PEM private key
 * blocks (also unterminated ones, and encrypted ones), the userinfo of any
 * URL, and every run of 20 or more token characters that mixes letters and
 * digits. That hides git shas and long ids too; an unreadable check run is
 * the price of not publishing a secret while the scanner is broken.
 */
export function findPossibleSecrets(text: string): SecretRange[] {
  const ranges: SecretRange[] = [];
  const add = (start: number, end: number) => ranges.push({ start, end, rule: POSSIBLE_SECRET_RULE });
  for (const match of text.matchAll(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g)) {
    add(match.index, match.index + match[0].length);
  }
  for (const match of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]+@)/gi)) {
    const userinfo = match[1] ?? "";
    const end = match.index + match[0].length;
    add(end - userinfo.length, end);
  }
  for (const match of text.matchAll(/[A-Za-z0-9+/=_.-]{20,}/g)) {
    if (/[A-Za-z]/.test(match[0]) && /[0-9]/.test(match[0])) add(match.index, match.index + match[0].length);
  }
  return ranges;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
