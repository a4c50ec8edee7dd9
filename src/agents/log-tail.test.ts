import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogTail } from "./log-tail.js";

let dir: string;
let logFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-log-tail-"));
  logFile = path.join(dir, "agent.log");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ESC = "\u001b";

describe("readLogTail", () => {
  it("returns only the last lines of a 5 MB log, without colour codes", async () => {
    const lines = Array.from({ length: 90_000 }, (_, i) => `${ESC}[32mline ${i + 1}${ESC}[0m: ${"x".repeat(40)}`);
    await writeFile(logFile, lines.join("\n") + "\n");
    expect((await stat(logFile)).size).toBeGreaterThan(5 * 1024 * 1024);
    const last = lines.length;

    const tail = await readLogTail(logFile, { maxLines: 3, maxBytes: 64 * 1024 });

    expect(tail).toBe(
      [last - 2, last - 1, last].map((n) => `line ${n}: ${"x".repeat(40)}`).join("\n"),
    );
  });

  it("drops the line cut by the byte window", async () => {
    const lines = Array.from({ length: 1_000 }, (_, i) => `line ${i + 1} ${"y".repeat(20)}`);
    await writeFile(logFile, lines.join("\n") + "\n");

    const tail = (await readLogTail(logFile, { maxLines: 10_000, maxBytes: 1_000 })).split("\n");

    expect(tail.length).toBeGreaterThan(10);
    for (const line of tail) expect(line).toMatch(/^line \d+ y{20}$/);
    expect(tail.at(-1)).toBe(`line 1000 ${"y".repeat(20)}`);
  });

  it.each([
    { name: "a window that starts exactly at a line keeps it", maxBytes: 10, tail: "bbbb\ncccc" },
    { name: "a window that starts inside a line drops it", maxBytes: 9, tail: "cccc" },
  ])("$name", async ({ maxBytes, tail }) => {
    await writeFile(logFile, "aaaa\nbbbb\ncccc\n");

    expect(await readLogTail(logFile, { maxLines: 10, maxBytes })).toBe(tail);
  });

  it("keeps the first line of a log smaller than the window", async () => {
    await writeFile(logFile, "[orch] started codex at 2025-01-01T00:00:00.000Z\nhello\n");

    expect(await readLogTail(logFile, { maxLines: 50, maxBytes: 64 * 1024 })).toBe(
      "[orch] started codex at 2025-01-01T00:00:00.000Z\nhello",
    );
  });

  it.each([
    { name: "colours and bold", raw: `${ESC}[1;31merror${ESC}[0m: boom`, text: "error: boom" },
    { name: "a window title (OSC ended by BEL)", raw: `${ESC}]0;codex${"\u0007"}working`, text: "working" },
    { name: "a hyperlink (OSC ended by ST)", raw: `${ESC}]8;;https://x.test${ESC}\\link${ESC}]8;;${ESC}\\`, text: "link" },
    { name: "cursor movement and erase", raw: `${ESC}[2K${ESC}[1Gdone${ESC}[?25h`, text: "done" },
    { name: "a progress bar redrawn with \\r", raw: "10%\r50%\r100%", text: "100%" },
    { name: "CRLF line endings", raw: "windows\r\nline\r\n", text: "windows\nline" },
    { name: "tabs kept, other controls removed", raw: "a\tb\u0000c\u0007d\bé", text: "a\tbcdé" },
  ])("strips terminal noise: $name", async ({ raw, text }) => {
    await writeFile(logFile, raw);

    expect(await readLogTail(logFile, { maxLines: 10, maxBytes: 4096 })).toBe(text);
  });

  it("keeps the end of a single line longer than the window", async () => {
    await writeFile(logFile, "é".repeat(3_000));

    const tail = await readLogTail(logFile, { maxLines: 5, maxBytes: 101 });

    expect(tail).toBe("é".repeat(50));
  });

  it.each([
    { name: "a missing file", setup: async () => undefined },
    { name: "an empty file", setup: () => writeFile(logFile, "") },
  ])("returns an empty string for $name", async ({ setup }) => {
    await setup();

    expect(await readLogTail(logFile, { maxLines: 10, maxBytes: 1024 })).toBe("");
  });
});
