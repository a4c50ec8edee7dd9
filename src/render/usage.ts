/**
 * The words of the command grammar: usage errors, the verb list, near-miss
 * suggestions. Rendered from the verb entries, so a new verb needs no words
 * here.
 */
import type { VerbDefinition } from "../commands/verb.js";
import { userCode } from "./markdown.js";

type AnyVerb = Pick<VerbDefinition<{ verb: string }>, "name" | "aliases" | "usage" | "examples" | "flags">;

/** "Usage: `…`\nExample: `…`" for a verb (the example with free text, when it has one). */
export function renderUsage(verb: AnyVerb): string {
  const example = verb.examples.find((text) => text.includes(" -- ")) ?? verb.examples.at(-1)!;
  const usage = `Usage: \`${verb.usage}\``;
  return example === verb.usage ? usage : `${usage}\nExample: \`${example}\``;
}

export function renderVerbList(verbs: readonly AnyVerb[]): string {
  const names = verbs.map((verb) =>
    verb.aliases.length === 0 ? `\`${verb.name}\`` : `\`${verb.name}\` (or ${verb.aliases.map((alias) => `\`${alias}\``).join(", ")})`,
  );
  return `Commands: ${names.join(", ")}. Type \`/orch help\` for their usage.`;
}

export function renderNoVerb(verbs: readonly AnyVerb[]): string {
  return `\`/orch\` needs a command after it.\n\n${renderVerbList(verbs)}`;
}

/** "`retyr` is not an orch command. Did you mean `/orch retry`? …" */
export function renderUnknownVerb(params: { word: string; near: AnyVerb | undefined; nearName: string | undefined; verbs: readonly AnyVerb[] }): string {
  const { word, near, nearName, verbs } = params;
  const suggestion = near && nearName ? ` Did you mean \`/orch ${nearName}\`? Its usage: \`${near.usage}\`` : "";
  return `${userCode(word)} is not an orch command.${suggestion}\n\n${renderVerbList(verbs)}`;
}

/** A grammar problem, followed by the verb's usage. */
export function renderUsageError(params: { problem: string; verb: AnyVerb; dashHint: boolean }): string {
  return `${params.problem}\n\n${renderUsage(params.verb)}${params.dashHint ? DASH_HINT : ""}`;
}

/** Said after any grammar error on a line that holds a typographic dash. */
export const DASH_HINT = "\n\nAutocorrect may have turned `--` into a dash (—): type two hyphens, `--`.";

export function renderNoTextAllowed(verb: string): string {
  return `\`/orch ${verb}\` takes no text after \`--\`.`;
}

export function renderTextTooLong(params: { what: "instructions" | "feedback" | "question"; length: number; limit: number }): string {
  const { what, length, limit } = params;
  return (
    `After \`--\` come ${formatCount(length)} characters of ${what}; ` +
    `the limit is ${formatCount(limit)}. Shorten the ${what}, or put the details in the issue and point to them.`
  );
}

export function renderUnknownFlag(params: { flag: string; verb: string; allowed: readonly string[] }): string {
  const { flag, verb, allowed } = params;
  const known = allowed.length === 0 ? "It takes no options." : `Its only option is ${allowed.map((f) => `\`${f}\``).join(", ")}.`;
  return `${userCode(flag)} is not an option of \`/orch ${verb}\`. ${known}`;
}

export function renderTooManyCommands(params: { limit: number; count: number }): string {
  const { limit, count } = params;
  const skipped = count - limit;
  return (
    `Only the first ${limit} commands of a comment are run. ` +
    `This comment has ${count}, so the last ${skipped} ${skipped === 1 ? "was" : "were"} not run. ` +
    `Post ${skipped === 1 ? "it" : "them"} in another comment.`
  );
}

export function renderBadTaskKey(word: string, advice: string): string {
  return (
    `${userCode(word)} is not a task key. Task keys are \`t\` and a number: \`t1\`, \`t2\`, … ` +
    `(the status comment lists this thread's tasks).${advice === "" ? "" : ` ${advice}`}`
  );
}

export function renderBadAgentName(word: string): string {
  return (
    `${userCode(word)} is not an agent name. Agent names start with a letter and hold only ` +
    "letters, digits, `-` and `_` (at most 32 characters), e.g. `claude`."
  );
}

export function renderTooManyWords(params: { rule: string; words: readonly string[]; advice: string }): string {
  const { rule, words, advice } = params;
  return `${rule}, but got ${words.length} words: ${userCode(words.join(" "))}.` + (advice === "" ? "" : ` ${advice}`);
}

function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}
