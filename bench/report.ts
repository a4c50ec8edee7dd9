/**
 * What each bench file hands back: rows of the results table (a figure, what
 * it was measured against, the ratio, the goal and whether it was met), and
 * notes that explain a number.
 */

export interface Row {
  /** The section it belongs to, e.g. "workspace". */
  section: string;
  /** What was measured. */
  figure: string;
  /** The figure's value, formatted. */
  value: string;
  /** What it was measured against, with its value. */
  floor: string;
  /** figure ÷ floor (or floor ÷ figure for "× faster"), formatted; "–" when not a ratio. */
  ratio: string;
  goal: string;
  /** undefined: reported only, no goal to meet. */
  pass: boolean | undefined;
}

export interface SectionResult {
  rows: Row[];
  /** Markdown lines explaining the section's numbers (samples, spread, what was found). */
  notes: string[];
}

export function passMark(pass: boolean | undefined): string {
  if (pass === undefined) return "info";
  return pass ? "pass" : "**FAIL**";
}
