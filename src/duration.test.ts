import { describe, expect, it } from "vitest";
import { formatDuration } from "./duration.js";

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
