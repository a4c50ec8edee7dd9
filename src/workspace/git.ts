/**
 * The one place that starts git. Every call gets the same hardening:
 *
 * - hooks are off (`-c core.hooksPath=/dev/null`): a worktree's hooks live in
 *   the cache, which the agent can write, and a push runs with the token in
 *   its environment;
 * - the environment is the process's own minus every ambient `GIT_*` (and
 *   the other variables that make git run programs), plus what orch sets;
 * - a GitHub token travels in `GIT_CONFIG_*` variables as an `http.extraheader`
 *   scoped to the base URL's origin, never in argv, a URL or a config file;
 * - git's errors come back as WorkspaceError with the token scrubbed.
 *
 * git is started with node's execFile (argv, never a shell). simple-git was
 * used first, but it waits a fixed 50 ms after any git process that printed
 * nothing (dist/index.mjs: `c && await wt(50)`), whatever its completion
 * options say; taking a spare worktree is three such calls, so that was
 * 150 ms of a 200 ms allocation (bench/, BENCHMARKS.md).
 */
import { execFile } from "node:child_process";
import { WorkspaceError } from "./errors.js";

/** Credentials for one fetch or push; the header is sent only to `gitBaseUrl`'s origin. */
export interface GitAuth {
  token: string;
  gitBaseUrl: string;
}

/**
 * Who a commit is by; given as `-c user.*` and as GIT_AUTHOR_* / GIT_COMMITTER_*,
 * with `commit.gpgsign=false` so a signing setting in the host's global config
 * cannot make orch's commit depend on a key being present.
 */
export interface GitIdentity {
  name: string;
  email: string;
}

/**
 * Ambient variables passed through because operators use them to make HTTPS
 * work at all (a private CA). Every other ambient `GIT_*` is dropped so that
 * the host's shell cannot redirect orch's git (GIT_DIR, GIT_SSH_COMMAND, ...).
 */
const AMBIENT_GIT_ENV = ["GIT_SSL_CAINFO", "GIT_SSL_CAPATH"] as const;

/** Non-`GIT_` names git reads to run programs; dropped from the ambient env. */
const GUARDED_PLAIN_ENV = new Set(["editor", "visual", "pager", "prefix", "ssh_askpass"]);

/**
 * Runs `git <args>` in `cwd` and returns stdout. Throws WorkspaceError
 * (`git_failed`) with stderr, scrubbed of `auth.token`, as its message.
 */
export async function runGit(params: {
  cwd: string;
  args: readonly string[];
  auth?: GitAuth | undefined;
  identity?: GitIdentity | undefined;
  /** Extra `-c name=value` settings for this call, fixed by the caller (never user input). */
  config?: readonly string[] | undefined;
}): Promise<string> {
  const { cwd, args, auth, identity } = params;
  const config = ["core.hooksPath=/dev/null", ...(params.config ?? [])];
  if (identity) config.push(`user.name=${identity.name}`, `user.email=${identity.email}`, "commit.gpgsign=false");
  const argv = [...config.flatMap((setting) => ["-c", setting]), ...args];
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        "git",
        argv,
        { cwd, env: buildGitEnv({ auth, identity }), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve(stdout)),
      );
    });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
    const detail = stderr || (error instanceof Error ? error.message : String(error)).trim();
    throw new WorkspaceError(
      "git_failed",
      scrubSecrets(`git ${args[0] ?? ""} failed in ${cwd}: ${detail}`, auth?.token),
    );
  }
}

/** The child environment for one git call (exported for tests). */
export function buildGitEnv(params: {
  auth?: GitAuth | undefined;
  identity?: GitIdentity | undefined;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    const lower = key.toLowerCase();
    const isGuarded = lower.startsWith("git_") || GUARDED_PLAIN_ENV.has(lower);
    if (!isGuarded || (AMBIENT_GIT_ENV as readonly string[]).includes(key)) env[key] = value;
  }
  // English, unlocalised output: we parse `--shortstat` and log stderr.
  env.LC_ALL = "C";
  env.GIT_TERMINAL_PROMPT = "0";
  // Give up on a stalled transfer (below 1 KB/s for a minute) instead of
  // holding the repository's lock forever.
  env.GIT_HTTP_LOW_SPEED_LIMIT = "1000";
  env.GIT_HTTP_LOW_SPEED_TIME = "60";
  if (params.auth) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = `http.${urlOrigin(params.auth.gitBaseUrl)}/.extraheader`;
    env.GIT_CONFIG_VALUE_0 = `AUTHORIZATION: basic ${basicCredentials(params.auth.token)}`;
  }
  if (params.identity) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = params.identity.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = params.identity.email;
  }
  return env;
}

/** Replaces the token and its Basic-auth form with `***`. */
export function scrubSecrets(text: string, token: string | undefined): string {
  if (!token) return text;
  return [token, basicCredentials(token)].reduce((out, secret) => out.split(secret).join("***"), text);
}

/** `scheme://host[:port]`; for `file:` URLs that is `file://`. */
export function urlOrigin(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

function basicCredentials(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}
