import { describe, expect, it } from "vitest";
import { formatConfigDuration, formatDuration, parseAge, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    { name: "seconds", input: "90s", want: 90_000 },
    { name: "minutes", input: "30m", want: 1_800_000 },
    { name: "hours", input: "2h", want: 7_200_000 },
    { name: "hours and minutes", input: "1h30m", want: 5_400_000 },
    { name: "all three parts", input: "1h2m3s", want: 3_723_000 },
    { name: "minutes and seconds", input: "2m30s", want: 150_000 },
    { name: "zero", input: "0s", want: 0 },
    { name: "parts beyond their unit", input: "90m", want: 5_400_000 },
    { name: "surrounding blanks", input: "  10s ", want: 10_000 },
    { name: "a number of seconds", input: 90, want: 90_000 },
    { name: "zero seconds as a number", input: 0, want: 0 },
    { name: "fractional seconds as a number", input: 1.5, want: 1_500 },
  ])("parses $name", ({ input, want }) => {
    expect(parseDuration(input)).toBe(want);
  });

  it.each([
    { name: "a word", input: "soon" },
    { name: "empty", input: "" },
    { name: "blank", input: "   " },
    { name: "a quoted number without unit", input: "90" },
    { name: "a fraction with unit", input: "1.5h" },
    { name: "a negative string", input: "-5s" },
    { name: "a space inside", input: "30 m" },
    { name: "parts out of order", input: "30m1h" },
    { name: "a repeated part", input: "1h1h" },
    { name: "an unknown unit", input: "1d" },
    { name: "milliseconds", input: "500ms" },
    { name: "upper-case unit", input: "30M" },
    { name: "a unit without number", input: "h" },
    { name: "a negative number", input: -1 },
    { name: "NaN", input: Number.NaN },
    { name: "Infinity", input: Number.POSITIVE_INFINITY },
  ])("refuses $name", ({ input }) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe("formatConfigDuration", () => {
  it.each([
    { name: "zero", ms: 0, text: "0s" },
    { name: "seconds", ms: 10_000, text: "10s" },
    { name: "minutes", ms: 10 * 60_000, text: "10m" },
    { name: "a day in hours", ms: 24 * 3_600_000, text: "24h" },
    { name: "every part", ms: 3_723_000, text: "1h2m3s" },
    { name: "hours and seconds, no minutes", ms: 3_605_000, text: "1h5s" },
  ])("$name: $ms ms → $text, which parseDuration reads back", ({ ms, text }) => {
    expect(formatConfigDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it("writes a fraction of a second as decimal seconds", () => {
    expect(formatConfigDuration(1_500)).toBe("1.5s");
  });
});

describe("formatDuration", () => {
  it.each([
    { ms: 300, text: "0.3s" },
    { ms: 2_300, text: "2.3s" },
    { ms: 65_000, text: "1m 5s" },
    { ms: 30 * 60_000, text: "30m" },
    { ms: 2 * 3_600_000 + 5 * 60_000, text: "2h 5m" },
  ])("$ms ms → $text", ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("parseAge", () => {
  it.each([
    { name: "days", input: "7d", want: 7 * 86_400_000 },
    { name: "days and hours", input: "1d12h", want: 36 * 3_600_000 },
    { name: "zero seconds", input: "0s", want: 0 },
    { name: "hours alone", input: "2h", want: 7_200_000 },
  ])("parses $name", ({ input, want }) => {
    expect(parseAge(input)).toBe(want);
  });

  it.each([
    { name: "a word", input: "old" },
    { name: "a bare number", input: "7" },
    { name: "days after hours", input: "12h1d" },
    { name: "weeks", input: "1w" },
    { name: "a negative age", input: "-1d" },
    { name: "days then junk", input: "1dx" },
  ])("refuses $name", ({ input }) => {
    expect(parseAge(input)).toBeUndefined();
  });
});
