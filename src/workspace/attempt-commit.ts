/**
 * What an attempt changed, committed by orch with its own git, after the
 * agent has exited.
 *
 * The agent's worktree is data: orch reads its files with the admin dir in
 * the cache as `GIT_DIR` (never the worktree's `.git`, which is the agent's),
 * its own copy of the index, and an object directory of the attempt's own,
 * outside every sandbox:
 *
 *     <attempt>/git/index     orch's staging index (the admin dir's index stays at the base,
 *                             so nothing in the cache ever names an object it lacks)
 *     <attempt>/git/objects/  the blobs, trees and commit of this attempt; the cache's
 *                             objects are read as alternates
 *
 * Nothing of the attempt reaches the cache, whose objects later agents of the
 * same repository can read, until its changes passed the secret scan
 * (`publishSnapshot` moves the objects in). A failed scan deletes them.
 */
import { copyFile, lstat, mkdir, readdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assertFullSha } from "./branch-name.js";
import { WorkspaceError } from "./errors.js";
import { runGit, type GitIdentity, type GitTarget } from "./git.js";

/** Where one attempt's commit is made. */
export interface AttemptGit {
  /** `<cache>/worktrees/<id>`: orch's admin dir for the worktree. */
  adminDir: string;
  worktree: string;
  /** `<cache>/objects`. */
  cacheObjects: string;
  /** `<attempt>/git`: the attempt's own index and object directory. */
  privateDir: string;
}

/** The attempt's commit, made but not yet in the cache. */
export interface Snapshot {
  commitSha: string;
  /** Repositories the agent made inside the worktree (a `git clone` into it, say): left out of the commit. */
  skippedRepositories: string[];
}

/** One file the attempt added or changed, and how big its new content is. */
export interface ChangedFile {
  path: string;
  bytes: number;
}

function target(git: AttemptGit): GitTarget {
  return {
    gitDir: git.adminDir,
    workTree: git.worktree,
    indexFile: join(git.privateDir, "index"),
    objectDir: join(git.privateDir, "objects"),
    alternates: [git.cacheObjects],
  };
}

/**
 * Stages every file of the worktree (new, modified, deleted; not ignored
 * ones) and commits the tree on top of `baseSha`, as `identity`. Undefined
 * when the tree is the base's: the attempt changed nothing. No ref moves and
 * no hook, filter or fsmonitor runs: only data is read.
 */
export async function snapshotWorktree(params: {
  git: AttemptGit;
  baseSha: string;
  message: string;
  identity: GitIdentity;
  signal?: AbortSignal;
}): Promise<Snapshot | undefined> {
  const { git, baseSha, message, identity, signal } = params;
  assertFullSha(baseSha);
  await rm(git.privateDir, { recursive: true, force: true });
  await mkdir(join(git.privateDir, "objects", "info"), { recursive: true });
  await mkdir(join(git.privateDir, "objects", "pack"), { recursive: true });
  await copyFile(join(git.adminDir, "index"), join(git.privateDir, "index")).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
  const at = target(git);
  const call = (args: string[], extra: { input?: string; identity?: GitIdentity } = {}) =>
    runGit({ ...at, args, ...extra, ...(signal ? { signal } : {}) });

  // Always prints its "# branch" headers, so simple-git need not wait on silence.
  const status = await call(["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--ignore-submodules=none"]);
  const entries = status.split("\0").filter((entry) => entry !== "" && !entry.startsWith("# "));
  if (entries.length === 0) return undefined;

  // git shows a repository inside the tree (a `git clone` into it, say) as one
  // untracked folder, and would stage it as a gitlink: a submodule entry for a
  // commit GitHub does not have. Such folders are left out of the commit.
  const skippedRepositories = entries.filter((entry) => entry.startsWith("? ") && entry.endsWith("/")).map((entry) => entry.slice(2, -1));
  const excludes = join(git.privateDir, "exclude");
  await writeFile(excludes, skippedRepositories.map((path) => `/${escapeIgnorePattern(path)}/\n`).join(""));

  await runGit({ ...at, args: ["add", "--all", "--verbose"], config: [`core.excludesFile=${excludes}`], ...(signal ? { signal } : {}) });
  const tree = (await call(["write-tree"])).trim();
  const baseTree = (await call(["rev-parse", "--verify", "--end-of-options", `${baseSha}^{tree}`])).trim();
  if (tree === baseTree) return undefined;
  const commitSha = (await call(["commit-tree", tree, "-p", baseSha, "-F", "-"], { input: message, identity })).trim();
  return { commitSha: assertFullSha(commitSha), skippedRepositories };
}

/** A path as a literal gitignore pattern: glob characters, a leading `!` or `#` and edge spaces escaped. */
export function escapeIgnorePattern(path: string): string {
  return path.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);
}

/**
 * The files the commit adds or changes against `baseSha`, with the size of
 * their new content, so a diff too large to scan (or a file GitHub would
 * refuse) is caught before anything is read whole.
 */
export async function listChangedFiles(params: { git: AttemptGit; baseSha: string; commitSha: string }): Promise<ChangedFile[]> {
  const { git, baseSha, commitSha } = params;
  const at = target(git);
  const raw = await runGit({ ...at, args: ["diff-tree", "-r", "--raw", "-z", "--no-renames", assertFullSha(baseSha), assertFullSha(commitSha)] });
  const fields = raw.split("\0");
  const blobs: { path: string; sha: string }[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, newMode, , newSha, status] = fields[i]!.replace(/^:/, "").split(" ");
    if (status === "D" || newMode === "160000" || !newSha) continue;
    blobs.push({ path: fields[i + 1]!, sha: newSha });
  }
  if (blobs.length === 0) return [];
  const sizes = await runGit({
    ...at,
    args: ["cat-file", "--batch-check=%(objectsize)"],
    input: `${blobs.map((blob) => blob.sha).join("\n")}\n`,
  });
  const lines = sizes.split("\n");
  return blobs.map((blob, index) => ({ path: blob.path, bytes: Number.parseInt(lines[index] ?? "0", 10) || 0 }));
}

/** `git diff -U0 --text` of the commit against its base, for the secret scan. */
export async function readSnapshotDiff(params: { git: AttemptGit; baseSha: string; commitSha: string }): Promise<string> {
  const { git, baseSha, commitSha } = params;
  return runGit({
    ...target(git),
    args: ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--text", "-U0", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/", assertFullSha(baseSha), assertFullSha(commitSha)],
  });
}

export interface DiffStat {
  filesChanged: number;
  insertions: number;
  deletions: number;
}

/** `git diff --shortstat`, parsed; all zero when nothing changed. */
export async function getSnapshotDiffStat(params: { git: AttemptGit; baseSha: string; commitSha: string }): Promise<DiffStat> {
  const { git, baseSha, commitSha } = params;
  const out = await runGit({ ...target(git), args: ["diff", "--shortstat", assertFullSha(baseSha), assertFullSha(commitSha)] });
  return parseShortStat(out);
}

/** Parses e.g. ` 3 files changed, 10 insertions(+), 1 deletion(-)`; either count may be missing. */
export function parseShortStat(text: string): DiffStat {
  const count = (pattern: RegExp): number => Number.parseInt(pattern.exec(text)?.[1] ?? "0", 10);
  return {
    filesChanged: count(/(\d+) files? changed/),
    insertions: count(/(\d+) insertions?\(\+\)/),
    deletions: count(/(\d+) deletions?\(-\)/),
  };
}

/**
 * Moves the attempt's objects into the cache (loose objects first, then each
 * pack before its index, so git never sees half a pack). Objects are named by
 * their content, so one the cache already has is simply dropped.
 */
export async function moveObjectsIntoCache(git: AttemptGit): Promise<void> {
  const source = join(git.privateDir, "objects");
  for (const entry of await readdir(source)) {
    if (!/^[0-9a-f]{2}$/.test(entry)) continue;
    const targetDir = join(git.cacheObjects, entry);
    await mkdir(targetDir, { recursive: true });
    for (const file of await readdir(join(source, entry))) await moveObject(join(source, entry, file), join(targetDir, file));
  }
  const packs = await readdir(join(source, "pack")).catch(() => [] as string[]);
  const order = (name: string) => (name.endsWith(".idx") ? 2 : name.endsWith(".pack") ? 0 : 1);
  for (const file of packs.filter((name) => /^pack-[0-9a-f]+\.(pack|idx|rev)$/.test(name)).sort((a, b) => order(a) - order(b))) {
    await moveObject(join(source, "pack", file), join(git.cacheObjects, "pack", file));
  }
}

async function moveObject(from: string, to: string): Promise<void> {
  try {
    await lstat(to);
    await unlink(from);
    return;
  } catch {
    // Not there yet: move it.
  }
  try {
    await rename(from, to);
  } catch (error) {
    throw new WorkspaceError("git_failed", `could not move ${from} into the cache: ${(error as Error).message}`);
  }
}

/** Deletes the attempt's own index and objects (after publishing, or when its changes are refused). */
export async function discardSnapshot(git: AttemptGit): Promise<void> {
  await rm(git.privateDir, { recursive: true, force: true });
}
