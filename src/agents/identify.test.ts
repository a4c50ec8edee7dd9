import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { hasAgentProcesses, isAgentOfAttempt } from "./identify.js";

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

describe("hasAgentProcesses", () => {
  it("finds what the agent left in its group after the agent itself died", async () => {
    // A group leader that starts a background sleep and exits: the sleep is left in the group.
    const leader = spawn("bash", ["-c", "sleep 30 & echo $!"], { detached: true, env: { PATH: process.env.PATH ?? "", ORCH_ATTEMPT_ID: "7" } });
    const [chunk] = (await once(leader.stdout!, "data")) as [Buffer];
    const orphan = Number(chunk.toString().trim());
    await once(leader, "exit");
    try {
      expect(isAgentOfAttempt(leader.pid!, 7)).toBe(false);
      expect(hasAgentProcesses(leader.pid!, 7)).toBe(true);
      expect(hasAgentProcesses(leader.pid!, 8)).toBe(false);
    } finally {
      process.kill(orphan, "SIGKILL");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hasAgentProcesses(leader.pid!, 7)).toBe(false);
  });
});
