/**
 * The per-host cache of bare clones, and the worktrees made from it (layout
 * in layout.ts).
 *
 * The cache has no configured remote: each fetch names the URL built from
 * `gitBaseUrl`, so changing ORCH_GIT_BASE_URL needs no migration and no URL
 * (let alone a token) is ever written to the cache's config.
 *
 * Everything that writes a cache's refs, admin dirs or objects (fetch,
 * worktree add and remove, publishing an attempt's commit, push) runs one at
 * a time per repository through a KeyedMutex; different repositories run in
 * parallel. The mutex is per process: two orch processes must not share one
 * ORCH_HOME.
 *
 * No agent ever sees the cache beyond its objects (read-only), the spares or
 * another attempt's tree: the sandbox hides ORCH_HOME and shows back only the
 * attempt's own folders. A spare is still checked clean before it is handed
 * out, in case anything else touched it.
 */
import { constants, existsSync } from "node:fs";
import { lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, join } from "node:path";
import { createAgentRepo } from "./agent-repo.js";
import {
  discardSnapshot,
  moveObjectsIntoCache,
  snapshotWorktree,
  type AttemptGit,
  type Snapshot,
} from "./attempt-commit.js";
import { assertFullSha, isSafeRefName } from "./branch-name.js";
import { isWorkspaceError, WorkspaceError } from "./errors.js";
import { GIT_NETWORK_TIMEOUT_MS, runGit, type GitAuth, type GitIdentity } from "./git.js";
import { buildRemoteUrl, checkBaseUrl, spareName, WorkspaceLayout, type RepoId } from "./layout.js";
import { KeyedMutex } from "./lock.js";
import { parsePushRefusal } from "./push-refusal.js";
import { Trash } from "./trash.js";

export type { RepoId } from "./layout.js";

export interface RepoCacheOptions {
  /** ORCH_HOME, absolute. */
  home: string;
  /** Keep one checked-out spare worktree per repository for the next attempt (default true). */
  spareWorktrees?: boolean;
  /** ORCH_GIT_BASE_URL: `https://github.com`, a GHES origin, or `file:///…` in tests. */
  gitBaseUrl: string;
  /** Who the agents' own commits in their throwaway repositories are by. */
  agentIdentity?: GitIdentity;
}

const PULL_HEAD = /^refs\/pull\/([1-9][0-9]{0,9})\/head$/;
const DEFAULT_AGENT_IDENTITY: GitIdentity = { name: "orch agent", email: "agent@orch.invalid" };

export class RepoCache {
  readonly home: string;
  readonly gitBaseUrl: string;
  readonly layout: WorkspaceLayout;
  private readonly mutex = new KeyedMutex();
  /** Orders "a caller asked" against "a fetch started"; see fetchBase. */
  private clock = 0;
  /** Per repo+ref with callers waiting: how many, and the latest fetch's result. */
  private readonly waiting = new Map<string, { count: number; last?: { startedAt: number; sha: string } }>();
  private readonly trash: Trash;
  private readonly spareWorktrees: boolean;
  private readonly agentIdentity: GitIdentity;
  /** Background work: spare checkouts, stale admin dirs pruned. */
  private readonly background = new Set<Promise<void>>();
  /** Caches whose stale worktree admin dirs this process has pruned. */
  private readonly pruned = new Set<string>();
  /**
   * When each spare was last checked clean, on a clock of this process that
   * also ticks when an unsandboxed agent ends; see takeSpare.
   */
  private readonly spareCheckedAt = new Map<string, number>();
  private trustClock = 0;
  private unsandboxedRunning = 0;
  private lastUnsandboxedEnd = 0;

  constructor(options: RepoCacheOptions) {
    this.layout = new WorkspaceLayout(options.home);
    this.home = this.layout.home;
    this.gitBaseUrl = checkBaseUrl(options.gitBaseUrl);
    this.spareWorktrees = options.spareWorktrees ?? true;
    this.agentIdentity = options.agentIdentity ?? DEFAULT_AGENT_IDENTITY;
    this.trash = new Trash(this.layout.trashRoot());
  }

  cachePath(owner: string, repo: string): string {
    return this.layout.cachePath(owner, repo);
  }

  worktreePath(name: string): string {
    return this.layout.worktreePath(name);
  }

  sparePath(owner: string, repo: string): string {
    return this.layout.sparePath(owner, repo);
  }

  remoteUrl(owner: string, repo: string): string {
    return buildRemoteUrl(this.gitBaseUrl, owner, repo);
  }

  /** Where orch commits an attempt's work in `worktree`; `privateDir` is the attempt's own `git/` folder. */
  attemptGit(params: RepoId & { worktree: string; privateDir: string }): AttemptGit {
    const worktree = this.layout.insideWorktrees(params.worktree);
    const cache = this.cachePath(params.owner, params.repo);
    return {
      adminDir: this.layout.adminPath({ ...params, name: basename(worktree) }),
      worktree,
      cacheObjects: join(cache, "objects"),
      privateDir: params.privateDir,
    };
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
        const auth = this.authFor(token);
        await ensureBareRepo(cache);
        await resetCacheConfig(cache);
        await runGit({
          gitDir: cache,
          auth,
          timeoutMs: GIT_NETWORK_TIMEOUT_MS,
          // --verbose: it always prints, so simple-git need not wait on silence (git.ts).
          args: [
            "fetch",
            "--verbose",
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
        this.pruneOnce(owner, repo);
        return { sha };
      });
    } finally {
      entry.count -= 1;
      if (entry.count === 0) this.waiting.delete(waitKey);
    }
  }

  /**
   * Makes the attempt's worktree at `path` on a new `branch` at `sha`: its
   * files checked out, orch's admin dir `<cache>/worktrees/<name>` on the
   * branch, and the agent's own throwaway repository as its `.git`
   * (agent-repo.ts). Refuses a path outside `<home>/worktrees/`, an unsafe
   * branch name, and a branch that already exists (a crashed attempt's
   * branch is evidence, never reused).
   *
   * Checking out the tree is nearly all of the cost (every file written), so
   * the repository's spare worktree, checked out ahead of time, is taken
   * when there is one and it is clean: moved into place, and at another
   * commit only the files that differ are written. A new spare is then
   * checked out in the background, off the caller's path.
   */
  async addWorktree(params: RepoId & { branch: string; sha: string; path: string }): Promise<void> {
    const { owner, repo, branch, sha } = params;
    const cache = this.cachePath(owner, repo);
    assertSafeBranch(branch);
    assertFullSha(sha);
    const path = this.layout.insideWorktrees(params.path);
    const name = basename(path);
    const admin = this.layout.adminPath({ owner, repo, name });
    await this.mutex.run(repoKey(owner, repo), async () => {
      if (!isBareRepo(cache)) {
        throw new WorkspaceError(
          "cache_missing",
          `no cache for ${owner}/${repo} at ${cache}; fetchBase must run before addWorktree`,
        );
      }
      if (await pathExists(path)) throw new WorkspaceError("unsafe_path", `worktree path ${path} is already in use`);
      await createBranchRef({ cache, branch, sha, repo: `${owner}/${repo}` });
      // An admin dir by this name can only be a crashed process's leftover.
      await rm(admin, { recursive: true, force: true });
      const tookSpare = this.spareWorktrees && (await this.takeSpare({ owner, repo, cache, path, admin, branch, sha }));
      if (!tookSpare) {
        await runGit({ gitDir: cache, config: CHECKOUT_CONFIG, args: ["worktree", "add", path, branch] });
        await assertAdminDir({ path, admin });
      }
      await createAgentRepo({
        worktree: path,
        cacheObjects: join(cache, "objects"),
        adminIndex: join(admin, "index"),
        headSha: sha,
        branch,
        identity: this.agentIdentity,
      });
    });
    if (this.spareWorktrees) this.refillSpare({ owner, repo, sha });
  }

  /**
   * Says an agent is about to run without orch's sandbox (`sandbox: none`):
   * it could write into spares, so until it has ended every spare is checked
   * again before it is handed out. Call the returned function when it ends.
   */
  noteUnsandboxedAgent(): () => void {
    this.unsandboxedRunning += 1;
    let isDone = false;
    return () => {
      if (isDone) return;
      isDone = true;
      this.unsandboxedRunning -= 1;
      this.lastUnsandboxedEnd = ++this.trustClock;
    };
  }

  /**
   * Moves the repository's spare to `path` and puts it on `branch` (which
   * points at `sha`), when it is exactly what orch checked out: no changed,
   * new or ignored file, HEAD at its own commit. At another commit a
   * checkout writes the files that differ. False, with the spare thrown
   * away, when it is missing, dirty or any step fails; the caller then checks
   * out from scratch.
   *
   * The clean check (`git status` of the whole tree, some 50 ms for 10,000
   * files) runs when the spare is made, off the caller's path. No sandboxed
   * agent can reach a spare (it lies in ORCH_HOME, which every sandbox
   * hides), so the check is made again here, on the caller's path, only when
   * something that could have written it ran since: an unsandboxed agent, or
   * an earlier orch process (a spare found on disk).
   */
  private async takeSpare(params: RepoId & { cache: string; path: string; admin: string; branch: string; sha: string }): Promise<boolean> {
    const { owner, repo, path, admin, branch, sha } = params;
    const spare = this.sparePath(owner, repo);
    const spareAdmin = this.layout.adminPath({ owner, repo, name: spareName(owner, repo) });
    const spareSha = await readDetachedHead(spareAdmin);
    const checkedAt = this.spareCheckedAt.get(spare);
    this.spareCheckedAt.delete(spare);
    if (spareSha === undefined) {
      if ((await pathExists(spare)) || (await pathExists(spareAdmin))) await this.discardWorktree({ path: spare, admin: spareAdmin });
      return false;
    }
    try {
      const isTrusted = checkedAt !== undefined && this.unsandboxedRunning === 0 && checkedAt > this.lastUnsandboxedEnd;
      if (!isTrusted) await assertCleanTree({ gitDir: spareAdmin, workTree: spare, sha: spareSha });
      await rename(spare, path);
      await rename(spareAdmin, admin);
      await writeFile(join(admin, "gitdir"), `${join(path, ".git")}\n`);
      await writeFile(join(admin, "HEAD"), `ref: refs/heads/${branch}\n`);
      // The branch is already at `sha`; bring the index and files there (and print, see git.ts).
      if (spareSha !== sha) await runGit({ gitDir: admin, workTree: path, config: CHECKOUT_CONFIG, args: ["reset", "--hard", sha] });
      return true;
    } catch {
      await this.discardWorktree({ path: spare, admin: spareAdmin });
      await this.discardWorktree({ path, admin });
      return false;
    }
  }

  /**
   * Checks out a new spare at `sha` in the background, unless the repository
   * has one, and checks it clean (which also refreshes its index, so the
   * next check reads no file twice).
   */
  private refillSpare(params: RepoId & { sha: string }): void {
    const { owner, repo, sha } = params;
    const cache = this.cachePath(owner, repo);
    const spare = this.sparePath(owner, repo);
    const admin = this.layout.adminPath({ owner, repo, name: spareName(owner, repo) });
    this.inBackground(
      this.mutex.run(repoKey(owner, repo), async () => {
        if (await pathExists(spare)) return;
        await rm(admin, { recursive: true, force: true });
        await runGit({ gitDir: cache, config: CHECKOUT_CONFIG, args: ["worktree", "add", "--detach", spare, sha] });
        await assertAdminDir({ path: spare, admin });
        const startedAt = ++this.trustClock;
        await assertCleanTree({ gitDir: admin, workTree: spare, sha });
        this.spareCheckedAt.set(spare, startedAt);
      }),
    );
  }

  /**
   * Commits the attempt's files on top of `baseSha` into the attempt's own
   * objects (attempt-commit.ts); nothing reaches the cache yet. Undefined
   * when nothing changed.
   */
  async snapshot(params: { git: AttemptGit; baseSha: string; message: string; identity: GitIdentity; signal?: AbortSignal }): Promise<Snapshot | undefined> {
    return snapshotWorktree(params);
  }

  /**
   * Makes an accepted snapshot part of the cache: its objects moved in, the
   * attempt's branch moved from `baseSha` to it (refused if anything else
   * moved the branch). Then the branch can be pushed.
   */
  async publishSnapshot(params: RepoId & { git: AttemptGit; branch: string; baseSha: string; commitSha: string }): Promise<void> {
    const { owner, repo, git, branch, baseSha, commitSha } = params;
    const cache = this.cachePath(owner, repo);
    assertSafeBranch(branch);
    await this.mutex.run(repoKey(owner, repo), async () => {
      await moveObjectsIntoCache(git);
      await updateRefs(cache, [`update refs/heads/${branch} ${assertFullSha(commitSha)} ${assertFullSha(baseSha)}`]);
    });
    await discardSnapshot(git);
  }

  /**
   * `git push <url> refs/heads/<branch>:refs/heads/<branch>` from the cache,
   * create-only: `--force-with-lease=<ref>:` (empty) requires that the remote
   * has no such branch, so an attempt never moves a branch it did not make.
   * A refusal throws `push_refused` with the remote's reasons (push-refusal.ts).
   */
  async pushBranch(params: RepoId & { branch: string; token?: string | undefined; signal?: AbortSignal }): Promise<void> {
    const { owner, repo, branch, token, signal } = params;
    assertSafeBranch(branch);
    const ref = `refs/heads/${branch}`;
    await this.pushRefspec({ owner, repo, token, signal, lease: `${ref}:`, refspec: `${ref}:${ref}` });
  }

  /** Deletes the attempt's branch on the remote, only while it still points at `sha` (a push that a cancel overtook). */
  async deleteRemoteBranch(params: RepoId & { branch: string; sha: string; token?: string | undefined }): Promise<void> {
    const { owner, repo, branch, sha, token } = params;
    assertSafeBranch(branch);
    const ref = `refs/heads/${branch}`;
    await this.pushRefspec({ owner, repo, token, lease: `${ref}:${assertFullSha(sha)}`, refspec: `:${ref}` });
  }

  private async pushRefspec(params: RepoId & { token: string | undefined; signal?: AbortSignal | undefined; lease: string; refspec: string }): Promise<void> {
    const { owner, repo, token, signal, lease, refspec } = params;
    const cache = this.cachePath(owner, repo);
    const url = this.remoteUrl(owner, repo);
    await this.mutex.run(repoKey(owner, repo), async () => {
      if (!isBareRepo(cache)) {
        throw new WorkspaceError("cache_missing", `no cache for ${owner}/${repo}; fetchBase must run before pushBranch`);
      }
      await resetCacheConfig(cache);
      try {
        await runGit({
          gitDir: cache,
          auth: this.authFor(token),
          timeoutMs: GIT_NETWORK_TIMEOUT_MS,
          ...(signal ? { signal } : {}),
          args: ["push", "--no-recurse-submodules", "--no-verify", `--force-with-lease=${lease}`, url, refspec],
        });
      } catch (error) {
        const refusal = isWorkspaceError(error, "git_failed") ? parsePushRefusal(error.detail ?? "") : undefined;
        if (!refusal) throw error;
        throw new WorkspaceError(
          "push_refused",
          `the remote refused ${refspec}: ${refusal.reason}`,
          [refusal.reason, ...refusal.remoteLines].join("\n"),
        );
      }
    });
  }

  /**
   * Removes the worktree and orch's admin dir for it; the branch stays.
   * Harmless when the directory is already gone or on a second call. The
   * tree leaves the caller's path at once (trash.ts); `drainTrash()` waits
   * for the deletions.
   */
  async removeWorktree(params: RepoId & { path: string }): Promise<void> {
    const { owner, repo } = params;
    const path = this.layout.insideWorktrees(params.path);
    const admin = this.layout.adminPath({ owner, repo, name: basename(path) });
    await this.mutex.run(repoKey(owner, repo), () => this.discardWorktree({ path, admin }));
  }

  /** Resolves once every worktree removed so far is deleted from disk. */
  drainTrash(): Promise<void> {
    return this.trash.drain();
  }

  /** Resolves once no spare is being checked out and the trash is empty. For shutdown and tests. */
  async whenIdle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
    await this.drainTrash();
  }

  private async discardWorktree(params: { path: string; admin: string }): Promise<void> {
    await this.trash.discard(params.path);
    await rm(params.admin, { recursive: true, force: true });
  }

  /**
   * Once per repository and process: `git worktree prune` drops admin dirs
   * whose worktree is gone (a crash between the two removals above).
   */
  private pruneOnce(owner: string, repo: string): void {
    const key = repoKey(owner, repo);
    if (this.pruned.has(key)) return;
    this.pruned.add(key);
    const cache = this.cachePath(owner, repo);
    this.inBackground(this.mutex.run(key, () => runGit({ gitDir: cache, args: ["worktree", "prune", "--verbose"] }).then(() => undefined)));
  }

  private inBackground(work: Promise<void>): void {
    const settled = work.catch(() => {
      // Background work is an optimisation: the next allocation checks out its own tree.
    });
    this.background.add(settled);
    void settled.finally(() => this.background.delete(settled));
  }

  private authFor(token: string | undefined): GitAuth | undefined {
    return token ? { token, gitBaseUrl: this.gitBaseUrl } : undefined;
  }
}

function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`;
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

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
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
    await runGit({ gitDir: temp, args: ["init", "--bare", "--template="] });
    await rename(temp, cache);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Settings for `worktree add` and `reset`, whose cost is almost all checkout
 * (creating every file of the tree). Parallel checkout (one worker process
 * per core) made it about a fifth faster for 10,000 files on two cores
 * (bench/, see BENCHMARKS.md). Passed with `-c`, not written to the cache's
 * config, which is reset to git's defaults before each fetch.
 */
const CHECKOUT_CONFIG = ["checkout.workers=0"] as const;

/**
 * The cache's config is orch's alone (no sandbox shows it), and nothing orch
 * needs lives in it: remotes are named by URL. It is still rewritten to
 * git's defaults before each fetch and push, so a setting that once got in
 * (by hand, by an old orch) cannot send the token elsewhere.
 */
const CACHE_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n";

async function resetCacheConfig(cache: string): Promise<void> {
  await writeFile(join(cache, "config"), CACHE_CONFIG);
}

/** The commit in an admin dir's detached HEAD; undefined for anything else (missing, on a branch, unreadable). */
async function readDetachedHead(admin: string): Promise<string | undefined> {
  try {
    const head = await readFile(join(admin, "HEAD"), { encoding: "utf8", flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    return /^[0-9a-f]{40}\n$/.test(head) ? head.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** git named the new worktree's admin dir after its folder; anything else means a leftover was in the way. */
async function assertAdminDir(params: { path: string; admin: string }): Promise<void> {
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
async function assertCleanTree(params: { gitDir: string; workTree: string; sha: string }): Promise<void> {
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

function branchExistsError(branch: string, repo: string): WorkspaceError {
  return new WorkspaceError(
    "branch_exists",
    `branch ${branch} already exists in the cache of ${repo} (left by an earlier attempt?); refusing to reuse it, use a new attempt number`,
  );
}

/** Creates `refs/heads/<branch>` at `sha`, create-only: an existing branch is refused, never moved. */
async function createBranchRef(params: { cache: string; branch: string; sha: string; repo: string }): Promise<void> {
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
async function updateRefs(cache: string, commands: string[]): Promise<void> {
  await runGit({ gitDir: cache, args: ["update-ref", "--stdin"], input: ["start", ...commands, "commit", ""].join("\n") });
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
  return (await runGit({ gitDir: cache, args: ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`] })).trim();
}
