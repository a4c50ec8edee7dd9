/**
 * Removed worktrees leave the caller's path at once: each is renamed into
 * `<home>/trash/` (same filesystem, one rename) and deleted in the
 * background, one tree at a time. Deleting a checked-out tree costs about
 * what `rm -rf` does, which is seconds for a large repository on a disk that
 * discards freed blocks synchronously (ext4 without a journal, mounted with
 * `discard`); the attempt, the cleanup command or the closed thread should
 * not wait for it.
 *
 * The trash is under ORCH_HOME, which no sandbox shows, and the trees in it
 * were written by agents: deletion never follows a symbolic link out of them
 * (rmSync unlinks links, it does not descend into them).
 */
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, join } from "node:path";
import { Worker } from "node:worker_threads";

export class Trash {
  /** Deletions, one at a time; settles (never rejects) when the trash is empty. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly root: string) {
    // Trees an earlier process trashed and stopped before deleting.
    this.queue = this.sweep();
  }

  /** Moves `path` into the trash and deletes it in the background; deletes it in place when it cannot be moved. */
  async discard(path: string): Promise<void> {
    const target = join(this.root, `${basename(path)}-${randomBytes(6).toString("hex")}`);
    try {
      await mkdir(this.root, { recursive: true });
      await rename(path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      // Not movable (ORCH_HOME/worktrees on another filesystem, say): delete in place.
      await rm(path, { recursive: true, force: true });
      return;
    }
    this.deleteInBackground(target);
  }

  /**
   * Resolves once everything trashed so far is deleted from disk. For
   * shutdown and tests; never rejects (what cannot be deleted stays for the
   * next process's sweep).
   */
  async drain(): Promise<void> {
    for (;;) {
      const queue = this.queue;
      await queue;
      if (queue === this.queue) return;
    }
  }

  private deleteInBackground(path: string): void {
    this.queue = this.queue
      .then(() => deleteTree(path))
      .catch(() => {
        // Left in the trash; the next process's sweep tries again.
      });
  }

  private async sweep(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return; // No trash yet.
    }
    for (const entry of entries) this.deleteInBackground(join(this.root, entry));
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
