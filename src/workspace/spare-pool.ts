/**
 * The spare worktrees: one per repository, checked out ahead of time so the
 * next attempt's worktree is a rename rather than a full checkout (see
 * RepoCache.addWorktree), and what this process knows about whether each
 * spare is still clean. The caller holds the repository's lock for every
 * call but noteUnsandboxedAgent.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assertAdminDir, assertCleanTree, CHECKOUT_CONFIG, discardWorktree, pathExists, readDetachedHead } from "./checkout.js";
import { runGit } from "./git.js";
import { spareName, type RepoId, type WorkspaceLayout } from "./layout.js";
import type { Trash } from "./trash.js";

export class SparePool {
  /**
   * When each spare was last checked clean, on a clock of this process that
   * also ticks when an unsandboxed agent ends; see take.
   */
  private readonly spareCheckedAt = new Map<string, number>();
  private trustClock = 0;
  private unsandboxedRunning = 0;
  private lastUnsandboxedEnd = 0;

  constructor(private readonly deps: { layout: WorkspaceLayout; trash: Trash }) {}

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
   * Moves the repository's spare to `path` (admin dir `admin`) and puts it
   * on `branch` (which points at `sha`), when it is exactly what orch
   * checked out: no changed, new or ignored file, HEAD at its own commit. At
   * another commit a checkout writes the files that differ. False, with the
   * spare thrown away, when it is missing, dirty or any step fails; the
   * caller then checks out from scratch.
   *
   * The clean check (`git status` of the whole tree, some 50 ms for 10,000
   * files) runs when the spare is made, off the caller's path. No sandboxed
   * agent can reach a spare (it lies in ORCH_HOME, which every sandbox
   * hides), so the check is made again here, on the caller's path, only when
   * something that could have written it ran since: an unsandboxed agent, or
   * an earlier orch process (a spare found on disk).
   */
  async take(params: RepoId & { path: string; admin: string; branch: string; sha: string }): Promise<boolean> {
    const { path, admin, branch, sha } = params;
    const { spare, spareAdmin } = this.locate(params);
    const { trash } = this.deps;
    const spareSha = await readDetachedHead(spareAdmin);
    const checkedAt = this.spareCheckedAt.get(spare);
    this.spareCheckedAt.delete(spare);
    if (spareSha === undefined) {
      if ((await pathExists(spare)) || (await pathExists(spareAdmin))) await discardWorktree({ trash, path: spare, admin: spareAdmin });
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
      await discardWorktree({ trash, path: spare, admin: spareAdmin });
      await discardWorktree({ trash, path, admin });
      return false;
    }
  }

  /**
   * Checks out a new spare at `sha`, unless the repository has one, and
   * checks it clean (which also refreshes its index, so the next check reads
   * no file twice). Meant to run in the background, off the caller's path.
   */
  async refill(params: RepoId & { sha: string }): Promise<void> {
    const { owner, repo, sha } = params;
    const cache = this.deps.layout.cachePath(owner, repo);
    const { spare, spareAdmin } = this.locate(params);
    if (await pathExists(spare)) return;
    await rm(spareAdmin, { recursive: true, force: true });
    await runGit({ gitDir: cache, config: CHECKOUT_CONFIG, args: ["worktree", "add", "--detach", spare, sha] });
    await assertAdminDir({ path: spare, admin: spareAdmin });
    const startedAt = ++this.trustClock;
    await assertCleanTree({ gitDir: spareAdmin, workTree: spare, sha });
    this.spareCheckedAt.set(spare, startedAt);
  }

  /** The repository's spare worktree and its admin dir. */
  private locate(params: RepoId): { spare: string; spareAdmin: string } {
    const { owner, repo } = params;
    return {
      spare: this.deps.layout.sparePath(owner, repo),
      spareAdmin: this.deps.layout.adminPath({ owner, repo, name: spareName(owner, repo) }),
    };
  }
}
