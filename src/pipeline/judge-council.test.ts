import { describe, expect, it } from "vitest";
import { buildScrubber, shuffleRandomly } from "./judge-council.js";

describe("buildScrubber", () => {
  const scrub = buildScrubber({
    attempts: [
      { agent: "claude", branch: "orch/7/t1/a1", worktreePath: "/srv/orch/worktrees/41" },
      { agent: "my-codex", branch: "orch/7/t1/a2", worktreePath: null },
      { agent: "claude", branch: "orch/7/t1/a10", worktreePath: null },
    ],
  });

  it.each([
    { name: "an agent name, any case", text: "Written by Claude and CLAUDE.", want: "Written by [agent] and [agent]." },
    { name: "a name with a dash", text: "my-codex did it", want: "[agent] did it" },
    { name: "not inside a longer word", text: "claudette and my-codexes stay", want: "claudette and my-codexes stay" },
    { name: "branches, the longest first", text: "on orch/7/t1/a10 and orch/7/t1/a1", want: "on [removed by orch] and [removed by orch]" },
    { name: "a worktree path", text: "cd /srv/orch/worktrees/41/src", want: "cd [removed by orch]/src" },
  ])("replaces $name", ({ text, want }) => {
    expect(scrub(text)).toBe(want);
  });
});

describe("shuffleRandomly", () => {
  it("keeps every item once", () => {
    const items = [1, 2, 3, 4, 5];
    expect(shuffleRandomly(items).sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5]);
  });
});
