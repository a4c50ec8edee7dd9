/**
 * The pick of a council attempt (`/orch pick`, or its Pick button). One pick
 * of a task goes on (a guarded move of the task from `picking`); the chosen
 * attempt's branch must still be at the head it pushed, so a branch someone
 * moved since is never proposed in its name. Then its PR is opened, and every
 * other attempt of the task becomes `superseded`: its worktree is removed
 * (by the host that holds it) and its branch stays.
 */
import { renderPullRequest } from "../render/pull-request.js";
import type { AttemptContext } from "../store/records.js";
import type { RouteToHost } from "./cancel-attempt.js";
import { cleanupAttempt } from "./cleanup-attempt.js";
import type { PipelineDeps } from "./deps.js";

export type PickResult = { kind: "picked"; pullRequest: number; superseded: number[] } | { kind: "refused"; why: string };

export async function pickAttempt(deps: PipelineDeps & { host: string; route: RouteToHost }, params: { context: AttemptContext }): Promise<PickResult> {
  const { store, cache, github, reporter, log } = deps;
  const { context } = params;
  const { attempt, task, thread, run } = context;
  if (!(await store.claimPick({ taskId: task.id }))) {
    return { kind: "refused", why: "it is not waiting for a pick any more (another pick came first, or an attempt is still going)." };
  }
  let pullRequest: { number: number; url: string };
  try {
    const client = github(thread);
    const { sha } = await cache.fetchBase({ owner: thread.owner, repo: thread.repo, ref: `refs/heads/${attempt.branch}`, token: await client.getToken() });
    if (sha !== attempt.headSha) {
      await store.releasePick({ taskId: task.id });
      return { kind: "refused", why: `attempt ${attempt.number}'s branch \`${attempt.branch}\` is no longer at the commit it pushed (${attempt.headSha?.slice(0, 7)}, now ${sha.slice(0, 7)}), so it was not proposed; pick another, or open its PR by hand.` };
    }
    const { title, body } = renderPullRequest({ context, summary: attempt.summary ?? "" });
    pullRequest = await client.createPullRequest({ head: attempt.branch, base: task.prBase ?? run.prBase, title, body, draft: run.draft });
  } catch (error) {
    await store.releasePick({ taskId: task.id });
    throw error;
  }
  await store.recordPick({ attemptId: attempt.id, pullRequestNumber: pullRequest.number, pullRequestUrl: pullRequest.url });

  const superseded: number[] = [];
  const view = await store.findRun({ threadId: thread.id, runId: run.id });
  const siblings = view?.tasks.find((t) => t.id === task.id)?.attempts.filter((sibling) => sibling.id !== attempt.id) ?? [];
  for (const sibling of siblings) {
    if (!(await store.transitionAttempt({ attemptId: sibling.id, to: "superseded" }))) continue;
    superseded.push(sibling.number);
    const recorded = (await store.findAttemptContext(sibling.id))!;
    await cleanupAttempt({ store, cache, reporter, host: deps.host, route: deps.route }, { context: recorded }).catch((error: unknown) =>
      log.warn({ err: error, attemptId: sibling.id }, "could not remove a superseded attempt's worktree"),
    );
    await reporter.complete((await store.findAttemptContext(sibling.id))!);
  }
  const picked = await store.findAttemptContext(attempt.id);
  if (picked) await reporter.complete(picked);
  reporter.refreshStatus(thread.id);
  return { kind: "picked", pullRequest: pullRequest.number, superseded: superseded.sort((a, b) => a - b) };
}
