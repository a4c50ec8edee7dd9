import { describe, expect, it } from "vitest";
import { nearestWithin } from "./nearest-word.js";

const oneEdit = () => 1;
/** One edit per four letters of the candidate, at least one (suggestKey's limit). */
const byCandidateLength = (_typed: string, candidate: string) => Math.max(1, Math.floor(candidate.length / 4));

describe("nearestWithin", () => {
  it.each([
    { name: "one edit away", typed: "statu", candidates: ["status", "help"], limitFor: oneEdit, want: "status" },
    { name: "the nearest of two within the limit", typed: "cancel", candidates: ["cancels", "cancel"], limitFor: oneEdit, want: "cancel" },
    { name: "a tie goes to the earlier candidate", typed: "cat", candidates: ["bat", "hat"], limitFor: oneEdit, want: "bat" },
    { name: "nothing within the limit", typed: "zzz", candidates: ["status", "help"], limitFor: oneEdit, want: undefined },
    { name: "no candidates", typed: "help", candidates: [], limitFor: oneEdit, want: undefined },
    // "author_ea" is 3 edits from both; only author_email (12 letters) allows 3.
    { name: "a farther candidate whose own limit allows it", typed: "author_ea", candidates: ["author_name", "author_email"], limitFor: byCandidateLength, want: "author_email" },
  ])("$name", ({ typed, candidates, limitFor, want }) => {
    expect(nearestWithin(typed, candidates, limitFor)).toBe(want);
  });
});
