import { describe, expect, it } from "vitest";
import { parseServerConfig } from "./config/server-config.js";
import { prepareContainment } from "./containment.js";

const config = (sandbox?: string) =>
  parseServerConfig(`default_agent: a\nagents:\n  a:\n    command: [agent]\n    env: [AGENT_KEY]\n${sandbox ? `    sandbox: ${sandbox}\n` : ""}`, "orch.config.yml");

describe("prepareContainment", () => {
  it("refuses to start when sandboxes cannot run here, and says what to install", async () => {
    await expect(
      prepareContainment({ config: config(), env: { ORCH_BWRAP: "/nonexistent/bwrap" }, databaseUrl: "file:./data/orch.db", cwd: "/srv/orch" }),
    ).rejects.toThrow(/^orch cannot sandbox its agents: there is no executable bwrap at \/nonexistent\/bwrap: install the Debian\/Ubuntu package `bubblewrap`/);
  });

  it("finds bwrap and hides orch's working directory, HOME, database folder and key file", async () => {
    const { sandbox, warnings } = await prepareContainment({
      config: config(),
      env: { HOME: "/home/orch", PRIVATE_KEY_PATH: "keys/app.pem" },
      databaseUrl: "file:./data/orch.db",
      cwd: "/srv/orch",
    });
    expect(sandbox).toEqual({
      bwrap: expect.stringMatching(/\/bwrap$/),
      orchCwd: "/srv/orch",
      orchUserHome: "/home/orch",
      databaseDir: "/srv/orch/data",
      privateKeyFile: "/srv/orch/keys/app.pem",
    });
    expect(warnings).toEqual([]);
  });

  it("warns about an agent with sandbox: none, and needs no bwrap for it", async () => {
    const { sandbox, warnings } = await prepareContainment({
      config: config("none"),
      env: { ORCH_BWRAP: "/nonexistent/bwrap" },
      databaseUrl: "postgresql://orch:pw@db/orch",
      cwd: "/srv/orch",
    });
    expect(sandbox.bwrap).toBeUndefined();
    expect(sandbox.databaseDir).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^orch: agent "a" runs WITHOUT orch's sandbox \(sandbox: none\)/)]);
  });

  it("knows orch's secrets and the agents' keys for the redactor", async () => {
    const { redactor } = await prepareContainment({
      config: config(),
      env: { WEBHOOK_SECRET: "webhook-secret-value", AGENT_KEY: "agent-key-value-123" },
      databaseUrl: "postgresql://orch:db-password-value@db/orch",
      cwd: "/srv/orch",
    });
    expect(await redactor.redact("webhook-secret-value agent-key-value-123 db-password-value")).toBe("[redacted] [redacted] [redacted]");
  });
});
