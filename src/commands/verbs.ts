/**
 * The verbs of `/orch` comments: one entry each, and the only place their help text lives.
 * `/orch help` and every usage error render from these entries, so adding a verb means
 * adding one entry here and one case in `parse.ts` (TypeScript points at the missing case).
 *
 * The usages and descriptions are those of DESIGN.md, "Commands".
 */

/** What one verb looks like to a user. */
interface VerbEntry {
  /** The word users type after `/orch`, lowercase. */
  readonly name: string;
  /** Other words that mean the same verb, lowercase. */
  readonly aliases: readonly string[];
  /** The grammar, in the notation of DESIGN.md: `[optional]`, `A | B`, UPPERCASE placeholders. */
  readonly usage: string;
  /** One line: what the verb does. */
  readonly description: string;
  /** One to three complete commands a user could paste. */
  readonly examples: readonly [string, ...string[]];
}

export const VERBS = [
  {
    name: "dispatch",
    aliases: ["run"],
    usage: "/orch dispatch [AGENT] [-- INSTRUCTIONS]",
    description: "start a run on this thread",
    examples: [
      "/orch dispatch",
      "/orch dispatch claude",
      "/orch dispatch codex -- fix the flaky login test; keep the public API unchanged",
    ],
  },
  {
    name: "retry",
    aliases: [],
    usage: "/orch retry [TASK] [-- FEEDBACK]",
    description:
      "new attempt, same agent, for a failed, blocked, timed-out, lost or cancelled task",
    examples: ["/orch retry", "/orch retry t2 -- the tests still fail on Windows"],
  },
  {
    name: "reassign",
    aliases: [],
    usage: "/orch reassign [TASK] AGENT [-- FEEDBACK]",
    description: "new attempt with another agent, for a failed or blocked task",
    examples: ["/orch reassign claude", "/orch reassign t2 gemini -- start from the failing test"],
  },
  {
    name: "cancel",
    aliases: [],
    usage: "/orch cancel [TASK | --run]",
    description: "cancel the task's active attempt, or every active attempt of the run",
    examples: ["/orch cancel", "/orch cancel t2", "/orch cancel --run"],
  },
  {
    name: "cleanup",
    aliases: [],
    usage: "/orch cleanup [TASK | --run]",
    description: "remove the worktrees of finished attempts; branches stay",
    examples: ["/orch cleanup", "/orch cleanup t2", "/orch cleanup --run"],
  },
  {
    name: "status",
    aliases: [],
    usage: "/orch status",
    description: "post or refresh the status comment",
    examples: ["/orch status"],
  },
  {
    name: "help",
    aliases: [],
    usage: "/orch help [VERB]",
    description: "usage, of every command or of one",
    examples: ["/orch help", "/orch help reassign"],
  },
] as const satisfies readonly VerbEntry[];

/** A verb's canonical name: "dispatch" | "retry" | "reassign" | "cancel" | "cleanup" | "status" | "help". */
export type Verb = (typeof VERBS)[number]["name"];

/** One entry of {@link VERBS}. */
export interface VerbSpec extends VerbEntry {
  readonly name: Verb;
}

/**
 * The verb a word names, by its name or an alias, in any letter case (browsers autocorrect
 * "/orch dispatch" to "/orch Dispatch"). Only ASCII letters are folded: `String#toLowerCase`
 * would also turn the Kelvin sign "K" into "k", and a lookalike must not pass for a verb.
 */
export function findVerb(word: string): VerbSpec | undefined {
  const lower = toAsciiLowerCase(word);
  return VERBS.find(
    (spec: VerbSpec) => spec.name === lower || spec.aliases.includes(lower),
  );
}

/** Lowercases A–Z only; every other character is kept as it is. */
export function toAsciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
