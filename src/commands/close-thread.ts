/**
 * Closing an issue or pull request: its active attempts are cancelled (and
 * waited for), then, unless the repository says otherwise, every worktree of
 * the thread is removed. Branches stay.
 */
import { done, type CommandOutcome, type Notice } from "./outcome.js";
import type { VerbDeps, VerbRequest } from "./verb.js";
import { cancelActiveRuns } from "./verbs/cancel.js";
import { cleanupAttempts, everyAttempt } from "./verbs/cleanup.js";
import { threadNoun } from "./verbs/words.js";

export async function closeThread(deps: VerbDeps, verbRequest: VerbRequest, params: { cleanup: boolean }): Promise<CommandOutcome> {
  const { request } = verbRequest;
  const noun = threadNoun(request);
  const thread = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
  if (!thread) return { kind: "silent" };
  const active = (await deps.store.findActiveRuns(thread.id)).flatMap((run) =>
    run.tasks.flatMap((task) => task.attempts.filter((attempt) => attempt.state === "queued" || attempt.state === "running")),
  );
  await cancelActiveRuns(deps, verbRequest, { why: `the ${noun} was closed` });
  await Promise.all(active.map((attempt) => deps.attempts.whenSettled(attempt.id)));
  const cleanups: Notice[] = [];
  if (params.cleanup) {
    const view = await deps.store.getThreadView({ threadId: thread.id, maxRuns: 1_000 });
    for (const run of view.runs) {
      const outcome = await cleanupAttempts(deps, { thread, run, attempts: everyAttempt(run.tasks), scope: `run ${run.id}` });
      if (outcome.kind === "done" && outcome.notice.kind === "cleaned" && (outcome.notice.cleaned.length || outcome.notice.active.length || outcome.notice.requested.length)) {
        cleanups.push(outcome.notice);
      }
    }
  }
  if (active.length === 0 && cleanups.length === 0) return { kind: "silent" };
  return done({ kind: "closed", noun, cancelled: active.length, cleanups });
}
