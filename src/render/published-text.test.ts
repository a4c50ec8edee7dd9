import { describe, expect, it } from "vitest";
import { escapeInline } from "./markdown.js";
import { stripBidiControls, stripBidiControlsDeep } from "./published-text.js";

describe("stripBidiControls", () => {
  it.each([
    { name: "right-to-left override", text: "safe\u202e;txt.exe", want: "safe;txt.exe" },
    { name: "isolates", text: "a\u2066b\u2067c\u2068d\u2069e", want: "abcde" },
    { name: "marks", text: "x\u200ey\u200fz\u061c", want: "xyz" },
    { name: "embeddings and pop", text: "\u202a\u202b\u202cok", want: "ok" },
    { name: "near miss: a zero-width space stays", text: "@\u200bsomeone", want: "@\u200bsomeone" },
    { name: "near miss: real right-to-left text stays", text: "שלום", want: "שלום" },
  ])("$name", ({ text, want }) => {
    expect(stripBidiControls(text)).toBe(want);
  });

  it("walks nested data without touching the input", () => {
    const input = { output: { summary: "a\u202eb", lines: ["c\u2066d", 3] }, draft: true };
    expect(stripBidiControlsDeep(input)).toEqual({ output: { summary: "ab", lines: ["cd", 3] }, draft: true });
    expect(input.output.summary).toBe("a\u202eb");
  });
});

describe("escapeInline", () => {
  it.each([
    { name: "an entity-encoded mention", text: "ping &commat;maintainer", want: "ping &amp;commat;maintainer" },
    { name: "a numeric mention", text: "ping &#64;maintainer", want: "ping &amp;\\#64;maintainer" },
    { name: "a plain mention", text: "ping @maintainer", want: "ping @\u200bmaintainer" },
    { name: "entity-encoded markup", text: "&lt;img src=x&gt;", want: "&amp;lt;img src=x&amp;gt;" },
  ])("neutralises $name", ({ text, want }) => {
    expect(escapeInline(text)).toBe(want);
  });
});
