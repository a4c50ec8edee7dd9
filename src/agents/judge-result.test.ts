import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cutReason, parseJudgeRanking, readJudgeResult, REASON_MAX_CHARS } from "./judge-result.js";

let dir: string;
let resultFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-judge-result-"));
  resultFile = path.join(dir, "result.json");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseJudgeRanking", () => {
  it.each([
    {
      name: "every candidate once, best first",
      json: { ranking: [{ candidate: 2, reason: "smaller" }, { candidate: 1, reason: "touches more" }] },
      ranking: [{ candidate: 2, reason: "smaller" }, { candidate: 1, reason: "touches more" }],
    },
    {
      name: "extra keys, and a reason over several lines",
      json: { verdict: "x", ranking: [{ candidate: 1, reason: "line one\n\tline two\u2028three", score: 9 }, { candidate: 2, reason: "ok" }] },
      ranking: [{ candidate: 1, reason: "line one line two three" }, { candidate: 2, reason: "ok" }],
    },
  ])("accepts $name", ({ json, ranking }) => {
    expect(parseJudgeRanking(json, 2)).toEqual({ kind: "ranked", ranking });
  });

  it.each([
    { name: "not an object", json: [1, 2], why: 'is not {"ranking": [{"candidate": N, "reason": "…"}, …]}' },
    { name: "no ranking", json: { best: 1 }, why: "is not {" },
    { name: "a candidate as a string", json: { ranking: [{ candidate: "1", reason: "a" }, { candidate: 2, reason: "b" }] }, why: "is not {" },
    { name: "a fractional candidate", json: { ranking: [{ candidate: 1.5, reason: "a" }, { candidate: 2, reason: "b" }] }, why: "is not {" },
    { name: "a missing reason", json: { ranking: [{ candidate: 1 }, { candidate: 2, reason: "b" }] }, why: "is not {" },
    { name: "a blank reason", json: { ranking: [{ candidate: 1, reason: " \n " }, { candidate: 2, reason: "b" }] }, why: "it gave no reason for candidate 1" },
    { name: "an unknown candidate", json: { ranking: [{ candidate: 3, reason: "a" }, { candidate: 1, reason: "b" }] }, why: "it ranked candidate 3, which is not one of the candidates (1 to 2)" },
    { name: "candidate 0", json: { ranking: [{ candidate: 0, reason: "a" }] }, why: "it ranked candidate 0, which is not one of the candidates (1 to 2)" },
    { name: "a huge candidate number, not quoted", json: { ranking: [{ candidate: 1e15, reason: "a" }] }, why: "it ranked a candidate number, which is not one of the candidates (1 to 2)" },
    { name: "a duplicate", json: { ranking: [{ candidate: 1, reason: "a" }, { candidate: 1, reason: "b" }] }, why: "it ranked candidate 1 twice" },
    { name: "a candidate left out", json: { ranking: [{ candidate: 2, reason: "a" }] }, why: "it left out candidate 1: a ranking places every candidate (1 to 2)" },
    { name: "an empty ranking", json: { ranking: [] }, why: "it left out candidate 1, candidate 2" },
  ])("refuses $name", ({ json, why }) => {
    const read = parseJudgeRanking(json, 2);
    expect(read.kind).toBe("invalid");
    expect(read.kind === "invalid" && read.reason).toContain(why);
  });
});

describe("readJudgeResult", () => {
  it("reads a ranking from the file", async () => {
    await writeFile(resultFile, '\uFEFF{"ranking":[{"candidate":1,"reason":"only one"}]}');
    expect(await readJudgeResult(resultFile, 1)).toEqual({ kind: "ranked", ranking: [{ candidate: 1, reason: "only one" }] });
  });

  it.each([
    {
      name: "with a ranking",
      content: '{"ranking":[{"candidate":1,"reason":"only one"}],"usage":{"cost_usd":0.75,"input_tokens":5000,"output_tokens":200}}',
      read: { kind: "ranked", ranking: [{ candidate: 1, reason: "only one" }], usage: { costUsd: 0.75, inputTokens: 5000, outputTokens: 200 } },
    },
    {
      name: "with a ranking that is refused (spent all the same)",
      content: '{"ranking":[{"candidate":9,"reason":"x"}],"usage":{"cost_usd":0.5}}',
      read: { kind: "invalid", reason: expect.stringContaining("candidate 9"), usage: { costUsd: 0.5 } },
    },
    {
      name: "leaving out what does not fit: a negative cost, tokens as text",
      content: '{"ranking":[{"candidate":1,"reason":"ok"}],"usage":{"cost_usd":-3,"input_tokens":"many","output_tokens":12}}',
      read: { kind: "ranked", ranking: [{ candidate: 1, reason: "ok" }] },
    },
  ])("reads the judge's usage $name", async ({ content, read }) => {
    await writeFile(resultFile, content);
    expect(await readJudgeResult(resultFile, 1)).toEqual(read);
  });

  it.each([
    { name: "not JSON, never quoted", content: "{ranking: ghp_notquoted", why: "its result file is not valid JSON" },
    { name: "too large", content: `{"ranking":[{"candidate":1,"reason":"${"x".repeat(70_000)}"}]}`, why: "larger than 64 KiB" },
  ])("says why a file is unusable: $name", async ({ content, why }) => {
    await writeFile(resultFile, content);
    const read = await readJudgeResult(resultFile, 1);
    expect(read).toEqual({ kind: "invalid", reason: expect.stringContaining(why) });
    expect(JSON.stringify(read)).not.toContain("ghp_notquoted");
  });

  it("refuses a symbolic link, and reads a missing file as missing", async () => {
    expect(await readJudgeResult(resultFile, 2)).toEqual({ kind: "missing" });
    await writeFile(path.join(dir, "elsewhere.json"), '{"ranking":[]}');
    await symlink(path.join(dir, "elsewhere.json"), resultFile);
    expect(await readJudgeResult(resultFile, 2)).toEqual({ kind: "invalid", reason: expect.stringContaining("symbolic link") });
  });
});

describe("cutReason", () => {
  it("keeps a short reason and cuts a long one to the cap, never inside a character", () => {
    expect(cutReason("fine")).toBe("fine");
    const cut = cutReason("😀".repeat(REASON_MAX_CHARS + 10));
    expect(Array.from(cut)).toHaveLength(REASON_MAX_CHARS);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.includes("\uFFFD")).toBe(false);
  });
});
