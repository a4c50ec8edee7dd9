import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readResultFile } from "./result-file.js";

let dir: string;
let resultFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-result-"));
  resultFile = path.join(dir, "result.json");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readResultFile", () => {
  it.each([
    {
      name: "blocked with a summary",
      content: '{"status":"blocked","summary":"need the API key for staging"}',
      expected: { status: "blocked", summary: "need the API key for staging" },
    },
    { name: "succeeded without a summary", content: '{"status":"succeeded"}', expected: { status: "succeeded" } },
    {
      name: "succeeded with its usage",
      content: '{"status":"succeeded","usage":{"cost_usd":0.42,"input_tokens":1200,"output_tokens":300}}',
      expected: { status: "succeeded", usage: { costUsd: 0.42, inputTokens: 1200, outputTokens: 300 } },
    },
    { name: "a usage with the cost only", content: '{"status":"failed","usage":{"cost_usd":1}}', expected: { status: "failed", usage: { costUsd: 1 } } },
    { name: "a usage that does not fit, left out", content: '{"status":"failed","usage":{"cost_usd":-5,"input_tokens":"many"}}', expected: { status: "failed" } },
    { name: "a usage that is not an object, left out", content: '{"status":"failed","usage":"lots"}', expected: { status: "failed" } },
    {
      name: "failed, pretty-printed, with a BOM and extra keys",
      content: '\uFEFF{\n  "status": "failed",\n  "summary": "tests do not pass",\n  "details": [1, 2]\n}\n',
      expected: { status: "failed", summary: "tests do not pass" },
    },
    {
      name: "a multi-line summary keeps its first non-blank line",
      content: JSON.stringify({ status: "succeeded", summary: "\n  Fixed the bug.  \nSecond line\n" }),
      expected: { status: "succeeded", summary: "Fixed the bug." },
    },
    {
      name: "control characters in the summary become spaces",
      content: JSON.stringify({ status: "failed", summary: "bad\u001b[31m red\ttab" }),
      expected: { status: "failed", summary: "bad [31m red tab" },
    },
    {
      name: "a blank summary is dropped",
      content: JSON.stringify({ status: "succeeded", summary: "  \n " }),
      expected: { status: "succeeded" },
    },
  ])("reads $name", async ({ content, expected }) => {
    await writeFile(resultFile, content);

    expect(await readResultFile(resultFile)).toEqual({ kind: "reported", result: expected });
  });

  it("cuts a long summary to 500 characters without splitting an emoji", async () => {
    await writeFile(resultFile, JSON.stringify({ status: "succeeded", summary: "🎉".repeat(2_000) }));

    const result = await readResultFile(resultFile);

    if (result.kind !== "reported") throw new Error(`expected a result, got ${JSON.stringify(result)}`);
    const summary = result.result.summary!;
    expect(Array.from(summary)).toHaveLength(500);
    expect(summary.endsWith("🎉…")).toBe(true);
  });

  it("redacts the summary before it cuts it, so no half of a secret is left where the cut fell", async () => {
    const secret = "ghp_" + "A1b2C3d4".repeat(5);
    // The secret starts 20 characters before the cut at 500: cut first, its first 20 characters would be published.
    await writeFile(resultFile, JSON.stringify({ status: "succeeded", summary: `${"x".repeat(479)} ${secret} and more` }));
    const redact = async (text: string) => text.replaceAll(secret, "[redacted]");

    const result = await readResultFile(resultFile, { redact });

    if (result.kind !== "reported") throw new Error(`expected a result, got ${JSON.stringify(result)}`);
    expect(result.result.summary).toContain("[redacted]");
    expect(result.result.summary).not.toContain(secret.slice(0, 8));
  });

  it("returns undefined when the agent wrote no result file", async () => {
    expect(await readResultFile(resultFile)).toEqual({ kind: "missing" });
    expect(await readResultFile(path.join(dir, "no-such-dir", "result.json"))).toEqual({ kind: "missing" });
  });

  it.each([
    { name: "invalid JSON", content: "{status: blocked", invalid: "the result file is not valid JSON" },
    { name: "an empty file", content: "", invalid: "the result file is not valid JSON" },
    {
      name: "an unknown status",
      content: '{"status":"done"}',
      invalid: 'the result file is not usable: "status" must be "succeeded", "failed" or "blocked"',
    },
    {
      name: "no status",
      content: '{"summary":"hi"}',
      invalid: 'the result file is not usable: "status" must be "succeeded", "failed" or "blocked"',
    },
    {
      name: "a summary that is not a string",
      content: '{"status":"failed","summary":42}',
      invalid: 'the result file is not usable: "summary" must be a string',
    },
    { name: "an array", content: '["blocked"]', invalid: "the result file is not usable: it must be a JSON object" },
    { name: "null", content: "null", invalid: "the result file is not usable: it must be a JSON object" },
  ])("says why $name is invalid", async ({ content, invalid }) => {
    await writeFile(resultFile, content);

    expect(await readResultFile(resultFile)).toEqual({ kind: "invalid", reason: invalid });
  });

  it("never quotes the file's content in the reason (it may be a secret the agent pointed us at)", async () => {
    await writeFile(resultFile, "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n");

    const result = await readResultFile(resultFile);

    expect(result).toEqual({ kind: "invalid", reason: "the result file is not valid JSON" });
  });

  it("refuses a file larger than 64 KiB without parsing it", async () => {
    const huge = JSON.stringify({ status: "succeeded", summary: "x".repeat(10 * 1024 * 1024) });
    await writeFile(resultFile, huge);

    expect(await readResultFile(resultFile)).toEqual({ kind: "invalid", reason: "the result file is larger than 64 KiB" });
  });

  it("refuses a symbolic link, which could point at orch's private key", async () => {
    const target = path.join(dir, "app.pem");
    await writeFile(target, '{"status":"succeeded","summary":"looks valid"}');
    await symlink(target, resultFile);

    expect(await readResultFile(resultFile)).toEqual({ kind: "invalid", reason: "the result file is a symbolic link; write a regular file" });
  });

  it("refuses a directory and a FIFO instead of blocking on it", async () => {
    await mkdir(resultFile);
    expect(await readResultFile(resultFile)).toEqual({ kind: "invalid", reason: "the result file is not a regular file" });

    const fifo = path.join(dir, "result.fifo");
    execFileSync("mkfifo", [fifo]);
    expect(await readResultFile(fifo)).toEqual({ kind: "invalid", reason: "the result file is not a regular file" });
  });
});
