/**
 * Worktrees checked out from a cache, attempts' and spares' alike: the
 * settings a checkout runs with, the checks that a checkout is exactly what
 * orch made, and throwing one away.
 */
import { constants } from "node:fs";
import { lstat, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { WorkspaceError } from "./errors.js";
import { runGit } from "./git.js";
import type { Trash } from "./trash.js";

/**
 * Settings for `worktree add` and `reset`, whose cost is almost all checkout
 * (creating every file of the tree). Parallel checkout (one worker process
 * per core) made it about a fifth faster for 10,000 files on two cores
 * (bench/, see BENCHMARKS.md). Passed with `-c`, not written to the cache's
 * config, which is reset to git's defaults before each fetch.
 */
export const CHECKOUT_CONFIG = ["checkout.workers=0"] as const;

/** True when anything (a file, a folder, a symbolic link) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The commit in an admin dir's detached HEAD; undefined for anything else (missing, on a branch, unreadable). */
export async function readDetachedHead(admin: string): Promise<string | undefined> {
  try {
    const head = await readFile(join(admin, "HEAD"), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    return /^[0-9a-f]{40}\n$/.test(head) ? head.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** git named the new worktree's admin dir after its folder; anything else means a leftover was in the way. */
export async function assertAdminDir(params: { path: string; admin: string }): Promise<void> {
  const pointer = await readFile(join(params.path, ".git"), "utf8");
  if (pointer.trim() !== `gitdir: ${params.admin}`) {
    throw new WorkspaceError("git_failed", `git put the admin dir of ${params.path} elsewhere than ${params.admin}: ${pointer.trim()}`);
  }
}

/**
 * Throws `dirty_tree` unless the tree is exactly its commit: HEAD at `sha`,
 * the index and every file as checked out, nothing untracked or ignored.
 * (`--porcelain=v2 --branch` always prints its headers: see git.ts.)
 */
export async function assertCleanTree(params: { gitDir: string; workTree: string; sha: string }): Promise<void> {
  const out = await runGit({
    gitDir: params.gitDir,
    workTree: params.workTree,
    args: ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--ignored=matching", "--ignore-submodules=none"],
  });
  const entries = out.split("\0").filter((entry) => entry !== "");
  const oid = entries.find((entry) => entry.startsWith("# branch.oid "))?.slice("# branch.oid ".length);
  const changes = entries.filter((entry) => !entry.startsWith("# "));
  if (oid !== params.sha || changes.length > 0) {
    throw new WorkspaceError("dirty_tree", `${params.workTree} is not a clean checkout of ${params.sha} (${changes.length} changed entries, HEAD ${oid})`);
  }
}

/**
 * Moves the worktree at `path` into the trash (trash.ts), then removes its
 * admin dir. Harmless when either is already gone.
 */
export async function discardWorktree(params: { trash: Trash; path: string; admin: string }): Promise<void> {
  await params.trash.discard(params.path);
  await rm(params.admin, { recursive: true, force: true });
}
