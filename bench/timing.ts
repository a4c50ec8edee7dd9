/**
 * Timing helpers: a figure and its floor are run back to back, alternating
 * which goes first (ABBA), after warm-up runs that are thrown away, so drift
 * in the machine (page cache, CPU frequency, a neighbour's load) falls on
 * both alike. Summaries are medians, never means: one stall must not move a
 * figure.
 */

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The `p`-th percentile (0–100) of `values`, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median (for an even count, the mean of the middle two). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A variant receives the run number (warm-ups are negative) so it can name what it creates. */
export type Variant = (run: number) => Promise<unknown>;

/**
 * Runs every variant `runs` times (after `warmup` throw-away rounds),
 * interleaved: round r runs them in one order, round r+1 in the reverse.
 * `skip(name, run)` leaves a variant out of a round (for a slow peer that
 * only needs a few samples). Returns each variant's times in milliseconds.
 */
export async function interleave<K extends string>(params: {
  warmup: number;
  runs: number;
  variants: Record<K, Variant>;
  skip?: (name: K, run: number) => boolean;
  /** Untimed work after each round (e.g. waiting for the machine to settle). */
  between?: (run: number) => Promise<void>;
}): Promise<Record<K, number[]>> {
  const { warmup, runs, variants, skip, between } = params;
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = -warmup; round < runs; round++) {
    const order = (round + warmup) % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      if (skip?.(name, round)) continue;
      const ms = await timeMs(() => variants[name](round));
      if (round >= 0) samples[name].push(ms);
    }
    await between?.(round);
  }
  return samples;
}

/** `12.3 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** `1.23×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "–";
  return ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(2)}×`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
