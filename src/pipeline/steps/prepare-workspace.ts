import type { AttemptContext } from "../../store/records.js";
import type { PipelineDeps } from "../deps.js";

/** Dependencies' branches that do not merge: the task cannot start until a person resolves it. */
export class DependencyConflict extends Error {
  override name = "DependencyConflict";
}

/**
 * Fetches the attempt's base into the repository's cache and adds the
 * attempt's worktree on its new branch at that commit. The base is the
 * run's (the default branch, or the pull request's head), or for a task
 * that waited for others their branches: the one's head, or the several
 * heads merged (a conflict throws DependencyConflict, naming the files).
 */
export async function prepareWorkspace(
  deps: Pick<PipelineDeps, "cache" | "store" | "config" | "metrics">,
  params: { context: AttemptContext; token: string },
): Promise<{ worktreePath: string; baseSha: string }> {
  const { cache, store, config, metrics } = deps;
  const startedAt = performance.now();
  const { context, token } = params;
  const { thread, run, task, attempt } = context;
  const repo = { owner: thread.owner, repo: thread.repo };
  let { sha: baseSha } = await cache.fetchBase({ ...repo, ref: task.baseRef ?? run.baseRef, token });
  if (task.mergeRefs.length > 0) {
    const others: string[] = [];
    for (const ref of task.mergeRefs) others.push((await cache.fetchBase({ ...repo, ref, token })).sha);
    const merged = await cache.mergeHeads({
      ...repo,
      base: baseSha,
      others,
      identity: { name: config.git.authorName, email: config.git.authorEmail },
      message: `orch: merge the branches ${task.key} starts from (${task.after.join(", ")})`,
    });
    if (merged.kind === "conflict") {
      // Its check run goes on the first dependency's head: the commit it would have started from.
      await store.updateAttempt({ attemptId: attempt.id, progress: { baseSha } });
      const index = others.indexOf(merged.with) + 1;
      const files = merged.files.slice(0, 10).map((file) => `\`${file}\``).join(", ") + (merged.files.length > 10 ? `, and ${merged.files.length - 10} more` : "");
      throw new DependencyConflict(
        `${task.key} waits for ${task.after.join(", ")}, and their branches do not merge: ${task.after[index]} conflicts with ${task.after.slice(0, index).join(" + ")} in ${files}. ` +
          `Resolve it on one of those branches, then \`/orch retry ${task.key}\`.`,
      );
    }
    baseSha = merged.sha;
  }
  await store.updateAttempt({ attemptId: attempt.id, progress: { baseSha } });
  const worktreePath = cache.worktreePath(String(attempt.id));
  await cache.addWorktree({ ...repo, branch: attempt.branch, sha: baseSha, path: worktreePath });
  await store.transitionWorkspace({ attemptId: attempt.id, to: "allocated", worktreePath });
  metrics.workspaceAllocated((performance.now() - startedAt) / 1000);
  return { worktreePath, baseSha };
}
