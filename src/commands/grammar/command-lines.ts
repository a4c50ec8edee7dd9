/**
 * Which lines of a comment are `/orch` command lines: a small line scanner for
 * the markdown that hides text from a reader (fences, indented code, quotes,
 * HTML comments). The rules are in the grammar at the top of ../parse.ts.
 */

interface Fence {
  readonly char: "`" | "~";
  readonly length: number;
  readonly column: number;
}

/** Indexes of the lines that are commands: outside fences and HTML comments, unindented, `/orch`. */
export function findCommandLines(lines: readonly string[]): number[] {
  const found: number[] = [];
  let fence: Fence | undefined;
  let inHtmlComment = false;
  lines.forEach((line, index) => {
    if (fence !== undefined) {
      if (closesFence(line, fence)) fence = undefined;
      return;
    }
    if (inHtmlComment) {
      inHtmlComment = endsInsideHtmlComment(line, true);
      return;
    }
    fence = findOpeningFence(line);
    if (fence !== undefined) return;
    inHtmlComment = endsInsideHtmlComment(line, false);
    if (isCommandLine(line)) found.push(index);
  });
  return found;
}

export const COMMAND_START = /^([ \t]*)\/[oO][rR][cC][hH](?=[ \t]|$)/;

function isCommandLine(line: string): boolean {
  const match = COMMAND_START.exec(line);
  return match !== null && columnAfter(match[1]!) < 4;
}

// Optional list markers, then the fence. A backtick fence's info string may not hold a
// backtick (CommonMark), which keeps ```inline``` code spans from opening a fence.
const OPENING_FENCE = /^([ \t]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)*)(`{3,}|~{3,})(.*)$/s;

function findOpeningFence(line: string): Fence | undefined {
  const match = OPENING_FENCE.exec(line);
  if (match === null) return undefined;
  const marker = match[2]!;
  const char = marker[0] === "`" ? "`" : "~";
  if (char === "`" && match[3]!.includes("`")) return undefined;
  return { char, length: marker.length, column: columnAfter(match[1]!) };
}

function closesFence(line: string, fence: Fence): boolean {
  const match = /^([ \t]*)(`{3,}|~{3,})[ \t]*$/.exec(line);
  return (
    match !== null &&
    match[2]![0] === fence.char &&
    match[2]!.length >= fence.length &&
    columnAfter(match[1]!) < fence.column + 4
  );
}

/**
 * Whether an HTML comment is still open at the end of the line. A code span (`` `<!--` ``)
 * hides what is inside it, as in CommonMark, where the leftmost construct wins.
 */
function endsInsideHtmlComment(line: string, startsInside: boolean): boolean {
  let inside = startsInside;
  // Run lengths with no closing run further on: remembering them keeps a line of many
  // unmatched runs from being searched over and over (quadratic time on hostile input).
  const unmatchedRuns = new Set<number>();
  let i = 0;
  while (i < line.length) {
    if (inside) {
      const close = line.indexOf("-->", i);
      if (close === -1) return true;
      inside = false;
      i = close + 3;
    } else if (line[i] === "`") {
      let run = 1;
      while (line[i + run] === "`") run += 1;
      const after = unmatchedRuns.has(run) ? -1 : findBacktickRun(line, i + run, run);
      if (after === -1) unmatchedRuns.add(run);
      i = after === -1 ? i + run : after;
    } else if (line.startsWith("<!--", i)) {
      inside = true;
      // Search for `-->` from the third character on: `<!-->` and `<!--->` are complete
      // (empty) comments in CommonMark 0.31.
      i += 2;
    } else {
      i += 1;
    }
  }
  return inside;
}

/** Index just past the next run of exactly `length` backticks at or after `from`, or -1. */
function findBacktickRun(line: string, from: number, length: number): number {
  let i = line.indexOf("`", from);
  while (i !== -1) {
    let run = 1;
    while (line[i + run] === "`") run += 1;
    if (run === length) return i + run;
    i = line.indexOf("`", i + run);
  }
  return -1;
}

/** The column reached after this leading whitespace; a tab moves to the next multiple of 4. */
function columnAfter(whitespace: string): number {
  let column = 0;
  for (const char of whitespace) column = char === "\t" ? column + 4 - (column % 4) : column + 1;
  return column;
}
