/**
 * The `/orch` comment grammar: a pure function from a comment body to the commands in it.
 *
 * A comment holds zero or more commands, one per line. `parseComment` returns one result per
 * command line, in order: a `command`, or an `error` whose message is safe to post as it is
 * (markdown; user text is quoted in code spans with backticks and invisible characters
 * escaped, at most ~100 characters of it). An empty array means the comment is not for orch.
 * It never throws, whatever the body holds.
 *
 * Which lines are command lines
 *
 *   - The line's first token is `/orch`, in any letter case, followed by a space, a tab or the
 *     end of the line. `/orchestra`, `/orch,`, `**\/orch**`, `- /orch` and `／orch` (a
 *     fullwidth slash) are not commands, and neither is a line that begins with a zero-width
 *     character: only ASCII space and tab count as blanks.
 *   - At most 3 columns of indentation (a tab counts to the next multiple of 4). A line
 *     indented 4 or more is markdown's indented code. Unlike CommonMark we apply this even
 *     where an indented line would continue a paragraph: pasted code must never run.
 *   - Not inside a fenced code block: a fence is 3+ backticks or 3+ tildes, with any info
 *     string (a backtick fence's info string has no backticks), at any indentation or after
 *     list markers (`- ```` opens a fence inside a list item). It is closed by a line of the
 *     same character, at least as long, indented less than 4 columns past the opening fence.
 *     An unclosed fence runs to the end of the comment.
 *   - Not a block quote: a `>` line's first token is `>`, so `> /orch dispatch` in a quoted
 *     reply does nothing. A plain `/orch` line right below a quote is a command, although
 *     CommonMark would render it as a lazy continuation of the quote: people type such a line
 *     as a command, and GitHub's "Quote reply" leaves a blank line after the quote anyway.
 *   - Not inside an HTML comment `<!-- … -->`: a line that begins inside one is never a
 *     command. Comments are found on every line outside fences, quoted lines included, and
 *     `<!--` inside an inline code span (`` `<!--` ``) does not open one.
 *   - Line endings are CRLF, CR or LF, and all become LF. A leading byte-order mark is dropped.
 *
 * What a command line says
 *
 *   `/orch VERB ARG… [-- FREE TEXT]`
 *
 *   - VERB is a verb name or alias of `verbs.ts`, in any letter case (browsers autocorrect
 *     "dispatch" to "Dispatch"); `run` means `dispatch`. An unknown verb is an error that
 *     lists the verbs and suggests a near one (edit distance, transpositions included, or a
 *     prefix). `/orch` on its own is an error that lists the verbs.
 *   - ARGs are the space- or tab-separated tokens before the first token that is exactly
 *     `--`. A token that starts with `--` is a flag; the only flag is `--run` (cancel,
 *     cleanup). A token that starts with one `-` is an argument, and fails as a name.
 *   - Everything after `--` is FREE TEXT: INSTRUCTIONS for dispatch, FEEDBACK for retry and
 *     reassign. It runs on over the following lines up to the next command line or the end of
 *     the comment, and is kept exactly as written, code fences, quotes and HTML comments
 *     included (a `/orch` line inside a fence in the text is text). It is trimmed: leading
 *     blanks on the `--` line, blank lines after it (the indentation of the first text line
 *     below is kept), and trailing whitespace. Empty text means none. At most 20,000
 *     characters. `--` after cancel, cleanup, status or help is an error.
 *   - TASK is a task key: `t` and a number from 1 to 999 without leading zeros (`t1`, `t12`).
 *     AGENT is a name of 1–32 ASCII letters, digits, `-` or `_`, beginning with a letter.
 *     Both are case-insensitive and returned in lowercase. Whether the task or the agent
 *     exists is for the caller to check.
 *   - dispatch takes at most one AGENT; retry at most one TASK; reassign `[TASK] AGENT`,
 *     where one token is the AGENT and two are TASK then AGENT, except that a lone token that
 *     is a task key is an error ("reassign needs an AGENT"), so an agent named like a task key
 *     can only be given after a TASK. cancel and cleanup take a TASK or `--run` (not both);
 *     status takes nothing; help takes an optional verb (an alias names its verb).
 *   - An error names what was wrong and shows the verb's usage and an example. When the line
 *     holds a typographic dash (— or –), the error adds that autocorrect may have eaten `--`.
 *
 * At most MAX_COMMANDS_PER_COMMENT command lines are parsed; if there are more, one error
 * result follows the first ten, saying that the rest were not run.
 *
 * Worked examples (one comment per block, result after the arrow):
 *
 *   /orch dispatch                        → { verb: "dispatch" }
 *   /orch Run Claude                      → { verb: "dispatch", agent: "claude" }
 *   /orch dispatch codex -- fix the bug   → { verb: "dispatch", agent: "codex", instructions: "fix the bug" }
 *   /orch dispatch --                     → { verb: "dispatch", instructions: "fix the bug\n\n```\n/orch x\n```" }
 *   fix the bug
 *
 *   ```
 *   /orch x
 *   ```
 *   /orch retry T2 -- still failing       → { verb: "retry", task: "t2", feedback: "still failing" }
 *   /orch reassign gemini                 → { verb: "reassign", agent: "gemini" }
 *   /orch reassign t2 gemini              → { verb: "reassign", task: "t2", agent: "gemini" }
 *   /orch cancel --run                    → { verb: "cancel", scope: { kind: "run" } }
 *   /orch cleanup t3                      → { verb: "cleanup", scope: { kind: "task", task: "t3" } }
 *   /orch help run                        → { verb: "help", topic: "dispatch" }
 *
 *   /orch retyr                           → error: `retyr` is not an orch command. Did you mean `retry`? …
 *   /orch reassign t1                     → error: reassign needs an AGENT … Usage: …
 *   /orch retry task1                     → error: `task1` is not a task key …
 *   /orch dispatch $(rm -rf /)            → error: `$(rm` is not an agent name …
 *   /orch cancel --force                  → error: `--force` is not an option of `/orch cancel` …
 *   > /orch dispatch                      → nothing (a quote)
 *       /orch dispatch                    → nothing (indented code)
 *   /orchestra                            → nothing
 */

import { findVerb, toAsciiLowerCase, VERBS, type Verb, type VerbSpec } from "./verbs.js";

export type TaskScope = { kind: "task"; task?: string } | { kind: "run" };

/** One well-formed command. Names are normalised to lowercase; nothing is checked against the store. */
export type Command =
  | { verb: "dispatch"; agent?: string; instructions?: string }
  | { verb: "retry"; task?: string; feedback?: string }
  | { verb: "reassign"; task?: string; agent: string; feedback?: string }
  | { verb: "cancel"; scope: TaskScope }
  | { verb: "cleanup"; scope: TaskScope }
  | { verb: "status" }
  | { verb: "help"; topic?: Verb };

/**
 * The outcome of one command line. `line` is that line as written, trimmed and cut to about
 * 200 characters, for quoting back to the user (it is raw text: escape it when rendering).
 * `message` is markdown: what was wrong and what would be right.
 */
export type ParseResult =
  | { kind: "command"; command: Command; line: string }
  | { kind: "error"; line: string; message: string };

/** Command lines beyond this many in one comment are not run. */
export const MAX_COMMANDS_PER_COMMENT = 10;

/** Longest INSTRUCTIONS or FEEDBACK accepted, in UTF-16 code units after trimming. */
export const MAX_FREE_TEXT_LENGTH = 20_000;

const LINE_LIMIT = 200;
const ECHO_LIMIT = 100;

/** `t1` … `t999`, any case. Normalise with `toLowerCase()` after checking. */
export function isValidTaskKey(text: string): boolean {
  return /^[tT][1-9][0-9]{0,2}$/.test(text);
}

/**
 * A letter, then letters, digits, `-` or `_`; 32 characters at most; ASCII only, any case.
 * Normalise with `toLowerCase()` after checking (safe: the text is ASCII by then).
 */
export function isValidAgentName(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(text);
}

/** Parses every `/orch` command line of a comment body. See the grammar at the top of this file. */
export function parseComment(body: string): ParseResult[] {
  // Webhook payloads can carry a null body (PR reviews); treat anything else as no commands.
  if (typeof body !== "string") return [];
  const lines = body.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const commandLines = findCommandLines(lines);

  const results: ParseResult[] = [];
  const parsedCount = Math.min(commandLines.length, MAX_COMMANDS_PER_COMMENT);
  for (let n = 0; n < parsedCount; n += 1) {
    const index = commandLines[n]!;
    const end = commandLines[n + 1] ?? lines.length;
    results.push(parseCommandLine(lines[index]!, lines.slice(index + 1, end)));
  }
  if (commandLines.length > MAX_COMMANDS_PER_COMMENT) {
    const skipped = commandLines.length - MAX_COMMANDS_PER_COMMENT;
    results.push({
      kind: "error",
      line: shortenLine(lines[commandLines[MAX_COMMANDS_PER_COMMENT]!]!),
      message:
        `Only the first ${MAX_COMMANDS_PER_COMMENT} commands of a comment are run. ` +
        `This comment has ${commandLines.length}, so the last ${skipped} ` +
        `${skipped === 1 ? "was" : "were"} not run. Post ${skipped === 1 ? "it" : "them"} in another comment.`,
    });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Finding command lines: a small line scanner for the markdown that hides text from a reader.

interface Fence {
  readonly char: "`" | "~";
  readonly length: number;
  readonly column: number;
}

/** Indexes of the lines that are commands: outside fences and HTML comments, unindented, `/orch`. */
function findCommandLines(lines: readonly string[]): number[] {
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

const COMMAND_START = /^([ \t]*)\/[oO][rR][cC][hH](?=[ \t]|$)/;

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

// ---------------------------------------------------------------------------------------------
// Parsing one command line.

/** A grammar error of one verb: the message's first paragraph; usage is added after it. */
interface Problem {
  readonly problem: string;
}

interface Arguments {
  /** Tokens that do not start with `--`, in order. */
  readonly positionals: readonly string[];
  /** Tokens that start with `--` (and are not `--` itself), lowercased. */
  readonly flags: readonly string[];
}

function parseCommandLine(line: string, following: readonly string[]): ParseResult {
  const shown = shortenLine(line);
  const error = (message: string): ParseResult => ({ kind: "error", line: shown, message });

  const afterPrefix = line.replace(COMMAND_START, "");
  const { tokens, freeText } = splitAtDoubleDash(afterPrefix, following);
  const dashHint = /[\u2013\u2014]/.test(tokens.join(" "))
    ? "\n\nAutocorrect may have turned `--` into a dash (—): type two hyphens, `--`."
    : "";

  const [verbWord, ...rest] = tokens;
  if (verbWord === undefined) return error(`\`/orch\` needs a command after it.\n\n${verbList()}`);
  const spec = findVerb(verbWord);
  if (spec === undefined) return error(unknownVerbMessage(verbWord) + dashHint);

  const usageError = (problem: string): ParseResult =>
    error(`${problem}\n\n${usageOf(spec)}${dashHint}`);

  if (freeText !== undefined && !takesFreeText(spec.name)) {
    return usageError(`\`/orch ${spec.name}\` takes no text after \`--\`.`);
  }
  if (freeText !== undefined && freeText.length > MAX_FREE_TEXT_LENGTH) {
    const what = spec.name === "dispatch" ? "instructions" : "feedback";
    return error(
      `After \`--\` come ${formatCount(freeText.length)} characters of ${what}; ` +
        `the limit is ${formatCount(MAX_FREE_TEXT_LENGTH)}. Shorten the ${what}, ` +
        `or put the details in the issue and point to them.`,
    );
  }

  const args: Arguments = {
    positionals: rest.filter((token) => !isFlag(token)),
    flags: rest.filter(isFlag).map(toAsciiLowerCase),
  };
  const text = freeText === "" ? undefined : freeText;
  const outcome = parseArguments(spec, args, text);
  if ("problem" in outcome) return usageError(outcome.problem);
  return { kind: "command", command: outcome, line: shown };
}

/** How each verb reads its arguments; `text` is the free text after `--`, if the verb takes it. */
const ARGUMENT_PARSERS: { [V in Verb]: (args: Arguments, text: string | undefined) => Command | Problem } = {
  dispatch(args, text) {
    const [agent, ...extra] = args.positionals;
    const instructions = text === undefined ? {} : { instructions: text };
    if (agent === undefined) return { verb: "dispatch", ...instructions };
    if (!isValidAgentName(agent)) return badAgentName(agent);
    if (extra.length > 0) {
      return tooManyWords("`dispatch` takes at most one AGENT", args, "Put instructions after `--`.");
    }
    return { verb: "dispatch", agent: agent.toLowerCase(), ...instructions };
  },

  retry(args, text) {
    const [task, ...extra] = args.positionals;
    const feedback = text === undefined ? {} : { feedback: text };
    if (task === undefined) return { verb: "retry", ...feedback };
    if (!isValidTaskKey(task)) return badTaskKey(task, extra.length > 0 ? "Put feedback after `--`." : "");
    if (extra.length > 0) {
      return tooManyWords(
        "`retry` takes at most one TASK",
        args,
        "Retry one task per line, and put feedback after `--`.",
      );
    }
    return { verb: "retry", task: task.toLowerCase(), ...feedback };
  },

  reassign(args, text) {
    const feedback = text === undefined ? {} : { feedback: text };
    const [first, second, ...extra] = args.positionals;
    if (first === undefined) return { problem: "`reassign` needs an AGENT to hand the task to." };
    if (second === undefined) {
      if (isValidTaskKey(first)) {
        return {
          problem:
            `\`reassign\` needs an AGENT: ${code(first)} is a task key. ` +
            `Name the agent after it, e.g. \`/orch reassign ${first.toLowerCase()} claude\`.`,
        };
      }
      if (!isValidAgentName(first)) return badAgentName(first);
      return { verb: "reassign", agent: first.toLowerCase(), ...feedback };
    }
    if (!isValidTaskKey(first)) return badTaskKey(first, extra.length > 0 ? "Put feedback after `--`." : "");
    if (!isValidAgentName(second)) return badAgentName(second);
    if (extra.length > 0) {
      return tooManyWords("`reassign` takes at most a TASK and an AGENT", args, "Put feedback after `--`.");
    }
    return { verb: "reassign", task: first.toLowerCase(), agent: second.toLowerCase(), ...feedback };
  },

  cancel: (args) => parseTaskScope("cancel", args),
  cleanup: (args) => parseTaskScope("cleanup", args),

  status(args) {
    if (args.positionals.length > 0) {
      return { problem: `\`status\` takes no arguments, but got ${code(args.positionals.join(" "))}.` };
    }
    return { verb: "status" };
  },

  help(args) {
    const [word, ...extra] = args.positionals;
    if (word === undefined) return { verb: "help" };
    const topic = findVerb(word);
    if (topic === undefined) {
      const near = findNearVerb(word);
      return {
        problem:
          `There is no help on ${code(word)}: it is not an orch command.` +
          (near === undefined ? "" : ` Did you mean \`/orch help ${near}\`?`),
      };
    }
    if (extra.length > 0) return tooManyWords("`help` takes at most one command name", args, "");
    return { verb: "help", topic: topic.name };
  },
};

/** Flags each verb accepts; any other `--word` is an error that names it. */
const ALLOWED_FLAGS: { [V in Verb]: readonly string[] } = {
  dispatch: [],
  retry: [],
  reassign: [],
  cancel: ["--run"],
  cleanup: ["--run"],
  status: [],
  help: [],
};

function parseArguments(spec: VerbSpec, args: Arguments, text: string | undefined): Command | Problem {
  const allowed = ALLOWED_FLAGS[spec.name];
  const unknown = args.flags.find((flag) => !allowed.includes(flag));
  if (unknown !== undefined) {
    const known =
      allowed.length === 0
        ? "It takes no options."
        : `Its only option is ${allowed.map((flag) => `\`${flag}\``).join(", ")}.`;
    return { problem: `${code(unknown)} is not an option of \`/orch ${spec.name}\`. ${known}` };
  }
  return ARGUMENT_PARSERS[spec.name](args, text);
}

function parseTaskScope(verb: "cancel" | "cleanup", args: Arguments): Command | Problem {
  const wholeRun = args.flags.length > 0;
  const [task, ...extra] = args.positionals;
  if (wholeRun && task !== undefined) return { problem: `\`${verb}\` takes a TASK or \`--run\`, not both.` };
  if (wholeRun) return { verb, scope: { kind: "run" } };
  if (task === undefined) return { verb, scope: { kind: "task" } };
  if (!isValidTaskKey(task)) return badTaskKey(task, "");
  if (extra.length > 0) {
    return tooManyWords(
      `\`${verb}\` takes one TASK or \`--run\``,
      args,
      `Write one \`/orch ${verb}\` line per task, or use \`--run\` for all of them.`,
    );
  }
  return { verb, scope: { kind: "task", task: task.toLowerCase() } };
}

/** The tokens before a standalone `--`, and the free text after it (undefined without `--`). */
function splitAtDoubleDash(
  afterPrefix: string,
  following: readonly string[],
): { tokens: string[]; freeText: string | undefined } {
  const tokens: string[] = [];
  const tokenPattern = /[^ \t]+/g;
  for (let match = tokenPattern.exec(afterPrefix); match !== null; match = tokenPattern.exec(afterPrefix)) {
    if (match[0] === "--") {
      const sameLine = afterPrefix.slice(match.index + 2);
      return { tokens, freeText: trimFreeText(sameLine, following) };
    }
    tokens.push(match[0]);
  }
  return { tokens, freeText: undefined };
}

/**
 * Free text as written, minus blanks around it. When nothing follows `--` on its own line,
 * the text starts at the first non-blank line below, with that line's indentation kept: it
 * may be an indented code block.
 */
function trimFreeText(sameLine: string, following: readonly string[]): string {
  const rest = following.join("\n");
  if (sameLine.trim() === "") return rest.replace(/^(?:[ \t]*\n)*/, "").trimEnd();
  return following.length === 0 ? sameLine.trim() : `${sameLine.trimStart()}\n${rest}`.trimEnd();
}

function takesFreeText(verb: Verb): boolean {
  return verb === "dispatch" || verb === "retry" || verb === "reassign";
}

function isFlag(token: string): boolean {
  return token.startsWith("--");
}

function badTaskKey(word: string, advice: string): Problem {
  return {
    problem:
      `${code(word)} is not a task key. Task keys are \`t\` and a number: \`t1\`, \`t2\`, … ` +
      `(the status comment lists this thread's tasks).${advice === "" ? "" : ` ${advice}`}`,
  };
}

function badAgentName(word: string): Problem {
  return {
    problem:
      `${code(word)} is not an agent name. Agent names start with a letter and hold only ` +
      "letters, digits, `-` and `_` (at most 32 characters), e.g. `claude`.",
  };
}

function tooManyWords(rule: string, args: Arguments, advice: string): Problem {
  const count = args.positionals.length;
  return {
    problem:
      `${rule}, but got ${count} words: ${code(args.positionals.join(" "))}.` + (advice === "" ? "" : ` ${advice}`),
  };
}

// ---------------------------------------------------------------------------------------------
// Message pieces.

function unknownVerbMessage(word: string): string {
  return `${code(word)} is not an orch command.${suggestionFor(word)}\n\n${verbList()}`;
}

function verbList(): string {
  const names = VERBS.map((spec: VerbSpec) =>
    spec.aliases.length === 0
      ? `\`${spec.name}\``
      : `\`${spec.name}\` (or ${spec.aliases.map((alias) => `\`${alias}\``).join(", ")})`,
  );
  return `Commands: ${names.join(", ")}. Type \`/orch help\` for their usage.`;
}

function usageOf(spec: VerbSpec): string {
  const example = spec.examples.find((text) => text.includes(" -- ")) ?? spec.examples.at(-1)!;
  const usage = `Usage: \`${spec.usage}\``;
  return example === spec.usage ? usage : `${usage}\nExample: \`${example}\``;
}

/** " Did you mean `/orch retry`? …" for a near miss, else "". */
function suggestionFor(word: string): string {
  const near = findNearVerb(word);
  if (near === undefined) return "";
  return ` Did you mean \`/orch ${near}\`? Its usage: \`${findVerb(near)!.usage}\``;
}

/**
 * The verb name or alias nearest to a mistyped word: within edit distance 1 for words of up
 * to 4 letters and 2 beyond (a swap of two neighbours counts as one edit), or a prefix of
 * 3+ letters either way ("disp", "cancelled"). Leading dashes and slashes are ignored.
 */
function findNearVerb(word: string): string | undefined {
  // "--help" and "/status" are near misses too: people bring habits from other tools.
  const typed = toAsciiLowerCase(word).replace(/^[-/]+/, "");
  if (typed.length > 32) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of VERBS.flatMap((spec: VerbSpec) => [spec.name, ...spec.aliases])) {
    const isPrefix =
      (typed.length >= 3 && name.startsWith(typed)) || (name.length >= 3 && typed.startsWith(name));
    const distance = isPrefix ? 1 : editDistance(typed, name);
    const limit = Math.min(typed.length, name.length) <= 4 ? 1 : 2;
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i]!;
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      }
      row.push(value);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * User text as an inline code span that nothing can break out of: backticks, control and
 * invisible characters are shown as `\u{…}` escapes, and the text is cut at ~100 characters.
 */
function code(text: string): string {
  let shown = "";
  for (const char of text) {
    const piece = isUnsafeInCodeSpan(char) ? `\\u{${char.codePointAt(0)!.toString(16)}}` : char;
    if (shown.length + piece.length > ECHO_LIMIT) {
      shown += "…";
      break;
    }
    shown += piece;
  }
  return `\`${shown}\``;
}

// Controls, format characters (zero-width, bidi overrides), separators other than the space,
// unassigned, private-use and lone surrogate code points.
const UNSAFE_CHAR = /^(?:[`\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]|(?! )\p{Zs})$/u;

function isUnsafeInCodeSpan(char: string): boolean {
  return UNSAFE_CHAR.test(char);
}

/** The line trimmed and cut to LINE_LIMIT code points, with "…" when cut. */
function shortenLine(line: string): string {
  const trimmed = line.trim();
  let shortened = "";
  let count = 0;
  for (const char of trimmed) {
    if (count === LINE_LIMIT) return `${shortened}…`;
    shortened += char;
    count += 1;
  }
  return shortened;
}

function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}
