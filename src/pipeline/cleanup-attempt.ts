import type { AttemptContext } from "../store/records.js";
import { isActive } from "../store/transitions.js";
import type { RouteToHost } from "./cancel-attempt.js";
import type { PipelineDeps } from "./deps.js";

export type CleanupResult =
  /** Its worktree was removed; the branch stays in the cache and on the remote. */
  | "cleaned"
  /** Queued or running: left alone. */
  | "active"
  /** Already cleaned, or it never had a worktree. */
  | "nothing_to_clean"
  /** Its worktree is on another host, which was asked to remove it (when it next runs, if it is down). */
  | "requested";

/**
 * Removes an ended attempt's worktree (`git worktree remove --force`, then
 * prune) and marks its workspace `cleaned`. Doing it twice is harmless. A
 * worktree on another host is that host's to remove: it is asked to, through
 * its queue. Without `route` (the host handling that request) it is done here.
 */
export async function cleanupAttempt(
  deps: Pick<PipelineDeps, "store" | "cache" | "reporter"> & { host?: string; route?: RouteToHost },
  params: { context: AttemptContext },
): Promise<CleanupResult> {
  const { store, cache, reporter } = deps;
  const { attempt, thread } = params.context;
  if (isActive(attempt.state)) return "active";
  if (attempt.workspaceState !== "allocated" || !attempt.worktreePath) return "nothing_to_clean";
  if (deps.route && attempt.host && attempt.host !== deps.host && (await deps.route(attempt.host, { kind: "cleanup", attemptId: attempt.id }))) {
    return "requested";
  }
  await cache.removeWorktree({ owner: thread.owner, repo: thread.repo, path: attempt.worktreePath });
  if (!(await store.transitionWorkspace({ attemptId: attempt.id, to: "cleaned" }))) return "nothing_to_clean";
  const recorded = await store.findAttemptContext(attempt.id);
  // The check run's buttons change: no more "Clean up".
  if (recorded?.attempt.checkRunId != null) await reporter.complete(recorded);
  return "cleaned";
}
