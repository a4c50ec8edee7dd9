import { describe, expect, it } from "vitest";
import { MAX_TASKS, parseTaskList } from "./task-list.js";

const list = (...lines: string[]) => lines.join("\n");

describe("parseTaskList", () => {
  it.each([
    ["plain instructions", "fix the flaky login test"],
    ["bullets without checkboxes", list("- fix the login", "- keep the API")],
    ["a checkbox inside a code fence", list("```", "- [ ] not a task", "```")],
    ["a checkbox indented as code", "    - [ ] not a task"],
    ["a checkbox with no space after it", "- [ ]nothing"],
  ])("finds no list in %s", (_, text) => {
    expect(parseTaskList(text)).toEqual({ kind: "none" });
  });

  it("keys items by position, keeps the rest as context, and reads (after …)", () => {
    const parsed = parseTaskList(
      list(
        "Give `list` a JSON mode",
        "- [ ] Add a --json flag to `list`",
        "- [x] Document the flag in the README (after t1)",
        "* [ ] t3: Add tests for `list --json` (after t1, t2)",
        "+ [ ] T9: Ship it (After: t3 and t1)",
        "",
        "Keep the old output the default.",
      ),
    );
    expect(parsed).toEqual({
      kind: "list",
      context: "Give `list` a JSON mode\n\nKeep the old output the default.",
      items: [
        { key: "t1", text: "Add a --json flag to `list`", after: [] },
        { key: "t2", text: "Document the flag in the README", after: ["t1"] },
        { key: "t3", text: "Add tests for `list --json`", after: ["t1", "t2"] },
        { key: "t9", text: "Ship it", after: ["t3", "t1"] },
      ],
    });
  });

  it("keeps code fences in the context and their checkboxes out of the list", () => {
    const parsed = parseTaskList(list("- [ ] real", "~~~", "- [ ] example", "~~~"));
    expect(parsed).toMatchObject({ kind: "list", items: [{ key: "t1", text: "real" }], context: "~~~\n- [ ] example\n~~~" });
  });

  it("takes one dependency once however often it is named", () => {
    expect(parseTaskList(list("- [ ] a", "- [ ] b (after t1 t1)"))).toMatchObject({ items: [{ after: [] }, { after: ["t1"] }] });
  });

  it.each([
    ["a cycle", list("- [ ] a (after t2)", "- [ ] b (after t1)"), "in a cycle (t1 → t2 → t1)"],
    ["a longer cycle", list("- [ ] a (after t3)", "- [ ] b (after t1)", "- [ ] c (after t2)"), "(t1 → t2 → t3 → t1)"],
    ["a task waiting for itself", list("- [ ] a", "- [ ] b (after t2)"), "t2 waits for itself"],
    ["an unknown key", list("- [ ] a", "- [ ] b (after t7)"), "t2 waits for `t7`, which is not in the list (its tasks are t1, t2)"],
    ["a repeated key", list("- [ ] a", "- [ ] t1: b"), "two items are `t1`"],
    ["a key that is not t1 … t999", list("- [ ] t0: a"), "a task key is t1 … t999"],
    ["a key too long", list("- [ ] t1000: a"), "got `t1000`"],
    ["a word that is not a key", list("- [ ] a", "- [ ] b (after the first)"), "`the` is not a task key"],
    ["an empty (after)", list("- [ ] a", "- [ ] b (after)"), "`(after)` names no task"],
    ["an empty item", list("- [ ] a", "- [ ] t2:  "), "t2: the item says nothing to do"],
    ["an item that is only a dependency", list("- [ ] a", "- [ ] (after t1)"), "t2: the item says nothing to do"],
    ["a misspelt after", list("- [ ] a", "- [ ] b (afer t1)"), 'looks like a dependency; write it as `(after t1)`'],
    ["depends on", list("- [ ] a", "- [ ] b (depends on t1)"), '"(depends on t1)" looks like a dependency'],
    ["needs", list("- [ ] a", "- [ ] b (needs t1)"), "looks like a dependency"],
  ])("refuses %s, saying what would be right", (_, text, message) => {
    const parsed = parseTaskList(text);
    expect(parsed.kind).toBe("invalid");
    expect(parsed.kind === "invalid" && parsed.problem).toContain(message);
  });

  it("leaves other parentheses alone", () => {
    expect(parseTaskList(list("- [ ] Fix the parser (the one in src/)", "- [ ] Bump t1 (needs nothing)"))).toMatchObject({
      kind: "list",
      items: [{ text: "Fix the parser (the one in src/)" }, { key: "t2", after: [] }],
    });
  });

  it(`refuses more than ${MAX_TASKS} tasks`, () => {
    const items = Array.from({ length: MAX_TASKS + 1 }, (_, i) => `- [ ] task ${i + 1}`);
    expect(parseTaskList(items.join("\n"))).toEqual({
      kind: "invalid",
      problem: `the task list has ${MAX_TASKS + 1} items; a run holds at most ${MAX_TASKS} tasks. Split it over several dispatches.`,
    });
    expect(parseTaskList(items.slice(0, MAX_TASKS).join("\n"))).toMatchObject({ kind: "list" });
  });
});
