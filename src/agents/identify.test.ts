import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { isAgentOfAttempt } from "./identify.js";

describe("isAgentOfAttempt", () => {
  it("recognises the attempt's agent by the ORCH_ATTEMPT_ID in its environment, and nothing else", async () => {
    const child = spawn("sleep", ["30"], { env: { PATH: process.env.PATH ?? "", ORCH_ATTEMPT_ID: "42" } });
    try {
      await once(child, "spawn");
      expect(isAgentOfAttempt(child.pid!, 42)).toBe(true);
      expect(isAgentOfAttempt(child.pid!, 4)).toBe(false);
      expect(isAgentOfAttempt(child.pid!, 420)).toBe(false);
      expect(isAgentOfAttempt(process.pid, 42)).toBe(false);
      expect(isAgentOfAttempt(1, 42)).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
    await once(child, "exit");
    expect(isAgentOfAttempt(child.pid!, 42)).toBe(false);
  });
});
