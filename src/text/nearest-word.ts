/** The nearest of a few known words to a mistyped one, by edit distance (fastest-levenshtein). */
import { distance } from "fastest-levenshtein";

/**
 * The nearest of `candidates` to `typed` among those within the limit
 * `limitFor` gives for the pair, or undefined when none is. The limit is
 * checked per candidate, so a longer word may allow more edits than a shorter
 * one nearer by. Ties go to the earlier candidate.
 */
export function nearestWithin(
  typed: string,
  candidates: readonly string[],
  limitFor: (typed: string, candidate: string) => number,
): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const edits = distance(typed, candidate);
    if (edits <= limitFor(typed, candidate) && (best === undefined || edits < best.distance)) best = { candidate, distance: edits };
  }
  return best?.candidate;
}
