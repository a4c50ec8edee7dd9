import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentLog } from "./agent-log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-agent-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hide = (secret: string) => async (text: string) => text.split(secret).join("[redacted]");

describe("AgentLog", () => {
  it("writes the output line by line through the redactor, a secret cut across chunks included", async () => {
    const file = path.join(dir, "agent.log");
    const log = await AgentLog.open({ file, redact: hide("sk-secret-value") });
    const out = new PassThrough();
    const done = log.follow(out);
    out.write("first line\nmy key is sk-sec");
    out.write("ret-value, see?\nno newline at the end");
    out.end();
    await done;
    await log.note("exited with code 0");
    await log.close();
    expect(await readFile(file, "utf8")).toBe("first line\nmy key is [redacted], see?\nno newline at the end\n[orch] exited with code 0\n");
  });

  it("keeps the first maxBytes and the last tailBytes of a flood, and says how much it left out", async () => {
    const file = path.join(dir, "agent.log");
    const log = await AgentLog.open({ file, redact: async (text) => text, maxBytes: 100_000, tailBytes: 2_000 });
    const out = new PassThrough();
    const done = log.follow(out);
    for (let i = 0; i < 50_000; i++) out.write(`line ${i}\n`);
    out.write("the very last line\n");
    out.end();
    await done;
    await log.close();
    const text = await readFile(file, "utf8");
    expect(text.length).toBeLessThan(100_000 + 2_000 + 1_000);
    expect(text.startsWith("line 0\nline 1\n")).toBe(true);
    expect(text).toMatch(/\n\[orch\] \d+ bytes of output were left out \(the log keeps 100000 bytes and the last 2000\)\n/);
    expect(text.endsWith("line 49999\nthe very last line\n")).toBe(true);
  });

  it("refuses to write through a link at its path", async () => {
    const target = path.join(dir, "elsewhere.txt");
    await writeFile(target, "untouched\n");
    await symlink(target, path.join(dir, "agent.log"));
    await expect(AgentLog.open({ file: path.join(dir, "agent.log"), redact: async (t) => t })).rejects.toMatchObject({ code: "ELOOP" });
    expect(await readFile(target, "utf8")).toBe("untouched\n");
  });
});
