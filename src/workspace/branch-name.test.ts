import { describe, expect, it } from "vitest";
import { assertFullSha, buildBranchName, isFullSha, isSafeRefName, isSafeRepoName } from "./branch-name.js";
import { isWorkspaceError } from "./errors.js";

describe("buildBranchName", () => {
  it.each([
    { name: "first attempt", input: { threadNumber: 42, taskKey: "t1", attemptNumber: 1 }, expected: "orch/42/t1/a1" },
    { name: "later attempt", input: { threadNumber: 7, taskKey: "t12", attemptNumber: 3 }, expected: "orch/7/t12/a3" },
    { name: "task key with dash", input: { threadNumber: 1, taskKey: "fix-docs", attemptNumber: 2 }, expected: "orch/1/fix-docs/a2" },
  ])("$name", ({ input, expected }) => {
    expect(buildBranchName(input)).toBe(expected);
    expect(isSafeRefName(expected)).toBe(true);
  });

  it.each([
    { name: "zero thread", input: { threadNumber: 0, taskKey: "t1", attemptNumber: 1 } },
    { name: "negative attempt", input: { threadNumber: 1, taskKey: "t1", attemptNumber: -1 } },
    { name: "fractional thread", input: { threadNumber: 1.5, taskKey: "t1", attemptNumber: 1 } },
    { name: "NaN attempt", input: { threadNumber: 1, taskKey: "t1", attemptNumber: Number.NaN } },
    { name: "traversal in task key", input: { threadNumber: 1, taskKey: "../x", attemptNumber: 1 } },
    { name: "slash in task key", input: { threadNumber: 1, taskKey: "t1/a1", attemptNumber: 1 } },
    { name: "empty task key", input: { threadNumber: 1, taskKey: "", attemptNumber: 1 } },
    { name: "option-like task key", input: { threadNumber: 1, taskKey: "-rf", attemptNumber: 1 } },
    { name: "too long", input: { threadNumber: 1, taskKey: "t".repeat(250), attemptNumber: 1 } },
  ])("refuses $name", ({ input }) => {
    let thrown: unknown;
    try {
      buildBranchName(input);
    } catch (error) {
      thrown = error;
    }
    expect(isWorkspaceError(thrown, "unsafe_ref")).toBe(true);
  });
});

describe("isSafeRefName", () => {
  it.each([
    { name: "orch branch", ref: "orch/42/t1/a1", safe: true },
    { name: "one level", ref: "main", safe: true },
    { name: "full ref", ref: "refs/heads/release/1.2", safe: true },
    { name: "dots and underscores inside", ref: "feature/v1.2_x", safe: true },
    { name: "200 chars", ref: "a".repeat(200), safe: true },
    { name: "dot inside component (near miss of leading dot)", ref: "a/b.c", safe: true },
    { name: "lock inside name (near miss of .lock suffix)", ref: "a.locked", safe: true },
    { name: "empty", ref: "", safe: false },
    { name: "201 chars", ref: "a".repeat(201), safe: false },
    { name: "300 chars", ref: "a".repeat(300), safe: false },
    { name: "double dot", ref: "a..b", safe: false },
    { name: "parent traversal", ref: "../x", safe: false },
    { name: "leading dash", ref: "-rf", safe: false },
    { name: "leading slash", ref: "/x", safe: false },
    { name: "trailing slash", ref: "x/", safe: false },
    { name: "double slash", ref: "a//b", safe: false },
    { name: "trailing dot", ref: "x.", safe: false },
    { name: ".lock suffix", ref: "x.lock", safe: false },
    { name: ".lock component", ref: "a.lock/b", safe: false },
    { name: "component starting with dot", ref: "a/.b", safe: false },
    { name: "leading dot", ref: ".x", safe: false },
    { name: "reflog syntax", ref: "a@{1}", safe: false },
    { name: "lone @", ref: "@", safe: false },
    { name: "HEAD", ref: "HEAD", safe: false },
    { name: "space", ref: "a b", safe: false },
    { name: "newline", ref: "a\nb", safe: false },
    { name: "tab", ref: "a\tb", safe: false },
    { name: "NUL", ref: "a\0b", safe: false },
    { name: "DEL", ref: "a\x7fb", safe: false },
    { name: "semicolon", ref: "x;y", safe: false },
    { name: "tilde", ref: "a~1", safe: false },
    { name: "caret", ref: "a^", safe: false },
    { name: "colon", ref: "a:b", safe: false },
    { name: "question mark", ref: "a?", safe: false },
    { name: "star", ref: "a*", safe: false },
    { name: "bracket", ref: "a[b", safe: false },
    { name: "backslash", ref: "a\\b", safe: false },
    { name: "shell substitution", ref: "$(id)", safe: false },
    { name: "non-ASCII", ref: "café", safe: false },
  ])("$name → $safe", ({ ref, safe }) => {
    expect(isSafeRefName(ref)).toBe(safe);
  });
});

describe("isSafeRepoName", () => {
  it.each([
    { name: "plain", owner: "octo-org", repo: "hello-world", safe: true },
    { name: "dots and underscores", owner: "a_b", repo: "site.github.io", safe: true },
    { name: "100 chars", owner: "o", repo: "r".repeat(100), safe: true },
    { name: "leading dot (allowed by GitHub)", owner: "o", repo: ".github", safe: true },
    { name: "101 chars", owner: "o", repo: "r".repeat(101), safe: false },
    { name: "dot", owner: "o", repo: ".", safe: false },
    { name: "dot dot", owner: "..", repo: "r", safe: false },
    { name: "leading dash", owner: "-o", repo: "r", safe: false },
    { name: "slash", owner: "o", repo: "a/b", safe: false },
    { name: "traversal", owner: "o", repo: "../../etc", safe: false },
    { name: "empty owner", owner: "", repo: "r", safe: false },
    { name: "space", owner: "o", repo: "a b", safe: false },
    { name: "newline", owner: "o\n", repo: "r", safe: false },
    { name: "backslash", owner: "o", repo: "a\\b", safe: false },
  ])("$name → $safe", ({ owner, repo, safe }) => {
    expect(isSafeRepoName(owner, repo)).toBe(safe);
  });
});

describe("isFullSha", () => {
  it.each([
    { name: "sha-1", sha: "a".repeat(40), valid: true },
    { name: "sha-256", sha: "0".repeat(64), valid: true },
    { name: "abbreviated", sha: "abc1234", valid: false },
    { name: "upper case", sha: "A".repeat(40), valid: false },
    { name: "ref name", sha: "main", valid: false },
    { name: "option", sha: "--output=/tmp/x", valid: false },
  ])("$name → $valid", ({ sha, valid }) => {
    expect(isFullSha(sha)).toBe(valid);
    if (!valid) expect(() => assertFullSha(sha)).toThrow(/not a full commit sha/);
  });
});
