import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildConfigIssues, describeValue, formatPath, knownKeysAt, structuralErrors, suggestKey } from "./config-issues.js";

const entry = z.strictObject({ command: z.array(z.string()), timeout: z.string().optional() });
const schema = z.strictObject({
  name: z.string(),
  entries: z.record(z.string(), entry),
  list: z.array(z.strictObject({ id: z.number() })).optional(),
  nested: z.strictObject({ inner: z.strictObject({ deep: z.boolean() }).optional() }).optional(),
  piped: z.unknown().pipe(z.string()).optional(),
});

describe("formatPath", () => {
  it.each([
    { name: "the top level", path: [], want: "" },
    { name: "plain keys", path: ["agents", "codex", "timeout"], want: "agents.codex.timeout" },
    { name: "list indexes", path: ["agents", "codex", "command", 0], want: "agents.codex.command[0]" },
    { name: "a key starting with a digit", path: ["agents", "2fast"], want: 'agents["2fast"]' },
    { name: "a key with a blank", path: ["a b"], want: '["a b"]' },
    { name: "dashes and underscores", path: ["my-agent_2", "env"], want: "my-agent_2.env" },
  ])("$name", ({ path, want }) => {
    expect(formatPath(path)).toBe(want);
  });
});

describe("suggestKey", () => {
  it.each([
    { name: "plural slip", unknown: "agent", known: ["agents", "git"], want: "agents" },
    { name: "case slip", unknown: "Default_Agent", known: ["default_agent"], want: "default_agent" },
    { name: "camelCase", unknown: "perRepository", known: ["max_running", "per_repository"], want: "per_repository" },
    { name: "dash for underscore", unknown: "default-agent", known: ["agents", "default_agent"], want: "default_agent" },
    { name: "a dropped letter", unknown: "timout", known: ["command", "timeout", "idle_timeout"], want: "timeout" },
    { name: "two edits in a key of eight letters or more", unknown: "max_runnign", known: ["max_running"], want: "max_running" },
    { name: "two edits in a short key", unknown: "hdie", known: ["expose", "hide"], want: undefined },
    { name: "nothing close", unknown: "zzz", known: ["agents", "git"], want: undefined },
    { name: "no known keys", unknown: "agent", known: [], want: undefined },
  ])("$name", ({ unknown, known, want }) => {
    expect(suggestKey(unknown, known)).toBe(want);
  });
});

describe("knownKeysAt", () => {
  it.each([
    { name: "the top level", path: [], want: ["name", "entries", "list", "nested", "piped"] },
    { name: "a record's entry", path: ["entries", "anything"], want: ["command", "timeout"] },
    { name: "a list's element, through .optional()", path: ["list", 3], want: ["id"] },
    { name: "nested optional objects", path: ["nested", "inner"], want: ["deep"] },
    { name: "a value that is not a mapping", path: ["name"], want: [] },
    { name: "a key the schema lacks", path: ["missing", "inner"], want: [] },
    { name: "a pipe's input side", path: ["piped"], want: [] },
  ])("$name", ({ path, want }) => {
    expect(knownKeysAt(schema, path)).toEqual(want);
  });
});

describe("buildConfigIssues", () => {
  it("makes one issue per unknown key, with the keys of its mapping and a suggestion", () => {
    const parsed = schema.safeParse({ name: "x", entries: { a: { command: [], timout: "1s", shell: true } } });
    expect(parsed.success).toBe(false);
    expect(buildConfigIssues(schema, parsed.error!.issues)).toEqual([
      { kind: "unknown_key", at: "entries.a", key: "timout", suggestion: "timeout", knownKeys: ["command", "timeout"] },
      { kind: "unknown_key", at: "entries.a", key: "shell", suggestion: undefined, knownKeys: ["command", "timeout"] },
    ]);
  });

  it("keeps the message of every other issue, at its key path", () => {
    const parsed = schema.safeParse({ name: 3, entries: { a: { command: ["ok", 5] } } }, { error: structuralErrors });
    expect(parsed.success).toBe(false);
    expect(buildConfigIssues(schema, parsed.error!.issues)).toEqual([
      { kind: "invalid", at: "name", message: "expected string; got 3" },
      { kind: "invalid", at: "entries.a.command[1]", message: "expected string; got 5" },
    ]);
  });
});

describe("structuralErrors", () => {
  it.each([
    { name: "a missing key", data: { entries: {} }, want: "name: is required" },
    { name: "a list for a mapping", data: { name: "x", entries: [] }, want: "entries: expected a mapping; got a list" },
    { name: "a scalar for an object", data: { name: "x", entries: {}, nested: "yes" }, want: 'nested: expected a mapping; got "yes"' },
  ])("$name", ({ data, want }) => {
    const parsed = schema.safeParse(data, { error: structuralErrors });
    const lines = buildConfigIssues(schema, parsed.error?.issues ?? []).map((issue) => `${issue.at}: ${issue.kind === "invalid" ? issue.message : issue.key}`);
    expect(lines).toEqual([want]);
  });
});

describe("describeValue", () => {
  it.each([
    { name: "nothing", value: undefined, want: "nothing" },
    { name: "null", value: null, want: "an empty value" },
    { name: "a string, quoted", value: "soon", want: '"soon"' },
    { name: "a long string, cut", value: "x".repeat(80), want: JSON.stringify(`${"x".repeat(57)}...`) },
    { name: "a number", value: 1.5, want: "1.5" },
    { name: "a boolean", value: false, want: "false" },
    { name: "a list", value: [1], want: "a list" },
    { name: "a mapping", value: { a: 1 }, want: "a mapping" },
  ])("$name", ({ value, want }) => {
    expect(describeValue(value)).toBe(want);
  });
});
