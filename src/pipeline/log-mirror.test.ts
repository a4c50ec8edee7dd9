import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startLogMirror } from "./log-mirror.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orch-mirror-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("startLogMirror", () => {
  it("copies the log's redacted tail when it changed, and its last lines on stop", async () => {
    const logFile = path.join(dir, "agent.log");
    fs.writeFileSync(logFile, "one\nkey=hunter2hunter2\n");
    const copies: string[] = [];
    const mirror = startLogMirror({
      store: { recordLogTail: async ({ logTail }) => void copies.push(logTail) },
      attemptId: 1,
      logFile,
      redact: async (text) => text.replaceAll("hunter2hunter2", "[redacted]"),
      log: pino({ level: "silent" }),
      everyMs: 5,
    });
    await until(() => copies.length === 1, "the first copy");
    // Unchanged: no new copy, however many ticks pass.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(copies).toEqual(["one\nkey=[redacted]"]);
    fs.appendFileSync(logFile, "two\n");
    await until(() => copies.length === 2, "the second copy");
    fs.appendFileSync(logFile, "three, the last\n");
    await mirror.stop();
    expect(copies.at(-1)).toBe("one\nkey=[redacted]\ntwo\nthree, the last");
    const settled = copies.length;
    fs.appendFileSync(logFile, "after the end\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(copies).toHaveLength(settled);
  });

  it("goes on after the database refused a copy", async () => {
    const logFile = path.join(dir, "flaky.log");
    fs.writeFileSync(logFile, "a\n");
    let refusals = 1;
    const copies: string[] = [];
    const mirror = startLogMirror({
      store: {
        recordLogTail: async ({ logTail }) => {
          if (refusals-- > 0) throw new Error("database down");
          copies.push(logTail);
        },
      },
      attemptId: 2,
      logFile,
      redact: async (text) => text,
      log: pino({ level: "silent" }),
      everyMs: 5,
    });
    await until(() => copies.length === 1, "a copy after the refusal");
    await mirror.stop();
    expect(copies).toEqual(["a"]);
  });
});
