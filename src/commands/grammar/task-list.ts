/**
 * Task lists in a dispatch's instructions: each checkbox item is a task.
 *
 *     Give `list` a JSON mode             ← context, given to every task
 *     - [ ] Add a --json flag to `list`    ← t1
 *     - [ ] Document the flag (after t1)   ← t2, starts once t1 succeeded
 *     - [ ] t5: Add tests (after t1, t2)   ← a named key
 *
 * Items are `- [ ]`, `* [ ]` or `+ [ ]` (checked or not) outside code fences,
 * keyed t1, t2, … by position unless they start with their own key (`t5:`).
 * A trailing `(after t1, t2)` (commas, spaces or "and" between keys) makes
 * the task wait for those. Pure: what the list means is checked here (keys,
 * dependencies, cycles, size); whether to honour lists at all is the
 * repository's `task_lists`.
 */
import { nearestWithin } from "../../text/nearest-word.js";
import { isValidTaskKey } from "./names.js";

export const MAX_TASKS = 20;

export interface TaskListItem {
  key: string;
  /** The item's text, without its key and its `(after …)`. */
  text: string;
  /** Keys of the tasks it waits for, in the order written. */
  after: string[];
}

export type TaskListParse =
  /** No checkbox item: the instructions are one task's. */
  | { kind: "none" }
  /** `context` is every line that is not an item (trimmed), for every task's prompt. */
  | { kind: "list"; context: string; items: TaskListItem[] }
  | { kind: "invalid"; problem: string };

const ITEM = /^ {0,3}[-*+][ \t]+\[[ xX]\][ \t]+(.*)$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const NAMED_KEY = /^([tT][0-9]+)[ \t]*:[ \t]*(.*)$/;
const AFTER = /\([ \t]*after[ \t]*:?[ \t]*([^()]*)\)[ \t]*$/i;
/** A trailing parenthesis that opens with a word: checked for near misses of "after". */
const TRAILING_WORDS = /\([ \t]*([A-Za-z]+)(?:[ \t]+([A-Za-z]+))?[^()]*\)[ \t]*$/;
const DEPENDENCY_WORDS = ["depends", "needs", "requires", "waits", "blocked", "before"];

export function parseTaskList(instructions: string): TaskListParse {
  const lines = instructions.split(/\r?\n/);
  const context: string[] = [];
  const raw: { text: string; line: number }[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      context.push(line);
      return;
    }
    if (marker !== undefined) {
      fence = marker;
      context.push(line);
      return;
    }
    const item = ITEM.exec(line);
    if (item) raw.push({ text: item[1]!.trim(), line: index + 1 });
    else context.push(line);
  });
  if (raw.length === 0) return { kind: "none" };
  if (raw.length > MAX_TASKS) {
    return invalid(`the task list has ${raw.length} items; a run holds at most ${MAX_TASKS} tasks. Split it over several dispatches.`);
  }

  const items: TaskListItem[] = [];
  for (const [index, { text }] of raw.entries()) {
    const parsed = parseItem(text, `t${index + 1}`);
    if ("problem" in parsed) return invalid(parsed.problem);
    items.push(parsed);
  }
  const problem = checkKeys(items) ?? findCycle(items);
  if (problem) return invalid(problem);
  return { kind: "list", context: context.join("\n").trim(), items };
}

function invalid(problem: string): TaskListParse {
  return { kind: "invalid", problem };
}

function parseItem(text: string, positionalKey: string): TaskListItem | { problem: string } {
  let key = positionalKey;
  let rest = text;
  const named = NAMED_KEY.exec(rest);
  if (named) {
    if (!isValidTaskKey(named[1]!)) {
      return { problem: `"${clip(text)}": a task key is t1 … t999 (like \`t3: …\`); got \`${named[1]}\`.` };
    }
    key = named[1]!.toLowerCase();
    rest = named[2]!;
  }
  let after: string[] = [];
  const dependency = AFTER.exec(rest);
  if (dependency) {
    const words = dependency[1]!.split(/[\s,]+/).filter((word) => word !== "" && word.toLowerCase() !== "and");
    if (words.length === 0) return { problem: `${key}: \`(after)\` names no task; write \`(after t1)\` or \`(after t1, t2)\`.` };
    const bad = words.find((word) => !isValidTaskKey(word));
    if (bad !== undefined) return { problem: `${key}: \`(after ${dependency[1]!.trim()})\`: \`${clip(bad)}\` is not a task key; keys are t1 … t999, like \`(after t1, t2)\`.` };
    after = [...new Set(words.map((word) => word.toLowerCase()))];
    rest = rest.slice(0, dependency.index);
  } else {
    const nearMiss = findNearMiss(rest);
    if (nearMiss) return { problem: `${key}: "${clip(nearMiss)}" looks like a dependency; write it as \`(after t1)\` (or \`(after t1, t2)\`) at the end of the item.` };
  }
  rest = rest.trim();
  if (rest === "") return { problem: `${key}: the item says nothing to do; give each task a line of instructions.` };
  return { key, text: rest, after };
}

/** "(afer t1)", "(depends on t1)", "(needs t2)": meant as a dependency, not understood. */
function findNearMiss(text: string): string | undefined {
  const match = TRAILING_WORDS.exec(text);
  if (!match) return undefined;
  const word = match[1]!.toLowerCase();
  const mentionsKey = /\b[tT][1-9][0-9]{0,2}\b/.test(match[0]);
  const isNear = nearestWithin(word, ["after"], () => 2) !== undefined || DEPENDENCY_WORDS.includes(word);
  return isNear && mentionsKey ? match[0].trim() : undefined;
}

function checkKeys(items: readonly TaskListItem[]): string | undefined {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.key)) {
      return `two items are \`${item.key}\`: items are t1, t2, … in order unless they name their key, so a named key must not repeat another item's.`;
    }
    seen.add(item.key);
  }
  for (const item of items) {
    if (item.after.includes(item.key)) return `${item.key} waits for itself; a task can wait only for others.`;
    const unknown = item.after.find((key) => !seen.has(key));
    if (unknown !== undefined) return `${item.key} waits for \`${unknown}\`, which is not in the list (its tasks are ${[...seen].join(", ")}).`;
  }
  return undefined;
}

/** A dependency cycle, as "t1 → t2 → t1", or undefined. */
function findCycle(items: readonly TaskListItem[]): string | undefined {
  const after = new Map(items.map((item) => [item.key, item.after]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (key: string): string[] | undefined => {
    if (state.get(key) === "done") return undefined;
    if (state.get(key) === "visiting") return [...path.slice(path.indexOf(key)), key];
    state.set(key, "visiting");
    path.push(key);
    for (const next of after.get(key) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const item of items) {
    const cycle = visit(item.key);
    // Shown in the order the work would go: each task before the ones waiting for it.
    if (cycle) return `the tasks wait for each other in a cycle (${cycle.reverse().join(" → ")}), so none could start; remove one of those \`(after …)\`.`;
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
