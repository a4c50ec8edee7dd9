/**
 * A cache's bare repository and its refs: making the repository, keeping
 * its config at git's defaults, and reading and writing the refs orch
 * relies on (remote-tracking refs a fetch writes, attempt branches it
 * creates and moves).
 */
import { constants, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { isSafeRefName } from "./branch-name.js";
import { isWorkspaceError, WorkspaceError } from "./errors.js";
import { runGit } from "./git.js";

const PULL_HEAD = /^refs\/pull\/([1-9][0-9]{0,9})\/head$/;

/**
 * The cache's config is orch's alone (no sandbox shows it), and nothing orch
 * needs lives in it: remotes are named by URL. It is still rewritten to
 * git's defaults before each fetch and push, so a setting that once got in
 * (by hand, by an old orch) cannot send the token elsewhere.
 */
const CACHE_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n";

/** True when `path` looks like a bare repository (its HEAD and objects/ exist). */
export function isBareRepo(path: string): boolean {
  return existsSync(join(path, "HEAD")) && existsSync(join(path, "objects"));
}

/**
 * `git init --bare` into a sibling temp directory, then rename, so a crash
 * never leaves a half-made cache that looks real. `init` + one fetch rather
 * than `clone --bare`: the first fetch brings only the objects of the one ref
 * we need, not every branch.
 */
export async function ensureBareRepo(cache: string): Promise<void> {
  if (isBareRepo(cache)) return;
  const temp = `${cache}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(temp, { recursive: true });
  try {
    await runGit({ gitDir: temp, args: ["init", "--bare", "--template="] });
    await rename(temp, cache);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Rewrites the cache's config to git's defaults (see CACHE_CONFIG); call before each fetch and push. */
export async function resetCacheConfig(cache: string): Promise<void> {
  await writeFile(join(cache, "config"), CACHE_CONFIG);
}

/** `refs/heads/x` → `refs/remotes/origin/x`; `refs/pull/7/head` → `refs/remotes/origin/pull/7/head`. */
export function remoteTrackingRef(ref: string): string {
  if (PULL_HEAD.test(ref)) return `refs/remotes/origin/${ref.slice("refs/".length)}`;
  if (ref.startsWith("refs/heads/") && isSafeRefName(ref)) {
    return `refs/remotes/origin/${ref.slice("refs/heads/".length)}`;
  }
  throw new WorkspaceError(
    "unsafe_ref",
    `cannot fetch ${JSON.stringify(ref)}: expected refs/heads/<branch> or refs/pull/<n>/head`,
  );
}

/**
 * The sha a fetch just wrote to `ref`, read from its loose ref file: a git
 * process less on every fetch, which was a third of a no-op refresh (bench/).
 * Fetch writes a ref it updates as a loose file; one it left alone may be
 * packed (after `gc --auto`), and then this returns undefined and the caller
 * asks git. No peeling is needed: git refuses a non-commit on `refs/heads/*`,
 * and GitHub makes `refs/pull/<n>/head` from commits; a symlink is not
 * followed.
 */
export async function readLooseRef(cache: string, ref: string): Promise<string | undefined> {
  try {
    const content = await readFile(join(cache, ref), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    return /^[0-9a-f]{40}\n$/.test(content) ? content.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The commit `ref` points at, asked of git (packed refs, tags peeled); throws when there is none. */
export async function resolveCommit(cache: string, ref: string): Promise<string> {
  return (await runGit({ gitDir: cache, args: ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`] })).trim();
}

/** Creates `refs/heads/<branch>` at `sha`, create-only: an existing branch is refused, never moved. */
export async function createBranchRef(params: { cache: string; branch: string; sha: string; repo: string }): Promise<void> {
  const { cache, branch, sha, repo } = params;
  try {
    await updateRefs(cache, [`create refs/heads/${branch} ${sha}`]);
  } catch (error) {
    if (isWorkspaceError(error, "git_failed") && /already exists|cannot lock ref/.test(error.detail ?? "")) throw branchExistsError(branch, repo);
    throw error;
  }
}

/**
 * One `git update-ref --stdin` transaction: all commands apply or none. With
 * `start` and `commit` git answers "start: ok", so simple-git need not wait on
 * silence (git.ts).
 */
export async function updateRefs(cache: string, commands: string[]): Promise<void> {
  await runGit({ gitDir: cache, args: ["update-ref", "--stdin"], input: ["start", ...commands, "commit", ""].join("\n") });
}

function branchExistsError(branch: string, repo: string): WorkspaceError {
  return new WorkspaceError(
    "branch_exists",
    `branch ${branch} already exists in the cache of ${repo} (left by an earlier attempt?); refusing to reuse it, use a new attempt number`,
  );
}
