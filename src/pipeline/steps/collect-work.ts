import { renderPullRequest } from "../../render/pull-request.js";
import type { AttemptContext } from "../../store/records.js";
import { commitLeftovers, countNewCommits, getDiffStat, getHeadSha } from "../../workspace/worktrees.js";
import type { PipelineDeps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import type { PullRequestRef } from "../ports.js";

export interface CollectedWork {
  commitCount: number;
  headSha: string;
}

/** Commits what the agent left uncommitted and counts the attempt's commits. */
export async function commitWork(
  deps: Pick<PipelineDeps, "config">,
  params: { context: AttemptContext; worktreePath: string; baseSha: string },
): Promise<CollectedWork> {
  const { context, worktreePath, baseSha } = params;
  const { task, attempt } = context;
  await commitLeftovers({
    path: worktreePath,
    message: `orch: ${task.key} attempt ${attempt.number}: changes the agent left uncommitted`,
    authorName: deps.config.git.authorName,
    authorEmail: deps.config.git.authorEmail,
  });
  return {
    commitCount: await countNewCommits({ path: worktreePath, baseSha }),
    headSha: await getHeadSha(worktreePath),
  };
}

/** Pushes the attempt's branch with the installation token, which the agent never saw. */
export async function pushWork(
  deps: Pick<PipelineDeps, "cache">,
  params: { context: AttemptContext; worktreePath: string; token: string },
): Promise<void> {
  const { context, worktreePath, token } = params;
  const { thread, attempt } = context;
  await deps.cache.pushBranch({ owner: thread.owner, repo: thread.repo, worktreePath, branch: attempt.branch, token });
}

/** Opens the attempt's pull request (draft unless configured otherwise) against the run's base branch. */
export async function openPullRequest(
  deps: Pick<PipelineDeps, "github">,
  params: { context: AttemptContext; outcome: Outcome; worktreePath: string; baseSha: string; draft: boolean },
): Promise<PullRequestRef> {
  const { context, outcome, worktreePath, baseSha, draft } = params;
  const diffStat = await getDiffStat({ path: worktreePath, baseSha });
  const { title, body } = renderPullRequest({ context, summary: outcome.summary, diffStat });
  return deps.github(context.thread).createPullRequest({
    head: context.attempt.branch,
    base: context.run.prBase,
    title,
    body,
    draft,
  });
}
