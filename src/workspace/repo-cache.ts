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
import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { createAgentRepo } from "./agent-repo.js";
import {
  discardSnapshot,
  moveObjectsIntoCache,
  snapshotWorktree,
  type AttemptGit,
  type Snapshot,
} from "./attempt-commit.js";
import { assertFullSha, assertSafeBranch } from "./branch-name.js";
import { createBranchRef, ensureBareRepo, isBareRepo, readLooseRef, remoteTrackingRef, resetCacheConfig, resolveCommit, updateRefs } from "./cache-refs.js";
import { assertAdminDir, CHECKOUT_CONFIG, discardWorktree, pathExists } from "./checkout.js";
import { WorkspaceError } from "./errors.js";
import { GIT_NETWORK_TIMEOUT_MS, runGit, type GitAuth, type GitIdentity } from "./git.js";
import { mergeHeads, type MergeResult } from "./merge-heads.js";
import { buildRemoteUrl, checkBaseUrl, WorkspaceLayout, type RepoId } from "./layout.js";
import { KeyedMutex } from "./lock.js";
import { buildBranchDeletion, buildBranchPush, pushRefspec, type PushRefspec } from "./push.js";
import { SparePool } from "./spare-pool.js";
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
  private readonly spares: SparePool;
  private readonly agentIdentity: GitIdentity;
  /** Background work: spare checkouts, stale admin dirs pruned. */
  private readonly background = new Set<Promise<void>>();
  /** Caches whose stale worktree admin dirs this process has pruned. */
  private readonly pruned = new Set<string>();

  constructor(options: RepoCacheOptions) {
    this.layout = new WorkspaceLayout(options.home);
    this.home = this.layout.home;
    this.gitBaseUrl = checkBaseUrl(options.gitBaseUrl);
    this.spareWorktrees = options.spareWorktrees ?? true;
    this.agentIdentity = options.agentIdentity ?? DEFAULT_AGENT_IDENTITY;
    this.trash = new Trash(this.layout.trashRoot());
    this.spares = new SparePool({ layout: this.layout, trash: this.trash });
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

  /** Merges fetched commits `others` into `base` in the cache (merge-heads.ts); a conflict names the files. */
  async mergeHeads(params: RepoId & { base: string; others: readonly string[]; identity: GitIdentity; message: string }): Promise<MergeResult> {
    const { owner, repo, ...merge } = params;
    return this.mutex.run(repoKey(owner, repo), () => mergeHeads({ cache: this.cachePath(owner, repo), ...merge }));
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
      const tookSpare = this.spareWorktrees && (await this.spares.take({ owner, repo, path, admin, branch, sha }));
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
    if (this.spareWorktrees) {
      this.inBackground(this.mutex.run(repoKey(owner, repo), () => this.spares.refill({ owner, repo, sha })));
    }
  }

  /**
   * Says an agent is about to run without orch's sandbox (`sandbox: none`):
   * it could write into spares, so until it has ended every spare is checked
   * again before it is handed out. Call the returned function when it ends.
   */
  noteUnsandboxedAgent(): () => void {
    return this.spares.noteUnsandboxedAgent();
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
   * Pushes the attempt's branch from the cache, create-only: an attempt
   * never moves a branch it did not make (push.ts). A refusal throws
   * `push_refused` with the remote's reasons (push-refusal.ts).
   */
  async pushBranch(params: RepoId & { branch: string; token?: string | undefined; signal?: AbortSignal }): Promise<void> {
    const { owner, repo, branch, token, signal } = params;
    await this.push({ owner, repo, token, signal, ...buildBranchPush(branch) });
  }

  /** Deletes the attempt's branch on the remote, only while it still points at `sha` (a push that a cancel overtook). */
  async deleteRemoteBranch(params: RepoId & { branch: string; sha: string; token?: string | undefined }): Promise<void> {
    const { owner, repo, branch, sha, token } = params;
    await this.push({ owner, repo, token, ...buildBranchDeletion({ branch, sha }) });
  }

  /** One push from the cache, under the repository's lock. */
  private async push(params: RepoId & PushRefspec & { token: string | undefined; signal?: AbortSignal | undefined }): Promise<void> {
    const { owner, repo, token, signal, lease, refspec } = params;
    const cache = this.cachePath(owner, repo);
    const url = this.remoteUrl(owner, repo);
    await this.mutex.run(repoKey(owner, repo), () =>
      pushRefspec({ cache, repo: repoKey(owner, repo), url, auth: this.authFor(token), signal, lease, refspec }),
    );
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
    await this.mutex.run(repoKey(owner, repo), () => discardWorktree({ trash: this.trash, path, admin }));
  }

  /**
   * The changes from `base` to `head` (both in the cache) as a unified diff,
   * cut to `maxBytes` (`isCut` says so): what a council's judge reads. No
   * external diff or textconv runs, whatever the tree's `.gitattributes` say.
   */
  async diff(params: RepoId & { base: string; head: string; maxBytes: number }): Promise<{ text: string; isCut: boolean }> {
    const { owner, repo, base, head, maxBytes } = params;
    assertFullSha(base);
    assertFullSha(head);
    const text = await runGit({
      gitDir: this.cachePath(owner, repo),
      args: ["diff", "--no-ext-diff", "--no-textconv", "--no-color", "--find-renames", `${base}...${head}`],
    });
    const bytes = Buffer.from(text, "utf8");
    if (bytes.length <= maxBytes) return { text, isCut: false };
    // Cut at a line end, so the judge never reads half a line (or half a character).
    const cut = bytes.subarray(0, maxBytes).toString("utf8");
    return { text: cut.slice(0, Math.max(0, cut.lastIndexOf("\n") + 1)), isCut: true };
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

  /**
   * Once per repository and process: `git worktree prune` drops admin dirs
   * whose worktree is gone (a crash between the two removals of
   * discardWorktree, checkout.ts).
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
