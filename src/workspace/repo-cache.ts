/**
 * The per-host cache of bare clones, and the worktrees made from it.
 *
 * Layout under `home` (ORCH_HOME):
 *
 *     repos/<owner>/<repo>.git   bare cache; remote refs live in refs/remotes/origin/*
 *                                (PR heads in refs/remotes/origin/pull/<n>/head), and
 *                                attempt branches in refs/heads/*, which no fetch touches
 *     worktrees/<attemptId>      one worktree per attempt, on its own branch
 *     worktrees/.spare-<hash>    one spare worktree per repository, checked out
 *                                ahead of time, which the next attempt takes
 *     trash/<attemptId>-<random> removed worktrees, deleted in the background
 *
 * The cache has no configured remote: each fetch names the URL built from
 * `gitBaseUrl`, so changing ORCH_GIT_BASE_URL needs no migration and no URL
 * (let alone a token) is ever written to the cache's config.
 *
 * Everything that writes a cache's refs (fetch, worktree add/remove) runs one
 * at a time per repository through a KeyedMutex; different repositories run
 * in parallel. The mutex is per process: two orch processes must not share
 * one ORCH_HOME.
 */
import { constants, existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createHash, randomBytes } from "node:crypto";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { assertFullSha, isSafeRefName, isSafeRepoName } from "./branch-name.js";
import { WorkspaceError } from "./errors.js";
import { runGit, type GitAuth } from "./git.js";
import { KeyedMutex } from "./lock.js";

export interface RepoCacheOptions {
  /** ORCH_HOME, absolute. */
  home: string;
  /** Keep one checked-out spare worktree per repository for the next attempt (default true). */
  spareWorktrees?: boolean;
  /** ORCH_GIT_BASE_URL: `https://github.com`, a GHES origin, or `file:///…` in tests. */
  gitBaseUrl: string;
}

export interface RepoId {
  owner: string;
  repo: string;
}

const PULL_HEAD = /^refs\/pull\/([1-9][0-9]{0,9})\/head$/;
const ATTEMPT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export class RepoCache {
  readonly home: string;
  readonly gitBaseUrl: string;
  private readonly mutex = new KeyedMutex();
  /** Orders "a caller asked" against "a fetch started"; see fetchBase. */
  private clock = 0;
  /** Per repo+ref with callers waiting: how many, and the latest fetch's result. */
  private readonly waiting = new Map<string, { count: number; last?: { startedAt: number; sha: string } }>();
  /** Deletions of trashed worktrees, one at a time; settles (never rejects) when the trash is empty. */
  private trashQueue: Promise<void> = Promise.resolve();
  private readonly spareWorktrees: boolean;
  /** Spare worktrees being checked out in the background. */
  private readonly refills = new Set<Promise<void>>();

  constructor(options: RepoCacheOptions) {
    if (!isAbsolute(options.home)) {
      throw new WorkspaceError("bad_config", `ORCH_HOME must be an absolute path, got ${JSON.stringify(options.home)}`);
    }
    this.home = resolve(options.home);
    this.gitBaseUrl = checkBaseUrl(options.gitBaseUrl);
    this.spareWorktrees = options.spareWorktrees ?? true;
    // Worktrees trashed by an earlier process that stopped before deleting them.
    this.trashQueue = this.sweepTrash();
  }

  /** `<home>/repos/<owner>/<repo>.git`. Throws `unsafe_repo` for a name GitHub would not allow. */
  cachePath(owner: string, repo: string): string {
    assertSafeRepo(owner, repo);
    return join(this.home, "repos", owner, `${repo}.git`);
  }

  /** `<home>/worktrees/<attemptId>`. Throws `unsafe_path` unless the id is a plain token. */
  worktreePath(attemptId: string): string {
    if (!ATTEMPT_ID.test(attemptId)) {
      throw new WorkspaceError("unsafe_path", `attempt id ${JSON.stringify(attemptId)} is not a plain token`);
    }
    return join(this.home, "worktrees", attemptId);
  }

  /** `<gitBaseUrl>/<owner>/<repo>.git`; never holds credentials. */
  remoteUrl(owner: string, repo: string): string {
    assertSafeRepo(owner, repo);
    return `${this.gitBaseUrl}/${owner}/${repo}.git`;
  }

  /**
   * Makes sure the cache exists and fetches exactly `ref` (`refs/heads/<branch>`
   * or `refs/pull/<n>/head`) into `refs/remotes/origin/...`; returns its sha.
   *
   * Coalescing: a caller that had to wait for the repository's lock takes the
   * result of a fetch of the same ref that *started after it asked*, since
   * that fetch saw the remote at least as late as its own would have. A fetch
   * that was already running when it asked is not enough (it may predate a
   * push the caller is reacting to). Ten simultaneous callers cost one fetch
   * (two if the first had already started when the rest asked), never a
   * stale answer.
   */
  async fetchBase(params: RepoId & { ref: string; token?: string | undefined }): Promise<{ sha: string }> {
    const { owner, repo, ref, token } = params;
    const cache = this.cachePath(owner, repo);
    const target = remoteTrackingRef(ref);
    const waitKey = `${owner}/${repo}\0${ref}`;
    const askedAt = ++this.clock;
    const entry = this.waiting.get(waitKey) ?? { count: 0 };
    entry.count += 1;
    this.waiting.set(waitKey, entry);
    try {
      return await this.mutex.run(repoKey(owner, repo), async () => {
        if (entry.last && entry.last.startedAt > askedAt) return { sha: entry.last.sha };
        const startedAt = ++this.clock;
        const auth = token ? { token, gitBaseUrl: this.gitBaseUrl } : undefined;
        await ensureBareRepo(cache);
        await resetCacheConfig(cache);
        await runGit({
          cwd: cache,
          auth,
          args: [
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--no-recurse-submodules",
            this.remoteUrl(owner, repo),
            // Forced: branches and PR heads are rewritten upstream all the time.
            `+${ref}:${target}`,
          ],
        });
        const sha = (await readLooseRef(cache, target)) ?? (await resolveCommit(cache, target));
        entry.last = { startedAt, sha };
        return { sha };
      });
    } finally {
      entry.count -= 1;
      if (entry.count === 0) this.waiting.delete(waitKey);
    }
  }

  /**
   * `git worktree add -b <branch> <path> <sha>` in the cache. Refuses a path
   * outside `<home>/worktrees/`, an unsafe branch name, and a branch that
   * already exists (a crashed attempt's branch is evidence, never reused).
   *
   * Checking out the tree is nearly all of the cost (every file written), so
   * the repository's spare worktree, checked out ahead of time, is taken
   * when there is one and moved into place. At the spare's own commit (the
   * common case) only the branch ref and HEAD are written; at another commit,
   * a checkout writes the files that differ. A new spare is then checked out
   * in the background, off the caller's path.
   */
  async addWorktree(params: RepoId & { branch: string; sha: string; path: string }): Promise<void> {
    const { owner, repo, branch, sha } = params;
    const cache = this.cachePath(owner, repo);
    assertSafeBranch(branch);
    assertFullSha(sha);
    const path = this.insideWorktrees(params.path);
    await this.mutex.run(repoKey(owner, repo), async () => {
      if (!isBareRepo(cache)) {
        throw new WorkspaceError(
          "cache_missing",
          `no cache for ${owner}/${repo} at ${cache}; fetchBase must run before addWorktree`,
        );
      }
      const spare = this.sparePath(owner, repo);
      const spareSha = this.spareWorktrees ? await readWorktreeHead(spare) : undefined;
      if (spareSha === sha) {
        // The common case: nothing was pushed since the spare was made. Creating the
        // branch ref (create-only) also refuses one left by an earlier attempt.
        await createBranchRef({ cache, branch, sha, repo: `${owner}/${repo}` });
        if (await this.takeSpare({ cache, spare, path, branch })) return;
      } else {
        await assertNoBranch({ cache, branch, repo: `${owner}/${repo}` });
        if (spareSha !== undefined && (await this.takeSpare({ cache, spare, path, branch, sha }))) return;
        // A spare git no longer recognises would block every refill: throw it away.
        if (spareSha === undefined && this.spareWorktrees && (await pathExists(spare))) await this.discardWorktree(cache, spare);
      }
      await runGit({
        cwd: cache,
        config: CHECKOUT_CONFIG,
        args: spareSha === sha ? ["worktree", "add", path, branch] : ["worktree", "add", "-b", branch, path, sha],
      });
    });
    if (this.spareWorktrees) this.refillSpare({ owner, repo, sha });
  }

  /** `<home>/worktrees/.spare-<hash>`: dot-first, so no attempt id can name it. */
  sparePath(owner: string, repo: string): string {
    assertSafeRepo(owner, repo);
    const hash = createHash("sha256").update(`${owner}/${repo}`).digest("hex").slice(0, 16);
    return join(this.home, "worktrees", `.spare-${hash}`);
  }

  /**
   * Moves the spare to `path` and puts it on `branch`: already made at the
   * spare's commit (then only HEAD changes), or made here at `sha` by a
   * checkout that writes the files that differ. False, with the spare thrown
   * away, when any step fails; the caller then checks out from scratch.
   */
  private async takeSpare(params: { cache: string; spare: string; path: string; branch: string; sha?: string }): Promise<boolean> {
    const { cache, spare, path, branch, sha } = params;
    try {
      await runGit({ cwd: cache, args: ["worktree", "move", spare, path] });
    } catch {
      await this.discardWorktree(cache, spare);
      return false;
    }
    try {
      const args = sha === undefined ? ["symbolic-ref", "HEAD", `refs/heads/${branch}`] : ["checkout", "-b", branch, sha];
      await runGit({ cwd: path, config: CHECKOUT_CONFIG, args });
      return true;
    } catch {
      await this.discardWorktree(cache, path);
      return false;
    }
  }

  private async discardWorktree(cache: string, path: string): Promise<void> {
    if (await pathExists(path)) await this.moveToTrash(path);
    await runGit({ cwd: cache, args: ["worktree", "prune"] }).catch(() => {});
  }

  /** Checks out a new spare at `sha` in the background, unless the repository has one. */
  private refillSpare(params: RepoId & { sha: string }): void {
    const { owner, repo, sha } = params;
    const cache = this.cachePath(owner, repo);
    const spare = this.sparePath(owner, repo);
    const refill = this.mutex
      .run(repoKey(owner, repo), async () => {
        if (await pathExists(spare)) return;
        await runGit({ cwd: cache, config: CHECKOUT_CONFIG, args: ["worktree", "add", "--detach", spare, sha] });
      })
      .catch(() => {
        // No spare this time: the next attempt checks out its own tree.
      });
    this.refills.add(refill);
    void refill.finally(() => this.refills.delete(refill));
  }

  /** Resolves once no spare is being checked out and the trash is empty. For shutdown and tests. */
  async whenIdle(): Promise<void> {
    while (this.refills.size > 0) await Promise.all([...this.refills]);
    await this.drainTrash();
  }

  /**
   * Removes the worktree and prunes git's record of it; the branch stays.
   * Harmless when the directory is already gone or on a second call.
   *
   * The directory leaves the caller's path at once: it is renamed into
   * `<home>/trash/` (same filesystem, one rename) and deleted in the
   * background, one tree at a time. Deleting a checked-out tree costs about
   * what `rm -rf` does, which is seconds for a large repository on a disk
   * that discards freed blocks synchronously (ext4 without a journal, mounted
   * with `discard`); the attempt, the cleanup command or the closed thread
   * should not wait for it. `drainTrash()` waits for the deletions.
   */
  async removeWorktree(params: RepoId & { path: string }): Promise<void> {
    const { owner, repo } = params;
    const cache = this.cachePath(owner, repo);
    const path = this.insideWorktrees(params.path);
    await this.mutex.run(repoKey(owner, repo), async () => {
      if (await pathExists(path)) await this.moveToTrash(path);
      // The admin entry of a worktree whose directory is gone (moved above,
      // deleted by hand, or never finished by a crashed add) goes here.
      if (isBareRepo(cache)) await runGit({ cwd: cache, args: ["worktree", "prune"] });
    });
  }

  /**
   * Resolves once every worktree removed so far is deleted from disk,
   * including leftovers of an earlier process found at construction. For
   * shutdown and tests; never rejects (what cannot be deleted stays in the
   * trash for the next sweep).
   */
  async drainTrash(): Promise<void> {
    for (;;) {
      const queue = this.trashQueue;
      await queue;
      if (queue === this.trashQueue) return;
    }
  }

  private async moveToTrash(path: string): Promise<void> {
    const trash = join(this.home, "trash");
    const target = join(trash, `${basename(path)}-${randomBytes(6).toString("hex")}`);
    try {
      await mkdir(trash, { recursive: true });
      await rename(path, target);
    } catch {
      // Not movable (ORCH_HOME/worktrees on another filesystem, say): delete in place.
      await rm(path, { recursive: true, force: true });
      return;
    }
    this.deleteInBackground(target);
  }

  private deleteInBackground(path: string): void {
    this.trashQueue = this.trashQueue
      .then(() => deleteTree(path))
      .catch(() => {
        // Left in the trash; the next process's sweep tries again.
      });
  }

  private async sweepTrash(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(join(this.home, "trash"));
    } catch {
      return; // No trash yet.
    }
    for (const entry of entries) this.deleteInBackground(join(this.home, "trash", entry));
  }

  /**
   * `git push <url> refs/heads/<branch>:refs/heads/<branch>`, run in the cache
   * (the branch lives there, shared with its worktree). Never forced: an
   * attempt branch that moved upstream is a conflict to report.
   *
   * Not from the worktree: the agent could have replaced the worktree's `.git`
   * file with a repository of its own whose config sends the token elsewhere.
   * And the cache's config is reset first, in case the agent edited it.
   */
  async pushBranch(
    params: RepoId & { worktreePath: string; branch: string; token?: string | undefined },
  ): Promise<void> {
    const { owner, repo, branch, token } = params;
    const url = this.remoteUrl(owner, repo);
    const cache = this.cachePath(owner, repo);
    assertSafeBranch(branch);
    this.insideWorktrees(params.worktreePath);
    const auth: GitAuth | undefined = token ? { token, gitBaseUrl: this.gitBaseUrl } : undefined;
    await this.mutex.run(repoKey(owner, repo), async () => {
      if (!isBareRepo(cache)) {
        throw new WorkspaceError("cache_missing", `no cache for ${owner}/${repo}; fetchBase must run before pushBranch`);
      }
      await resetCacheConfig(cache);
      await runGit({
        cwd: cache,
        auth,
        args: ["push", "--no-recurse-submodules", url, `refs/heads/${branch}:refs/heads/${branch}`],
      });
    });
  }

  /** Resolves `path` and throws `unsafe_path` unless it is strictly inside `<home>/worktrees/`. */
  private insideWorktrees(path: string): string {
    const root = join(this.home, "worktrees");
    const resolved = resolve(path);
    const rel = relative(root, resolved);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      throw new WorkspaceError("unsafe_path", `worktree path ${JSON.stringify(path)} is not inside ${root}`);
    }
    return resolved;
  }
}

function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`;
}

function assertSafeRepo(owner: string, repo: string): void {
  if (!isSafeRepoName(owner, repo)) {
    throw new WorkspaceError("unsafe_repo", `${JSON.stringify(`${owner}/${repo}`)} is not a valid GitHub repository name`);
  }
}

function assertSafeBranch(branch: string): void {
  if (!isSafeRefName(branch)) {
    throw new WorkspaceError("unsafe_ref", `branch name ${JSON.stringify(branch)} is not allowed`);
  }
}

/** `refs/heads/x` → `refs/remotes/origin/x`; `refs/pull/7/head` → `refs/remotes/origin/pull/7/head`. */
function remoteTrackingRef(ref: string): string {
  if (PULL_HEAD.test(ref)) return `refs/remotes/origin/${ref.slice("refs/".length)}`;
  if (ref.startsWith("refs/heads/") && isSafeRefName(ref)) {
    return `refs/remotes/origin/${ref.slice("refs/heads/".length)}`;
  }
  throw new WorkspaceError(
    "unsafe_ref",
    `cannot fetch ${JSON.stringify(ref)}: expected refs/heads/<branch> or refs/pull/<n>/head`,
  );
}

function checkBaseUrl(gitBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(gitBaseUrl);
  } catch {
    throw new WorkspaceError("bad_config", `ORCH_GIT_BASE_URL ${JSON.stringify(gitBaseUrl)} is not a URL`);
  }
  if (!["https:", "http:", "file:"].includes(url.protocol)) {
    throw new WorkspaceError("bad_config", `ORCH_GIT_BASE_URL must be https://, http:// or file://, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs and in git's config; tokens go in the environment.
    throw new WorkspaceError("bad_config", "ORCH_GIT_BASE_URL must not contain credentials");
  }
  return gitBaseUrl.replace(/\/+$/, "");
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `rm -rf` of `path` in a worker thread. Not `fs.promises.rm`: that spreads
 * thousands of unlinks over libuv's four-thread pool, and every other file
 * operation in orch (agent logs, prompt files) would queue behind them.
 */
function deleteTree(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(
      `require("node:fs").rmSync(require("node:worker_threads").workerData, { recursive: true, force: true, maxRetries: 3 });`,
      { eval: true, workerData: path },
    );
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`deleting ${path} exited with ${code}`))));
  });
}

function isBareRepo(path: string): boolean {
  return existsSync(join(path, "HEAD")) && existsSync(join(path, "objects"));
}

/**
 * `git init --bare` into a sibling temp directory, then rename, so a crash
 * never leaves a half-made cache that looks real. `init` + one fetch rather
 * than `clone --bare`: the first fetch brings only the objects of the one ref
 * we need, not every branch.
 */
async function ensureBareRepo(cache: string): Promise<void> {
  if (isBareRepo(cache)) return;
  const temp = `${cache}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(temp, { recursive: true });
  try {
    await runGit({ cwd: temp, args: ["init", "--bare", "--quiet"] });
    await rename(temp, cache);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Settings for `worktree add`, whose cost is almost all checkout (creating
 * every file of the tree). Parallel checkout (one worker process per core)
 * made it about a fifth faster for 10,000 files on two cores (bench/, see
 * BENCHMARKS.md); `index.version=4` and `feature.manyFiles` made no
 * measurable difference, so they are left out. Passed with `-c`, not written
 * to the cache's config, which is reset to git's defaults before each fetch.
 */
const CHECKOUT_CONFIG = ["checkout.workers=0"] as const;

/**
 * The cache's config is orch's, but an agent running as the same user can
 * write it through its worktree (`git config` there writes the shared file):
 * a proxy, `sslVerify = false` or an `insteadOf` rewrite would expose the
 * token on the next fetch or push. So it is rewritten to git's defaults
 * before each one. Nothing orch needs lives in it: remotes are named by URL.
 */
const CACHE_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n";

async function resetCacheConfig(cache: string): Promise<void> {
  await writeFile(join(cache, "config"), CACHE_CONFIG);
}

/**
 * The commit a worktree's detached HEAD points at, read from its admin files
 * (no git process: this is on the allocation path); undefined for anything
 * else (missing, on a branch, unreadable).
 */
async function readWorktreeHead(worktree: string): Promise<string | undefined> {
  try {
    const pointer = await readFile(join(worktree, ".git"), "utf8");
    const gitdir = /^gitdir: (.+)\n?$/.exec(pointer)?.[1];
    if (!gitdir) return undefined;
    const head = await readFile(join(gitdir, "HEAD"), "utf8");
    return /^[0-9a-f]{40}\n$/.test(head) ? head.trim() : undefined;
  } catch {
    return undefined;
  }
}

function branchExistsError(branch: string, repo: string): WorkspaceError {
  return new WorkspaceError(
    "branch_exists",
    `branch ${branch} already exists in the cache of ${repo} (left by an earlier attempt?); refusing to reuse it, use a new attempt number`,
  );
}

async function assertNoBranch(params: { cache: string; branch: string; repo: string }): Promise<void> {
  if (await hasRef(params.cache, `refs/heads/${params.branch}`)) throw branchExistsError(params.branch, params.repo);
}

/** `git update-ref refs/heads/<branch> <sha> ""`: create-only, so an existing branch is refused, never moved. */
async function createBranchRef(params: { cache: string; branch: string; sha: string; repo: string }): Promise<void> {
  const { cache, branch, sha, repo } = params;
  if (await hasRefFile(cache, branch)) throw branchExistsError(branch, repo);
  try {
    await runGit({ cwd: cache, args: ["update-ref", "--no-deref", `refs/heads/${branch}`, sha, ""] });
  } catch (error) {
    if (await hasRef(cache, `refs/heads/${branch}`)) throw branchExistsError(branch, repo);
    throw error;
  }
}

/** A cheap first look for a loose branch ref; update-ref's create-only check is the real guard. */
async function hasRefFile(cache: string, branch: string): Promise<boolean> {
  return pathExists(join(cache, "refs", "heads", branch));
}

async function hasRef(cache: string, ref: string): Promise<boolean> {
  const out = await runGit({ cwd: cache, args: ["for-each-ref", "--format=%(refname)", ref] });
  return out.trim() === ref;
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
async function readLooseRef(cache: string, ref: string): Promise<string | undefined> {
  try {
    const content = await readFile(join(cache, ref), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    return /^[0-9a-f]{40}\n$/.test(content) ? content.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function resolveCommit(cache: string, ref: string): Promise<string> {
  return (await runGit({ cwd: cache, args: ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`] })).trim();
}
