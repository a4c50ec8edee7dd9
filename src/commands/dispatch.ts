import type { Command } from "./parse.js";
import type { CommandContext, CommandOutcome, CommandRequest } from "./context.js";
import { buildTaskPrompt } from "../pipeline/prompt.js";
import { buildBranchName } from "../workspace/branch-name.js";
import { listAgents } from "./agents.js";

/** Where a run's attempts start from and which branch their pull requests target. */
async function resolveBase(ctx: CommandContext): Promise<{ baseRef: string; prBase: string }> {
  const { request } = ctx;
  if (request.thread.kind === "issue") {
    return { baseRef: `refs/heads/${request.defaultBranch}`, prBase: request.defaultBranch };
  }
  // A pull request: start from its head (GitHub keeps refs/pull/N/head, forks included) and
  // propose the work back to its head branch, or to its base when the head lives in a fork.
  const pr = await ctx.api.getPullRequest();
  const isSameRepo = pr.headRepoFullName?.toLowerCase() === `${request.owner}/${request.repo}`.toLowerCase();
  return { baseRef: `refs/pull/${request.thread.number}/head`, prBase: isSameRepo ? pr.headRef : pr.baseRef };
}

/** Records a run with task t1 and queues its first attempt; the status comment is the answer. */
export async function dispatch(
  ctx: CommandContext,
  command: Extract<Command, { verb: "dispatch" }>,
): Promise<CommandOutcome> {
  const { request, deps } = ctx;
  const agent = command.agent ?? ctx.repoConfig.defaultAgent ?? deps.config.defaultAgent;
  if (!deps.config.agents[agent]) {
    return { message: `there is no agent \`${agent}\` on this server. Known agents: ${listAgents(deps.config)}.` };
  }
  if (!request.thread.isOpen) {
    return { message: `this ${describeThread(request)} is closed; reopen it to dispatch an agent.` };
  }
  const { baseRef, prBase } = await resolveBase(ctx);
  const thread = await deps.store.upsertThread({
    installationId: request.installationId,
    owner: request.owner,
    repo: request.repo,
    number: request.thread.number,
    kind: request.thread.kind,
    title: request.thread.title,
    url: request.thread.url,
  });
  const prompt = buildTaskPrompt({
    thread: { ...request.thread, owner: request.owner, repo: request.repo },
    requestedBy: request.sender,
    instructions: command.instructions,
  });
  await deps.store.createRun({
    threadId: thread.id,
    requestedBy: request.sender,
    baseRef,
    prBase,
    draft: ctx.repoConfig.draftPullRequests,
    tasks: [{ key: "t1", prompt, agent, branch: buildBranchName({ threadNumber: thread.number, taskKey: "t1", attemptNumber: 1 }) }],
  });
  deps.scheduler.wake();
  deps.scheduler.track(deps.status.refresh(thread.id));
  return {};
}

export function describeThread(request: CommandRequest): string {
  return request.thread.kind === "issue" ? "issue" : "pull request";
}
