/**
 * What every verb that starts a run (dispatch, ask, council) records the
 * same way: the thread the request came from, who asked, where the run's
 * attempts start and what their pull requests target, drafts, and the run's
 * caps (prepareRun); each verb adds its tasks and its verify.
 */
import type { ServerConfig } from "../../config/server-config.js";
import type { RepoConfig } from "../../config/repo-config.js";
import type { ThreadRecord } from "../../store/records.js";
import type { VerbDeps, VerbRequest } from "../verb.js";

/** The thread in the store, and the fields of its new run that every verb records alike. */
export async function prepareRun(
  deps: Pick<VerbDeps, "store" | "config">,
  verbRequest: VerbRequest,
  caps: ReturnType<typeof runCaps> = runCaps(deps.config, verbRequest.repoConfig),
) {
  const { baseRef, prBase } = await resolveBase(verbRequest);
  const thread = await upsertRequestThread(deps, verbRequest);
  const head = { threadId: thread.id, requestedBy: verbRequest.request.sender, baseRef, prBase, draft: verbRequest.repoConfig.draftPullRequests, ...caps };
  return { thread, head };
}

/** Where a run's attempts start from and which branch their pull requests target. */
export async function resolveBase({ request, github }: VerbRequest): Promise<{ baseRef: string; prBase: string }> {
  if (request.thread.kind === "issue") {
    return { baseRef: `refs/heads/${request.defaultBranch}`, prBase: request.defaultBranch };
  }
  // A pull request: start from its head (GitHub keeps refs/pull/N/head, forks included) and
  // propose the work back to its head branch, or to its base when the head lives in a fork.
  const pr = await github.getPullRequest();
  const isSameRepo = pr.headRepoFullName?.toLowerCase() === `${request.owner}/${request.repo}`.toLowerCase();
  return { baseRef: `refs/pull/${request.thread.number}/head`, prBase: isSameRepo ? pr.headRef : pr.baseRef };
}

/** The request's thread in the store, made or refreshed (title, kind). */
function upsertRequestThread(deps: Pick<VerbDeps, "store">, { request }: Pick<VerbRequest, "request">): Promise<ThreadRecord> {
  return deps.store.upsertThread({
    installationId: request.installationId,
    owner: request.owner,
    repo: request.repo,
    number: request.thread.number,
    kind: request.thread.kind,
    title: request.thread.title,
    url: request.thread.url,
  });
}

/** A new run's caps: the server's ceilings, lowered where the repository asks. */
export function runCaps(config: Pick<ServerConfig, "limits">, repoConfig: Pick<RepoConfig, "caps">) {
  const { caps } = repoConfig;
  return {
    maxAttemptsPerTask: Math.min(caps.maxAttemptsPerTask ?? Infinity, config.limits.maxAttemptsPerTask),
    runTimeoutMs: lowest(caps.runTimeoutMs, config.limits.runTimeoutMs),
    maxCostUsd: lowest(caps.maxCostUsd, config.limits.maxCostUsd),
  };
}

/** The lower of a repository's cap and the server's ceiling; undefined when neither sets one. */
function lowest(repository: number | undefined, server: number | undefined): number | undefined {
  if (repository === undefined) return server;
  return server === undefined ? repository : Math.min(repository, server);
}
