import type { AttemptContext } from "../../store/records.js";
import type { PipelineDeps } from "../deps.js";

/**
 * Fetches the run's base ref into the repository's cache and adds the
 * attempt's worktree on its new branch at that commit.
 */
export async function prepareWorkspace(
  deps: Pick<PipelineDeps, "cache" | "store">,
  params: { context: AttemptContext; token: string },
): Promise<{ worktreePath: string; baseSha: string }> {
  const { cache, store } = deps;
  const { context, token } = params;
  const { thread, run, attempt } = context;
  const { sha: baseSha } = await cache.fetchBase({ owner: thread.owner, repo: thread.repo, ref: run.baseRef, token });
  await store.updateAttempt({ attemptId: attempt.id, progress: { baseSha } });
  const worktreePath = cache.worktreePath(String(attempt.id));
  await cache.addWorktree({ owner: thread.owner, repo: thread.repo, branch: attempt.branch, sha: baseSha, path: worktreePath });
  await store.transitionWorkspace({ attemptId: attempt.id, to: "allocated", worktreePath });
  return { worktreePath, baseSha };
}
