/**
 * One command line in pieces: the words after `/orch` up to a standalone
 * `--`, and the free text after it (which runs on over the lines below, up to
 * the next command line). Pure; no meaning is given to any word here.
 */
import { COMMAND_START } from "./command-lines.js";
import { toAsciiLowerCase } from "./names.js";

export interface CommandLineTokens {
  /** The words before `--` (the first is the verb), as written. */
  words: string[];
  /** The text after `--`, trimmed (see trimFreeText); undefined without `--`. */
  freeText: string | undefined;
}

/** Splits a command line (and the lines after it) into its words and free text. */
export function tokenizeCommandLine(line: string, following: readonly string[]): CommandLineTokens {
  const afterPrefix = line.replace(COMMAND_START, "");
  const words: string[] = [];
  const tokenPattern = /[^ \t]+/g;
  for (let match = tokenPattern.exec(afterPrefix); match !== null; match = tokenPattern.exec(afterPrefix)) {
    if (match[0] === "--") {
      const sameLine = afterPrefix.slice(match.index + 2);
      return { words, freeText: trimFreeText(sameLine, following) };
    }
    words.push(match[0]);
  }
  return { words, freeText: undefined };
}

/** A verb's arguments: the words after it, as positionals and `--flags`. */
export interface VerbArguments {
  /** Words that do not start with `--`, in order. */
  readonly positionals: readonly string[];
  /** Words that start with `--` (and are not `--` itself), lowercased. */
  readonly flags: readonly string[];
}

export function splitArguments(words: readonly string[]): VerbArguments {
  return {
    positionals: words.filter((word) => !isFlag(word)),
    flags: words.filter(isFlag).map(toAsciiLowerCase),
  };
}

function isFlag(word: string): boolean {
  return word.startsWith("--");
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
