/**
 * Plain processes for the bench's floors and peers: git, tar, rm and du run
 * directly (or through `bash -c` for a pipeline), never through orch's code,
 * with host git config ignored so a developer's settings cannot tilt a figure.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The environment for bench processes: no ambient GIT_*, no user or system git config. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("GIT_")) env[key] = value;
  }
  return { ...env, LC_ALL: "C", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };
}

/** Runs git with a clean environment; returns trimmed stdout. */
export async function git(cwd: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await execFileAsync("git", [...args], {
    cwd,
    env: { ...cleanEnv(), ...extraEnv },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Runs `script` with `bash -c` (floors only: `tar | tar`, `rm -rf`). */
export async function bash(script: string, cwd?: string): Promise<string> {
  const { stdout } = await execFileAsync("bash", ["-c", script], { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** `du -sk` of the given paths together, in KiB (hard links counted once). */
export async function diskUsageKiB(paths: readonly string[]): Promise<number> {
  const { stdout } = await execFileAsync("du", ["-skc", ...paths], { env: cleanEnv() });
  const total = stdout.trim().split("\n").at(-1)!;
  return Number.parseInt(total.split("\t")[0]!, 10);
}

/** Single-quotes `value` for bash. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
