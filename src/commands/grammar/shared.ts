/**
 * Grammar pieces several verbs share: a TASK-or-`--run` scope, and the
 * problems for a bad name or too many words (worded in render/usage.ts).
 */
import { renderBadAgentName, renderBadTaskKey, renderTooManyWords } from "../../render/usage.js";
import type { Problem } from "../verb.js";
import { isValidTaskKey } from "./names.js";
import type { VerbArguments } from "./tokens.js";

/** What cancel and cleanup act on. `attempt` comes from a button only; `active` from the cancel label only. */
export type TaskScope =
  | { kind: "task"; task?: string }
  | { kind: "run" }
  | { kind: "attempt"; attemptId: number }
  | { kind: "active" };

export function badTaskKey(word: string, advice = ""): Problem {
  return { problem: renderBadTaskKey(word, advice) };
}

export function badAgentName(word: string): Problem {
  return { problem: renderBadAgentName(word) };
}

export function tooManyWords(rule: string, args: VerbArguments, advice: string): Problem {
  return { problem: renderTooManyWords({ rule, words: args.positionals, advice }) };
}

/** `[TASK | --run]`, as cancel and cleanup take it. */
export function parseTaskScope(verb: "cancel" | "cleanup", args: VerbArguments): { scope: TaskScope } | Problem {
  const wholeRun = args.flags.length > 0;
  const [task, ...extra] = args.positionals;
  if (wholeRun && task !== undefined) return { problem: `\`${verb}\` takes a TASK or \`--run\`, not both.` };
  if (wholeRun) return { scope: { kind: "run" } };
  if (task === undefined) return { scope: { kind: "task" } };
  if (!isValidTaskKey(task)) return badTaskKey(task);
  if (extra.length > 0) {
    return tooManyWords(
      `\`${verb}\` takes one TASK or \`--run\``,
      args,
      `Write one \`/orch ${verb}\` line per task, or use \`--run\` for all of them.`,
    );
  }
  return { scope: { kind: "task", task: task.toLowerCase() } };
}
