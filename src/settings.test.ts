import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "./config/config-error.js";
import { readSettings } from "./settings.js";

const cwd = mkdtempSync(join(tmpdir(), "orch-settings-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The ConfigError readSettings throws for `env`, or a failure if it read them. */
function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    readSettings(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const GIT_BASE_URL_HINT = "Set ORCH_GIT_BASE_URL to the address of the GitHub server orch clones from, like https://github.com or https://github.example.com.";

describe("readSettings", () => {
  it("defaults to SQLite under ./data, github.com and the example config", () => {
    const settings = readSettings({}, cwd);
    expect(settings).toMatchObject({
      databaseUrl: "file:./data/orch.db",
      databaseProvider: "sqlite",
      home: join(cwd, ".orch"),
      configPath: join(cwd, "orch.config.example.yml"),
      isExampleConfig: true,
      gitBaseUrl: "https://github.com",
    });
  });

  it.each([
    { name: "SQLite", url: "file:/var/lib/orch/orch.db", provider: "sqlite" },
    { name: "SQLite in memory", url: "file::memory:", provider: "sqlite" },
    { name: "PostgreSQL", url: "postgresql://orch:pw@db.internal:5432/orch?sslmode=require", provider: "postgresql" },
    { name: "PostgreSQL, short scheme", url: "postgres://orch@localhost/orch", provider: "postgresql" },
    { name: "PostgreSQL over a Unix socket (empty host)", url: "postgresql://orch:pw@/orch", provider: "postgresql" },
    { name: "PostgreSQL with a percent-encoded password", url: "postgresql://orch:p%23ss%40@db/orch", provider: "postgresql" },
  ])("accepts DATABASE_URL for $name", ({ url, provider }) => {
    expect(readSettings({ DATABASE_URL: url }, cwd)).toMatchObject({ databaseUrl: url, databaseProvider: provider });
  });

  it.each([
    {
      name: "an unknown scheme",
      url: "mysql://orch:secret-pw@db/orch",
      line: 'DATABASE_URL: expected file:<path> for SQLite (like file:./data/orch.db) or postgresql://<user>:<password>@<host>:<port>/<database> for PostgreSQL; got "mysql:…"',
    },
    {
      name: "a path without file:",
      url: "./data/orch.db",
      line: 'DATABASE_URL: expected file:<path> for SQLite (like file:./data/orch.db) or postgresql://<user>:<password>@<host>:<port>/<database> for PostgreSQL; got a file path without "file:" in front',
    },
    {
      name: "no scheme at all",
      url: "orch-db",
      line: "DATABASE_URL: expected file:<path> for SQLite (like file:./data/orch.db) or postgresql://<user>:<password>@<host>:<port>/<database> for PostgreSQL; got a value with no scheme",
    },
    { name: "file: and no file", url: "file:", line: 'DATABASE_URL: expected a file after "file:", like file:./data/orch.db; got "file:" alone' },
    {
      name: "a password with an unescaped #",
      url: "postgresql://orch:secret#pw@db/orch",
      line: "DATABASE_URL: expected a PostgreSQL URL like postgresql://orch:password@localhost:5432/orch; got one that does not parse (percent-encode @, #, /, ? and : in the user name and password: @ is %40, # is %23)",
    },
    {
      name: "a port that is not a number",
      url: "postgresql://orch:secret-pw@db:port/orch",
      line: "DATABASE_URL: expected a PostgreSQL URL like postgresql://orch:password@localhost:5432/orch; got one that does not parse (percent-encode @, #, /, ? and : in the user name and password: @ is %40, # is %23)",
    },
  ])("refuses DATABASE_URL with $name, in one line that keeps the password out", ({ url, line }) => {
    const error = configErrorFor({ DATABASE_URL: url });
    expect(error.source).toBe("DATABASE_URL");
    expect(error.problems).toEqual([line]);
    expect(error.message).not.toContain("secret");
  });

  it.each([
    { name: "GitHub", env: {}, want: "https://github.com" },
    { name: "a GHES origin, without its trailing slash", env: { ORCH_GIT_BASE_URL: "https://github.example.com/" }, want: "https://github.example.com" },
    { name: "GHE_HOST when ORCH_GIT_BASE_URL is unset", env: { GHE_HOST: "ghe.local:8080", GHE_PROTOCOL: "http" }, want: "http://ghe.local:8080" },
    { name: "ORCH_GIT_BASE_URL over GHE_HOST", env: { GHE_HOST: "ghe.local", ORCH_GIT_BASE_URL: "file:///srv/remotes" }, want: "file:///srv/remotes" },
  ])("reads the git base URL: $name", ({ env, want }) => {
    expect(readSettings(env, cwd).gitBaseUrl).toBe(want);
  });

  it.each([
    { name: "not a URL", env: { ORCH_GIT_BASE_URL: "github.com" }, line: `ORCH_GIT_BASE_URL "github.com" is not a URL. ${GIT_BASE_URL_HINT}` },
    { name: "ssh", env: { ORCH_GIT_BASE_URL: "ssh://git@github.com" }, line: `ORCH_GIT_BASE_URL must be https://, http:// or file://, got ssh:. ${GIT_BASE_URL_HINT}` },
    { name: "credentials", env: { ORCH_GIT_BASE_URL: "https://x:secret-token@github.com" }, line: `ORCH_GIT_BASE_URL must not contain credentials. ${GIT_BASE_URL_HINT}` },
    {
      name: "a GHE_PROTOCOL git cannot use",
      env: { GHE_HOST: "ghe.local", GHE_PROTOCOL: "ftp" },
      line: `ORCH_GIT_BASE_URL must be https://, http:// or file://, got ftp: (ORCH_GIT_BASE_URL is unset, so orch made it from GHE_PROTOCOL and GHE_HOST). ${GIT_BASE_URL_HINT}`,
    },
  ])("refuses ORCH_GIT_BASE_URL: $name, in one line", ({ env, line }) => {
    const error = configErrorFor(env);
    expect(error.source).toBe("ORCH_GIT_BASE_URL");
    expect(error.problems).toEqual([line]);
    expect(error.message).not.toContain("secret");
  });

  it.each([
    { env: {}, role: "all" },
    { env: { ORCH_ROLE: "web", DATABASE_URL: "postgresql://orch@db/orch" }, role: "web" },
    { env: { ORCH_ROLE: "Worker", DATABASE_URL: "postgresql://orch@db/orch" }, role: "worker" },
  ])("reads ORCH_ROLE $env.ORCH_ROLE as $role", ({ env, role }) => {
    expect(readSettings(env, cwd).role).toBe(role);
  });

  it.each([
    {
      env: { ORCH_ROLE: "workers", DATABASE_URL: "postgresql://orch@db/orch" },
      line: 'ORCH_ROLE: expected all, web or worker; got "workers"',
    },
    {
      env: { ORCH_ROLE: "worker" },
      line: "ORCH_ROLE: worker needs hosts that share one database, and SQLite (DATABASE_URL file:…) belongs to one process. Use ORCH_ROLE=all on one host, or point DATABASE_URL at PostgreSQL.",
    },
    {
      env: { ORCH_HOST_ID: "worker 1" },
      line: 'ORCH_HOST_ID: expected 1 to 63 letters, digits, "_" or "-", starting with a letter or digit, like web-1 or worker-2; got "worker 1"',
    },
  ])("refuses $env", ({ env, line }) => {
    expect(configErrorFor(env).message).toBe(line);
  });

  it.each([
    { name: "unset", value: undefined, publicUrl: undefined },
    { name: "an origin", value: "https://orch.example.com", publicUrl: "https://orch.example.com" },
    { name: "a path with a trailing slash", value: " http://tools.example.com/orch/ ", publicUrl: "http://tools.example.com/orch" },
  ])("reads ORCH_PUBLIC_URL: $name", ({ value, publicUrl }) => {
    expect(readSettings(value === undefined ? {} : { ORCH_PUBLIC_URL: value }, cwd).publicUrl).toBe(publicUrl);
  });

  const PUBLIC_URL_HINT = "Set ORCH_PUBLIC_URL to the address people open orch at, like https://orch.example.com or https://tools.example.com/orch.";
  it.each([
    { name: "not a URL", value: "orch.example.com", line: `ORCH_PUBLIC_URL: "orch.example.com" is not a URL. ${PUBLIC_URL_HINT}` },
    { name: "another scheme", value: "ftp://orch.example.com", line: `ORCH_PUBLIC_URL: expected an http or https URL; got ftp. ${PUBLIC_URL_HINT}` },
    {
      name: "credentials",
      value: "https://admin:hunter2hunter2@orch.example.com",
      line: `ORCH_PUBLIC_URL: it holds a user name or password, which every page link would carry. ${PUBLIC_URL_HINT}`,
    },
    { name: "a query", value: "https://orch.example.com/?x=1", line: `ORCH_PUBLIC_URL: expected no query or fragment. ${PUBLIC_URL_HINT}` },
  ])("refuses ORCH_PUBLIC_URL: $name", ({ value, line }) => {
    const error = configErrorFor({ ORCH_PUBLIC_URL: value });
    expect(error.source).toBe("ORCH_PUBLIC_URL");
    expect(error.problems).toEqual([line]);
    expect(error.message).not.toContain("hunter2");
  });

  it("signs page links with ORCH_PAGE_SECRET, else with a secret derived from the app's private key, the same from PRIVATE_KEY or its file", () => {
    const pem = readFileSync(new URL("../test/fixtures/mock-cert.pem", import.meta.url), "utf8");
    const keyFile = join(cwd, "app-key.txt");
    writeFileSync(keyFile, pem);
    const fromKey = readSettings({ PRIVATE_KEY: pem.replace(/\n/g, "\\n") }, cwd).pageSecret;
    expect(fromKey).toBeInstanceOf(Buffer);
    expect(readSettings({ PRIVATE_KEY_PATH: keyFile }, cwd).pageSecret).toEqual(fromKey);
    const fromSecret = readSettings({ PRIVATE_KEY: pem, ORCH_PAGE_SECRET: "s".repeat(32) }, cwd).pageSecret;
    expect(fromSecret).not.toEqual(fromKey);
    expect(readSettings({}, cwd).pageSecret).toBeUndefined();
  });

  it("reads ORCH_METRICS_TOKEN, and refuses one that is short or has a space", () => {
    expect(readSettings({}, cwd).metricsToken).toBeUndefined();
    expect(readSettings({ ORCH_METRICS_TOKEN: ` ${"m".repeat(40)} ` }, cwd).metricsToken).toBe("m".repeat(40));
    expect(configErrorFor({ ORCH_METRICS_TOKEN: "hunter2" }).message).toBe(
      "ORCH_METRICS_TOKEN: expected at least 32 printable characters without spaces (e.g. the output of `openssl rand -hex 32`), the token Prometheus sends as `Authorization: Bearer …`; it has 7. Or leave it unset, and keep /metrics to your network.",
    );
    expect(configErrorFor({ ORCH_METRICS_TOKEN: `${"a".repeat(20)} ${"b".repeat(20)}` }).message).toContain("it has 41 and a space.");
  });

  it("refuses a short ORCH_PAGE_SECRET", () => {
    expect(configErrorFor({ ORCH_PAGE_SECRET: "hunter2" }).message).toBe(
      "ORCH_PAGE_SECRET: expected at least 32 random characters (e.g. the output of `openssl rand -hex 32`), the same on every host; it has 7. Or leave it unset: the GitHub App's private key then signs the page links.",
    );
  });
});
