/**
 * What every verb that starts a run (dispatch, ask, council) records the
 * same way: the thread the request came from, and the run's caps.
 */
import type { ServerConfig } from "../../config/server-config.js";
import type { RepoConfig } from "../../config/repo-config.js";
import type { ThreadRecord } from "../../store/records.js";
import type { VerbDeps, VerbRequest } from "../verb.js";

/** The request's thread in the store, made or refreshed (title, kind). */
export function upsertRequestThread(deps: Pick<VerbDeps, "store">, { request }: Pick<VerbRequest, "request">): Promise<ThreadRecord> {
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
