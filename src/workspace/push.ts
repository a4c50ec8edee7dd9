/**
 * Pushing from a cache to its remote: an attempt's branch created there,
 * or deleted again, each guarded by a lease so orch never moves a branch
 * it did not make. The caller holds the repository's lock (repo-cache.ts).
 */
import { assertFullSha, assertSafeBranch } from "./branch-name.js";
import { isBareRepo, resetCacheConfig } from "./cache-refs.js";
import { isWorkspaceError, WorkspaceError } from "./errors.js";
import { GIT_NETWORK_TIMEOUT_MS, runGit, type GitAuth } from "./git.js";
import { parsePushRefusal } from "./push-refusal.js";

/** One `git push`: what it sends, and what the remote's ref must be for it to apply. */
export interface PushRefspec {
  /** `<ref>:<expected sha>` for `--force-with-lease`; an empty sha means "the remote has no such ref". */
  lease: string;
  refspec: string;
}

/**
 * `refs/heads/<branch>:refs/heads/<branch>`, create-only:
 * `--force-with-lease=<ref>:` (empty) requires that the remote has no such
 * branch, so an attempt never moves a branch it did not make.
 */
export function buildBranchPush(branch: string): PushRefspec {
  assertSafeBranch(branch);
  const ref = `refs/heads/${branch}`;
  return { lease: `${ref}:`, refspec: `${ref}:${ref}` };
}

/** Deletes `refs/heads/<branch>` on the remote, only while it still points at `sha` (a push that a cancel overtook). */
export function buildBranchDeletion(params: { branch: string; sha: string }): PushRefspec {
  assertSafeBranch(params.branch);
  const ref = `refs/heads/${params.branch}`;
  return { lease: `${ref}:${assertFullSha(params.sha)}`, refspec: `:${ref}` };
}

/**
 * `git push <url> <refspec>` from the bare cache. Throws `cache_missing`
 * before any fetch made the cache, and `push_refused` with the remote's
 * reasons when it refuses (push-refusal.ts).
 */
export async function pushRefspec(params: PushRefspec & {
  cache: string;
  /** `owner/repo`, for messages. */
  repo: string;
  url: string;
  auth: GitAuth | undefined;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const { cache, repo, url, auth, signal, lease, refspec } = params;
  if (!isBareRepo(cache)) {
    throw new WorkspaceError("cache_missing", `no cache for ${repo}; fetchBase must run before pushBranch`);
  }
  await resetCacheConfig(cache);
  try {
    await runGit({
      gitDir: cache,
      auth,
      timeoutMs: GIT_NETWORK_TIMEOUT_MS,
      ...(signal ? { signal } : {}),
      args: ["push", "--no-recurse-submodules", "--no-verify", `--force-with-lease=${lease}`, url, refspec],
    });
  } catch (error) {
    const refusal = isWorkspaceError(error, "git_failed") ? parsePushRefusal(error.detail ?? "") : undefined;
    if (!refusal) throw error;
    throw new WorkspaceError(
      "push_refused",
      `the remote refused ${refspec}: ${refusal.reason}`,
      [refusal.reason, ...refusal.remoteLines].join("\n"),
    );
  }
}
