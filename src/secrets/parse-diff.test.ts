import { describe, expect, it } from "vitest";
import { findHeaderPath, parseDiff, unquoteGitPath } from "./parse-diff.js";

describe("unquoteGitPath", () => {
  it.each([
    { name: "a plain path", quoted: "b/src/app.ts", expected: "b/src/app.ts" },
    { name: "octal UTF-8 and escaped quotes", quoted: '"b/sp\\303\\251cial \\"q\\".txt"', expected: 'b/spécial "q".txt' },
    { name: "a backslash", quoted: '"b/a\\\\b"', expected: "b/a\\b" },
    { name: "tab and newline", quoted: '"b/t\\tn\\n"', expected: "b/t\tn\n" },
    { name: "CJK as octal", quoted: '"b/\\346\\227\\245.txt"', expected: "b/日.txt" },
    { name: "trailing tab after the closing quote", quoted: '"b/\\303\\251.txt"\t', expected: "b/é.txt" },
    { name: "an unknown escape kept as a backslash", quoted: '"b/a\\qb"', expected: "b/a\\qb" },
    { name: "unterminated", quoted: '"b/abc', expected: "b/abc" },
  ])("$name", ({ quoted, expected }) => {
    expect(unquoteGitPath(quoted)).toBe(expected);
  });
});

describe("findHeaderPath", () => {
  it.each([
    { name: "plain", rest: "a/x.txt b/x.txt", expected: "x.txt" },
    { name: "spaces", rest: "a/my dir/f g.txt b/my dir/f g.txt", expected: "my dir/f g.txt" },
    { name: "' b/' inside the name", rest: "a/a b/c b/d b/a b/c b/d", expected: "a b/c b/d" },
    { name: "quoted", rest: '"a/\\303\\251" "b/\\303\\251"', expected: "é" },
    { name: "no b/ side", rest: "garbage", expected: undefined },
  ])("$name", ({ rest, expected }) => {
    expect(findHeaderPath(rest)).toBe(expected);
  });
});

describe("parseDiff", () => {
  it("reads added lines with their new line numbers, across hunks", () => {
    const diff = [
      "diff --git a/f.txt b/f.txt",
      "index 1111111..2222222 100644",
      "--- a/f.txt",
      "+++ b/f.txt",
      "@@ -2 +2,2 @@",
      "-old two",
      "+new two",
      "+new three",
      "@@ -10,0 +12 @@ function x() {",
      "+twelve",
      "\\ No newline at end of file",
      "",
    ].join("\n");

    expect(parseDiff(diff)).toEqual({
      files: [
        {
          path: "f.txt",
          isNew: false,
          isDeleted: false,
          added: [
            { line: 2, text: "new two" },
            { line: 3, text: "new three" },
            { line: 12, text: "twelve" },
          ],
        },
      ],
      removed: ["old two"],
    });
  });

  it("reads non-ASCII names that git did not quote (core.quotePath=false)", () => {
    const diff = ["diff --git a/日本.txt b/日本.txt", "new file mode 100644", "--- /dev/null", "+++ b/日本.txt", "@@ -0,0 +1 @@", "+x", ""].join("\n");

    expect(parseDiff(diff).files).toEqual([{ path: "日本.txt", isNew: true, isDeleted: false, added: [{ line: 1, text: "x" }] }]);
  });

  it("marks a deleted file and keeps its lines as removed", () => {
    const diff = ["diff --git a/gone.txt b/gone.txt", "deleted file mode 100644", "--- a/gone.txt", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-a", "-b", ""].join("\n");

    expect(parseDiff(diff)).toEqual({
      files: [{ path: "gone.txt", isNew: false, isDeleted: true, added: [] }],
      removed: ["gone.txt", "a", "b"],
    });
  });

  it("takes the name of a new empty file from the diff --git line", () => {
    const diff = ["diff --git a/empty b/empty", "new file mode 100644", "index 0000000..e69de29", ""].join("\n");

    expect(parseDiff(diff).files).toEqual([{ path: "empty", isNew: true, isDeleted: false, added: [] }]);
  });

  it("keeps a carriage return that belongs to the line", () => {
    const diff = ["diff --git a/w.txt b/w.txt", "--- a/w.txt", "+++ b/w.txt", "@@ -1 +1 @@", "-a\r", "+b\r", ""].join("\n");

    expect(parseDiff(diff).files[0]?.added).toEqual([{ line: 1, text: "b\r" }]);
  });

  it("ignores text before the first file", () => {
    expect(parseDiff("warning: something\n+not a line\n")).toEqual({ files: [], removed: [] });
  });
});
