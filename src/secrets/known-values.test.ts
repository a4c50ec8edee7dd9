import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildForms, KnownValues } from "./known-values.js";

const basic = (value: string) => Buffer.from(`x-access-token:${value}`).toString("base64");

describe("buildForms", () => {
  it.each([
    { name: "a token", value: "tok-1234567890", forms: ["tok-1234567890", basic("tok-1234567890")] },
    {
      name: "a value JSON escapes",
      value: 'a"b\\c-12345',
      forms: ['a"b\\c-12345', 'a\\"b\\\\c-12345', basic('a"b\\c-12345')],
    },
    {
      name: "a multi-line value: itself, as JSON, and its long lines without the armour",
      value: "-----BEGIN X-----\nabcdefghijklmnopqrstuvwxyz\nshort\n-----END X-----\n",
      forms: [
        "-----BEGIN X-----\nabcdefghijklmnopqrstuvwxyz\nshort\n-----END X-----\n",
        "-----BEGIN X-----\\nabcdefghijklmnopqrstuvwxyz\\nshort\\n-----END X-----\\n",
        "abcdefghijklmnopqrstuvwxyz",
      ],
    },
  ])("$name", ({ value, forms }) => {
    expect(buildForms(value)).toEqual(forms);
  });
});

describe("KnownValues.findRanges", () => {
  it("finds every one of many values (more than one pattern's worth)", () => {
    const tokens = Array.from({ length: 200 }, (_, i) => `ghs_${crypto.createHash("sha256").update(String(i)).digest("hex").slice(0, 36)}`);
    const known = new KnownValues();
    for (const token of tokens) known.add(token);
    const text = tokens.map((token, i) => `${i}: ${token} / ${basic(token)}`).join("\n");

    const found = known.findRanges(text).map((range) => text.slice(range.start, range.end));

    expect(found).toEqual(tokens.flatMap((token) => [token, basic(token)]));
  });

  it("returns overlapping finds in order of their start", () => {
    const known = new KnownValues({ values: ["abcdefgh12", "fgh12345xyz", "12345xyz-more"] });

    expect(known.findRanges("abcdefgh12345xyz-more")).toEqual([
      { start: 0, end: 10 },
      { start: 5, end: 16 },
      { start: 8, end: 21 },
    ]);
  });

  it("finds nothing when nothing is known", () => {
    expect(new KnownValues().findRanges("anything at all")).toEqual([]);
  });
});
