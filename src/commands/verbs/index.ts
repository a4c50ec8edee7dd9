/**
 * The verbs of `/orch`, one entry each (see ../verb.ts), in the order `/orch
 * help` lists them. Adding a verb means writing its entry and listing it here.
 */
import { nearestWithin } from "../../text/nearest-word.js";
import { toAsciiLowerCase } from "../grammar/names.js";
import type { VerbDefinition } from "../verb.js";
import { askVerb, type AskCommand } from "./ask.js";
import { cancelVerb, type CancelCommand } from "./cancel.js";
import { cleanupVerb, type CleanupCommand } from "./cleanup.js";
import { councilVerb, type CouncilCommand } from "./council.js";
import { dispatchVerb, type DispatchCommand } from "./dispatch.js";
import { helpVerbOf, type HelpCommand } from "./help.js";
import { pickVerb, type PickCommand } from "./pick.js";
import { reassignVerb, type ReassignCommand } from "./reassign.js";
import { retryVerb, type RetryCommand } from "./retry.js";
import { statusVerb, type StatusCommand } from "./status.js";
import { verifyVerb, type VerifyCommand } from "./verify.js";

/** One well-formed command: what a verb's `parse` returns. Names are lowercase; nothing is checked against the store. */
export type Command = DispatchCommand | RetryCommand | ReassignCommand | CancelCommand | CleanupCommand | VerifyCommand | AskCommand | CouncilCommand | PickCommand | StatusCommand | HelpCommand;

/** Any entry, for code that works with every verb. */
export type AnyVerb = VerbDefinition<Command>;

/** What `/orch help` reads: the verbs, and the lookups below. */
export interface VerbRegistry {
  all(): readonly AnyVerb[];
  find(word: string): AnyVerb | undefined;
  near(word: string): string | undefined;
}

const registry: VerbRegistry = { all: () => VERBS, find: findVerb, near: findNearVerb };

export const VERBS: readonly AnyVerb[] = [dispatchVerb, retryVerb, reassignVerb, cancelVerb, councilVerb, pickVerb, cleanupVerb, verifyVerb, askVerb, statusVerb, helpVerbOf(registry)];

/** A verb's canonical name. */
export type VerbName = Command["verb"];

/** The entry a word names, by name or alias, in any letter case (browsers autocorrect "dispatch" to "Dispatch"). */
export function findVerb(word: string): AnyVerb | undefined {
  const lower = toAsciiLowerCase(word);
  return VERBS.find((verb) => verb.name === lower || verb.aliases.includes(lower));
}

/** The entry for a command. */
export function verbOf(command: Command): AnyVerb {
  return findVerb(command.verb)!;
}

/** The entry whose button has this identifier. */
export function findButtonVerb(identifier: string): AnyVerb | undefined {
  return VERBS.find((verb) => verb.button?.action.identifier === identifier);
}

/**
 * The verb name or alias nearest to a mistyped word: within edit distance 1 for words of up
 * to 4 letters and 2 beyond, or a prefix of 3+ letters either way ("disp", "cancelled").
 * Leading dashes and slashes are ignored ("--help" and "/status" are habits from other tools).
 */
export function findNearVerb(word: string): string | undefined {
  const typed = toAsciiLowerCase(word).replace(/^[-/]+/, "");
  if (typed.length === 0 || typed.length > 32) return undefined;
  const names = VERBS.flatMap((verb) => [verb.name, ...verb.aliases]);
  const prefix = names.find((name) => (typed.length >= 3 && name.startsWith(typed)) || (name.length >= 3 && typed.startsWith(name)));
  if (prefix !== undefined) return prefix;
  return nearestWithin(typed, names, (a, b) => (Math.min(a.length, b.length) <= 4 ? 1 : 2));
}
