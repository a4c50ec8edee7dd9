import type { AttemptContext } from "../store/records.js";
import { isActive } from "../store/transitions.js";
import type { PipelineDeps } from "./deps.js";

export type CleanupResult =
  /** Its worktree was removed; the branch stays in the cache and on the remote. */
  | "cleaned"
  /** Queued or running: left alone. */
  | "active"
  /** Already cleaned, or it never had a worktree. */
  | "nothing_to_clean";

/**
 * Removes an ended attempt's worktree (`git worktree remove --force`, then
 * prune) and marks its workspace `cleaned`. Doing it twice is harmless.
 */
export async function cleanupAttempt(
  deps: Pick<PipelineDeps, "store" | "cache" | "reporter">,
  params: { context: AttemptContext },
): Promise<CleanupResult> {
  const { store, cache, reporter } = deps;
  const { attempt, thread } = params.context;
  if (isActive(attempt.state)) return "active";
  if (attempt.workspaceState !== "allocated" || !attempt.worktreePath) return "nothing_to_clean";
  await cache.removeWorktree({ owner: thread.owner, repo: thread.repo, path: attempt.worktreePath });
  if (!(await store.transitionWorkspace({ attemptId: attempt.id, to: "cleaned" }))) return "nothing_to_clean";
  const recorded = await store.findAttemptContext(attempt.id);
  // The check run's buttons change: no more "Clean up".
  if (recorded?.attempt.checkRunId != null) await reporter.complete(recorded);
  return "cleaned";
}
