/**
 * The `/orch` comment grammar: a pure function from a comment body to the commands in it.
 * This file finds the command lines (grammar/command-lines.ts) and splits each into words and
 * free text (grammar/tokens.ts); what the words mean is each verb's own `parse`
 * (verbs/*.ts), and every message is rendered from the verb entries (render/usage.ts).
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
 *   - VERB is a verb name or alias of `verbs/index.ts`, in any letter case (browsers autocorrect
 *     "dispatch" to "Dispatch"); `run` means `dispatch`. An unknown verb is an error that
 *     lists the verbs and suggests a near one (within edit distance 1, or 2 past four
 *     letters, or a prefix: see findNearVerb). `/orch` on its own is an error that lists the verbs.
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

import { findCommandLines } from "./grammar/command-lines.js";
import { splitArguments, tokenizeCommandLine } from "./grammar/tokens.js";
import { isProblem } from "./verb.js";
import { findNearVerb, findVerb, VERBS, type Command } from "./verbs/index.js";
import {
  DASH_HINT,
  renderNoTextAllowed,
  renderNoVerb,
  renderTextTooLong,
  renderTooManyCommands,
  renderUnknownFlag,
  renderUnknownVerb,
  renderUsageError,
} from "../render/usage.js";

export type { Command } from "./verbs/index.js";
export type { TaskScope } from "./grammar/shared.js";
export { isValidAgentName, isValidTaskKey } from "./grammar/names.js";

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
    results.push({
      kind: "error",
      line: shortenLine(lines[commandLines[MAX_COMMANDS_PER_COMMENT]!]!),
      message: renderTooManyCommands({ limit: MAX_COMMANDS_PER_COMMENT, count: commandLines.length }),
    });
  }
  return results;
}

function parseCommandLine(line: string, following: readonly string[]): ParseResult {
  const shown = shortenLine(line);
  const error = (message: string): ParseResult => ({ kind: "error", line: shown, message });

  const { words, freeText } = tokenizeCommandLine(line, following);
  const hasDash = /[\u2013\u2014]/.test(words.join(" "));
  const [verbWord, ...rest] = words;
  if (verbWord === undefined) return error(renderNoVerb(VERBS));
  const verb = findVerb(verbWord);
  if (verb === undefined) {
    const nearName = findNearVerb(verbWord);
    return error(renderUnknownVerb({ word: verbWord, nearName, near: nearName ? findVerb(nearName) : undefined, verbs: VERBS }) + (hasDash ? DASH_HINT : ""));
  }
  const usageError = (problem: string): ParseResult => error(renderUsageError({ problem, verb, dashHint: hasDash }));

  if (freeText !== undefined && verb.text === undefined) return usageError(renderNoTextAllowed(verb.name));
  if (freeText !== undefined && verb.text !== undefined && freeText.length > MAX_FREE_TEXT_LENGTH) {
    return error(renderTextTooLong({ what: verb.text, length: freeText.length, limit: MAX_FREE_TEXT_LENGTH }));
  }
  const args = splitArguments(rest);
  const unknownFlag = args.flags.find((flag) => !verb.flags.includes(flag));
  if (unknownFlag !== undefined) return usageError(renderUnknownFlag({ flag: unknownFlag, verb: verb.name, allowed: verb.flags }));
  const parsed = verb.parse(args, freeText === "" ? undefined : freeText);
  if (isProblem(parsed)) return usageError(parsed.problem);
  return { kind: "command", command: parsed, line: shown };
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
