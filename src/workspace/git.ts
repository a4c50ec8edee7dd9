/**
 * The one place that starts git, through simple-git. Every call gets the same
 * hardening, because an agent ran in the worktree orch's git reads afterwards
 * and may have left anything there:
 *
 * - the git directory is always named (`GIT_DIR`), never discovered: a
 *   worktree's `.git` is the agent's own throwaway repository, whose config,
 *   hooks and refs orch never reads;
 * - no system or global config (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL=/dev/null`),
 *   no attributes or excludes from HOME, no hooks, no fsmonitor, no credential
 *   helper, no replace refs, and only the protocols orch itself uses;
 * - the environment is built from scratch (ambient `GIT_*` never leaks in);
 * - a GitHub token travels in `GIT_CONFIG_*` variables as an `http.extraheader`
 *   scoped to the base URL's origin, never in argv, a URL or a config file;
 * - every call has a time limit, and git's errors come back as WorkspaceError
 *   with the token scrubbed.
 *
 * simple-git waits a fixed 50 ms after any git process that printed nothing
 * (its completion plugin), whatever its options say. orch's calls on the hot
 * paths are therefore ones that print: `update-ref --stdin` with
 * `start`/`commit` lines ("start: ok"), `fetch --verbose`, `status
 * --porcelain=v2 --branch`, `worktree add` and `checkout` without `--quiet`;
 * admin files git documents (a worktree's HEAD and gitdir) are written
 * directly. bench/ measures the result (BENCHMARKS.md).
 */
import { simpleGit, type SimpleGitOptions } from "simple-git";
import { WorkspaceError } from "./errors.js";

/** Credentials for one fetch or push; the header is sent only to `gitBaseUrl`'s origin. */
export interface GitAuth {
  token: string;
  gitBaseUrl: string;
}

/** Who a commit is by: GIT_AUTHOR_* / GIT_COMMITTER_*, never a signing key. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Where one git process looks. Only orch's own directories go here. */
export interface GitTarget {
  /** The process's working directory: an orch-owned directory (a cache or admin dir). */
  cwd?: string;
  /** The git directory: a bare cache, or a worktree's admin dir inside it. Required: git never discovers one. */
  gitDir: string;
  /** The files, when the command needs a work tree. */
  workTree?: string;
  /** An index other than the git dir's own. */
  indexFile?: string;
  /** Where new objects are written (and read first). */
  objectDir?: string;
  /** Further object directories read from. */
  alternates?: readonly string[];
}

export interface GitCall extends GitTarget {
  args: readonly string[];
  auth?: GitAuth | undefined;
  identity?: GitIdentity | undefined;
  /** Extra `-c name=value` settings for this call, fixed by the caller (never user input). */
  config?: readonly string[];
  /** Written to git's stdin. */
  input?: string;
  /** Wall-clock limit for this process (default GIT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Aborting kills the process. */
  signal?: AbortSignal;
}

/** Local commands: an index refresh of a large tree takes well under this. */
export const GIT_TIMEOUT_MS = 5 * 60_000;
/** Fetch and push: slow networks, big first fetches. */
export const GIT_NETWORK_TIMEOUT_MS = 15 * 60_000;

/**
 * Settings on every call. `credential.helper=` empties the helper list, so
 * only the header orch sets authenticates; `core.attributesFile` and
 * `core.excludesFile` would otherwise be read from HOME; `gc.autoDetach`
 * keeps an automatic gc from outliving the fetch that started it.
 */
const HARDENING = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "core.untrackedCache=false",
  "core.attributesFile=/dev/null",
  "core.excludesFile=/dev/null",
  "credential.helper=",
  "submodule.recurse=false",
  "commit.gpgSign=false",
  "gc.autoDetach=false",
] as const;

/**
 * Ambient variables passed through because operators use them to make HTTPS
 * work at all (a private CA, a proxy). Everything else is set here.
 */
const AMBIENT = ["PATH", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];

/** What simple-git must let through: orch sets these itself, with its own values. */
const UNSAFE_ALLOWED = {
  allowUnsafeHooksPath: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeTemplateDir: true,
} as const;

/**
 * Runs `git <args>` and returns stdout. Throws WorkspaceError: `git_timeout`
 * when the time limit passed, `git_failed` otherwise, with stderr (scrubbed of
 * `auth.token`) as its message and as `detail`.
 */
export async function runGit(call: GitCall): Promise<string> {
  const { args, auth } = call;
  const env = buildGitEnv(call);
  const timeoutMs = call.timeoutMs ?? GIT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const abort = call.signal ? AbortSignal.any([deadline, call.signal]) : deadline;
  const options: Partial<SimpleGitOptions> = {
    baseDir: call.cwd ?? call.gitDir,
    config: [...HARDENING, ...(call.config ?? [])],
    trimmed: false,
    maxConcurrentProcesses: 16,
    abort,
    allowEnvironment: Object.keys(env).filter((name) => name.startsWith("GIT_")),
    unsafe: UNSAFE_ALLOWED,
    ...(call.input === undefined ? {} : { input: () => call.input }),
  };
  try {
    return await simpleGit(options).env(env).raw([...args]);
  } catch (error) {
    const timedOut = deadline.aborted;
    const scrub = (text: string) => scrubSecrets(text, auth?.token);
    const detail = scrub(describeGitError(error));
    const what = `git ${args[0] ?? ""}`;
    if (timedOut) {
      throw new WorkspaceError("git_timeout", `${what} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`, detail);
    }
    if (call.signal?.aborted) throw new WorkspaceError("git_aborted", `${what} was stopped`, detail);
    throw new WorkspaceError("git_failed", scrub(`${what} failed in ${call.gitDir}: ${detail}`), detail);
  }
}

/** The child environment for one git call (exported for tests). */
export function buildGitEnv(target: GitTarget & { auth?: GitAuth | undefined; identity?: GitIdentity | undefined }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of AMBIENT) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    // English, unlocalised output: stderr is parsed (push refusals) and logged.
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_LITERAL_PATHSPECS: "1",
    // Only what ORCH_GIT_BASE_URL can name; never ext::, ssh or a helper.
    GIT_ALLOW_PROTOCOL: "https:http:file",
    // Give up on a stalled transfer (below 1 KB/s for a minute) instead of
    // holding the repository's lock until the time limit.
    GIT_HTTP_LOW_SPEED_LIMIT: "1000",
    GIT_HTTP_LOW_SPEED_TIME: "60",
    GIT_DIR: target.gitDir,
  });
  if (target.workTree) env.GIT_WORK_TREE = target.workTree;
  if (target.indexFile) env.GIT_INDEX_FILE = target.indexFile;
  if (target.objectDir) env.GIT_OBJECT_DIRECTORY = target.objectDir;
  if (target.alternates?.length) env.GIT_ALTERNATE_OBJECT_DIRECTORIES = target.alternates.join(":");
  if (target.auth) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = `http.${urlOrigin(target.auth.gitBaseUrl)}/.extraheader`;
    env.GIT_CONFIG_VALUE_0 = `AUTHORIZATION: basic ${basicCredentials(target.auth.token)}`;
  }
  if (target.identity) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = target.identity.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = target.identity.email;
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

/** The value of git's Basic authorization header for an installation token. */
export function basicCredentials(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

/** simple-git's GitError message is git's stderr (or its own reason). */
function describeGitError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim() || "(no output)";
}
