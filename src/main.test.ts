/**
 * `node src/main.ts` with an operator's mistake: the process ends at once with
 * code 1 and only the lines that say what is wrong, no stack. Each case runs in
 * an empty folder (so no `.env` or orch.config.yml is read) and fails before
 * orch opens a database or a port.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const cwd = mkdtempSync(join(tmpdir(), "orch-main-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const badConfig = join(cwd, "bad.config.yml");
writeFileSync(badConfig, "default_agent: codex\nagents:\n  codex:\n    command: codex exec\n");

function startOrch(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", TSX_LOADER, join(REPO_ROOT, "src", "main.ts")],
      {
        cwd,
        env: { PATH: process.env.PATH ?? "", HOME: cwd, TSX_TSCONFIG_PATH: join(REPO_ROOT, "tsconfig.json"), ...env },
        timeout: 20_000,
      },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("main: an operator's mistake stops orch with one clear line", () => {
  it.each([
    {
      name: "a DATABASE_URL of an unknown kind",
      env: { DATABASE_URL: "mysql://orch:secret-pw@db/orch" },
      stderr: 'DATABASE_URL: expected file:<path> for SQLite (like file:./data/orch.db) or postgresql://<user>:<password>@<host>:<port>/<database> for PostgreSQL; got "mysql:…"',
    },
    {
      name: "a DATABASE_URL that does not parse",
      env: { DATABASE_URL: "postgresql://orch:secret#pw@db/orch" },
      stderr: "DATABASE_URL: expected a PostgreSQL URL like postgresql://orch:password@localhost:5432/orch; got one that does not parse (percent-encode @, #, /, ? and : in the user name and password: @ is %40, # is %23)",
    },
    {
      name: "an ORCH_GIT_BASE_URL git cannot use",
      env: { ORCH_GIT_BASE_URL: "ssh://git@github.com" },
      stderr: "ORCH_GIT_BASE_URL must be https://, http:// or file://, got ssh:. Set ORCH_GIT_BASE_URL to the address of the GitHub server orch clones from, like https://github.com or https://github.example.com.",
    },
    {
      name: "an invalid config file",
      env: { ORCH_CONFIG: badConfig },
      stderr: `${badConfig}: agents.codex.command: expected a list of arguments like ["codex", "exec", "{prompt}"]; got a string. orch never runs a shell, so split the command into its arguments`,
    },
  ])("$name", async ({ env, stderr }) => {
    const result = await startOrch(env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${stderr}\n`);
    expect(result.stdout).toBe("");
  });
});
