/**
 * The operator's command line as a child process (`node --import tsx
 * src/cli/main.ts …`, what bin/orch.js runs before a build), with exactly the
 * environment and working directory a test gives it.
 *
 *     const run = await orch(["cancel", "12"], { cwd: setup.cwd, env: setup.env });
 *     expect(run).toMatchObject({ code: 0 });
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(REPO_ROOT, "src", "cli", "main.ts");
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `orch <args>` in `cwd` with exactly `env`, like an operator in a terminal. */
export function orch(args: readonly string[], params: { cwd: string; env: Record<string, string> }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, CLI, ...args], {
      cwd: params.cwd,
      env: { TSX_TSCONFIG_PATH: path.join(REPO_ROOT, "tsconfig.json"), ...params.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export { waitFor } from "./wait-for.js";

/** Processes working for one attempt of this setup (their environment names its folder under this ORCH_HOME). */
export function processesOf(home: string, attemptId: number): number[] {
  const dirs = [path.join(home, "attempts", String(attemptId)), path.join(fs.realpathSync.native(home), "attempts", String(attemptId))];
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (environ.some((line) => dirs.some((dir) => line === `ORCH_ATTEMPT_DIR=${dir}` || line.startsWith(`ORCH_ATTEMPT_DIR=${dir}/`)))) found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

