import crypto from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectKnownSecrets } from "./collect-known-secrets.js";

const { privateKey: KEY } = crypto.generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-known-secrets-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("collectKnownSecrets", () => {
  it("collects orch's secrets and the agents' passed variables", () => {
    const env = {
      PRIVATE_KEY: KEY,
      WEBHOOK_SECRET: "webhook-secret-123",
      GITHUB_CLIENT_SECRET: "client-secret-456",
      ORCH_METRICS_TOKEN: "metrics-token-0ff1ce",
      GH_TOKEN: "gh-token-789abc",
      DATABASE_URL: "postgresql://orch:p%40ss-w0rd!@db.internal:5432/orch",
      ANTHROPIC_API_KEY: "agent-anthropic-key",
      OPENAI_API_KEY: "agent-openai-key",
      HOME: "/home/orch",
      APP_ID: "12345",
    };

    const values = collectKnownSecrets({ env, agentEnvNames: ["ANTHROPIC_API_KEY", "NOT_SET"] });

    expect(values).toEqual([
      KEY,
      "webhook-secret-123",
      "client-secret-456",
      "metrics-token-0ff1ce",
      "gh-token-789abc",
      "p%40ss-w0rd!",
      "p@ss-w0rd!",
      "agent-anthropic-key",
    ]);
  });

  it("reads the key file at PRIVATE_KEY_PATH", async () => {
    const file = path.join(dir, "app.pem");
    await writeFile(file, KEY);

    expect(collectKnownSecrets({ env: { PRIVATE_KEY_PATH: file }, agentEnvNames: [] })).toEqual([KEY]);
  });

  it.each([
    { name: "a missing key file", keyPath: "missing.pem" },
    { name: "a directory", keyPath: "." },
  ])("skips $name without throwing", ({ keyPath }) => {
    expect(collectKnownSecrets({ env: { PRIVATE_KEY_PATH: path.join(dir, keyPath) }, agentEnvNames: [] })).toEqual([]);
  });

  it("takes the privateKey and databaseUrl given as well as the environment's", () => {
    const values = collectKnownSecrets({
      env: { PRIVATE_KEY: "env-key-not-used", DATABASE_URL: "postgresql://a:env-password@h/db" },
      agentEnvNames: [],
      privateKey: KEY,
      databaseUrl: "postgresql://a:given-password@h/db",
    });

    expect(values).toEqual([KEY, "env-key-not-used", "given-password", "env-password"]);
  });

  it.each([
    { name: "an escaped one-line key", raw: KEY.replace(/\n/g, "\\n") },
    { name: "a base64 key", raw: Buffer.from(KEY).toString("base64") },
    { name: "a key on one line without breaks", raw: KEY.replace(/\n/g, "") },
  ])("adds the PEM Probot would read from $name", ({ raw }) => {
    const values = collectKnownSecrets({ env: { PRIVATE_KEY: raw }, agentEnvNames: [] });

    expect(values[0]).toBe(raw);
    expect(values).toContain(KEY);
  });

  it.each([
    { name: "SQLite", url: "file:./data/orch.db" },
    { name: "no password", url: "postgresql://orch@db/orch" },
    { name: "not a URL", url: "not a url" },
  ])("finds no database password in $name", ({ url }) => {
    expect(collectKnownSecrets({ env: { DATABASE_URL: url }, agentEnvNames: [] })).toEqual([]);
  });
});
