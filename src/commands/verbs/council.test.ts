import { describe, expect, it } from "vitest";
import { councilVerb } from "./council.js";
import { pickVerb } from "./pick.js";

const args = (positionals: string[], flags: string[] = []) => ({ positionals, flags });

describe("council grammar", () => {
  it.each([
    [["claude", "codex"], [], undefined, { verb: "council", agents: ["claude", "codex"] }],
    [["Claude", "codex", "gemini"], [], "fix it", { verb: "council", agents: ["claude", "codex", "gemini"], instructions: "fix it" }],
    [["claude", "3"], ["--n"], undefined, { verb: "council", agents: ["claude"], n: 3 }],
    [["2"], ["--n"], undefined, { verb: "council", agents: [], n: 2 }],
  ] as const)("reads %j %j", (positionals, flags, text, command) => {
    expect(councilVerb.parse(args([...positionals], [...flags]), text)).toEqual(command);
  });

  it.each([
    [["claude"], [], "a council compares 2 or more attempts"],
    [[], [], "a council compares 2 or more attempts"],
    [["a", "b", "c", "d", "e", "f"], [], "at most 5 attempts"],
    [["claude", "3"], [], "`3` is not an agent; for N attempts of one agent write `--n 3`."],
    [["claude"], ["--n"], "`--n` takes one number of attempts, 2 to 5"],
    [["claude", "9"], ["--n"], "`--n 9`: a council runs 2 to 5 attempts."],
    [["claude", "codex", "3"], ["--n"], "name one agent with it"],
    [["cl;aude", "codex"], [], "cl;aude"],
  ] as const)("refuses %j %j, saying what would be right", (positionals, flags, message) => {
    expect(councilVerb.parse(args([...positionals], [...flags]), undefined)).toMatchObject({ problem: expect.stringContaining(message) });
  });
});

describe("pick grammar", () => {
  it.each([
    ["a2", { verb: "pick", number: 2 }],
    ["A3", { verb: "pick", number: 3 }],
    ["t2/a1", { verb: "pick", task: "t2", number: 1 }],
  ] as const)("reads %s", (word, command) => {
    expect(pickVerb.parse(args([word]), undefined)).toEqual(command);
  });

  it.each([[[]], [["2"]], [["a0"]], [["t1-a2"]], [["a2", "a3"]]] as const)("refuses %j", (positionals) => {
    expect(pickVerb.parse(args([...positionals]), undefined)).toMatchObject({ problem: expect.stringContaining("pick") });
  });
});
