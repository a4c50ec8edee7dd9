import { renderPullRequest } from "../../render/pull-request.js";
import { scanDiffForSecrets } from "../../secrets/scan-diff.js";
import type { AttemptContext } from "../../store/records.js";
import {
  discardSnapshot,
  getSnapshotDiffStat,
  listChangedFiles,
  readSnapshotDiff,
  type AttemptGit,
  type DiffStat,
} from "../../workspace/attempt-commit.js";
import { getAttemptFiles } from "../attempt-files.js";
import type { PipelineDeps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import type { PullRequestRef } from "../ports.js";

/** GitHub refuses files over 100 MB; saying so before the push names the file. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** The secret scan reads the whole diff; more than this is refused rather than pushed unscanned. */
export const MAX_SCANNED_BYTES = 64 * 1024 * 1024;

/** The attempt's commit, made by orch from the files the agent left; not in the cache yet. */
export interface CommittedWork {
  git: AttemptGit;
  commitSha: string;
  /** Repositories the agent made inside the worktree, left out of the commit. */
  skippedRepositories: string[];
  diffStat: DiffStat;
}

function attemptGit(deps: Pick<PipelineDeps, "cache" | "home">, params: { context: AttemptContext; worktreePath: string }): AttemptGit {
  const { context, worktreePath } = params;
  return deps.cache.attemptGit({
    owner: context.thread.owner,
    repo: context.thread.repo,
    worktree: worktreePath,
    privateDir: getAttemptFiles(deps.home, context.attempt.id).gitDir,
  });
}

/**
 * Commits the files the agent left (new, changed, deleted; not ignored ones)
 * on top of the base, as orch's identity; undefined when it changed nothing.
 * The agent's own commits, in its throwaway repository, are not used: only
 * the files are, so nothing the agent wrote into git is obeyed.
 */
export async function commitWork(
  deps: Pick<PipelineDeps, "config" | "cache" | "home">,
  params: { context: AttemptContext; worktreePath: string; baseSha: string; summary: string | undefined; signal: AbortSignal },
): Promise<CommittedWork | undefined> {
  const { context, worktreePath, baseSha, summary, signal } = params;
  const { task, attempt, thread } = context;
  const git = attemptGit(deps, { context, worktreePath });
  const subject = summary ?? `orch: ${task.key} attempt ${attempt.number}`;
  const message = `${subject}\n\nTask ${task.key}, attempt ${attempt.number} on #${thread.number}, by the agent ${attempt.agent}.\n`;
  const snapshot = await deps.cache.snapshot({
    git,
    baseSha,
    message,
    identity: { name: deps.config.git.authorName, email: deps.config.git.authorEmail },
    signal,
  });
  if (!snapshot) return undefined;
  const diffStat = await getSnapshotDiffStat({ git, baseSha, commitSha: snapshot.commitSha });
  return { git, commitSha: snapshot.commitSha, skippedRepositories: snapshot.skippedRepositories, diffStat };
}

/**
 * Why the commit must not be pushed, or undefined when it may: a file over
 * GitHub's size limit, more than orch can scan, or what looks like a secret
 * (by the same rules as everything orch publishes). The reason names the
 * file and line, never the secret.
 */
export async function checkWork(
  deps: Pick<PipelineDeps, "redactor">,
  params: { work: CommittedWork; baseSha: string },
): Promise<string | undefined> {
  const { work, baseSha } = params;
  const files = await listChangedFiles({ git: work.git, baseSha, commitSha: work.commitSha });
  const tooBig = files.find((file) => file.bytes > MAX_FILE_BYTES);
  if (tooBig) {
    return `${tooBig.path} is ${formatMb(tooBig.bytes)}, over GitHub's 100 MB limit for a file; nothing was pushed`;
  }
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  if (total > MAX_SCANNED_BYTES) {
    return `the changes hold ${formatMb(total)} of files, more than orch scans for secrets before a push (${formatMb(MAX_SCANNED_BYTES)}); nothing was pushed`;
  }
  const diff = await readSnapshotDiff({ git: work.git, baseSha, commitSha: work.commitSha });
  const hits = await scanDiffForSecrets({ diff, redactor: deps.redactor });
  if (hits.length === 0) return undefined;
  const where = hits.slice(0, 3).map((hit) => `${hit.file}:${hit.line} (${hit.rule})`).join(", ");
  const more = hits.length > 3 ? ` and ${hits.length - 3} more` : "";
  return `the changes hold what looks like a secret in ${where}${more}; nothing was pushed`;
}

/** Drops a commit that will not be pushed: its objects never reach the cache. */
export async function discardWork(work: CommittedWork): Promise<void> {
  await discardSnapshot(work.git);
}

/**
 * Moves the commit into the cache on the attempt's branch and pushes it with
 * the installation token, which the agent never saw. Aborting the signal
 * stops the push.
 */
export async function pushWork(
  deps: Pick<PipelineDeps, "cache">,
  params: { context: AttemptContext; work: CommittedWork; baseSha: string; token: string; signal: AbortSignal },
): Promise<void> {
  const { context, work, baseSha, token, signal } = params;
  const { thread, attempt } = context;
  const repo = { owner: thread.owner, repo: thread.repo };
  await deps.cache.publishSnapshot({ ...repo, git: work.git, branch: attempt.branch, baseSha, commitSha: work.commitSha });
  await deps.cache.pushBranch({ ...repo, branch: attempt.branch, token, signal });
}

/** Takes back a push that a cancel overtook: the branch goes, if it is still the attempt's commit. */
export async function unpushWork(
  deps: Pick<PipelineDeps, "cache">,
  params: { context: AttemptContext; sha: string; token: string },
): Promise<void> {
  const { context, sha, token } = params;
  await deps.cache.deleteRemoteBranch({ owner: context.thread.owner, repo: context.thread.repo, branch: context.attempt.branch, sha, token });
}

/** Opens the attempt's pull request (draft unless configured otherwise) against the task's base branch (its dependency's, or the run's). */
export async function openPullRequest(
  deps: Pick<PipelineDeps, "github">,
  params: { context: AttemptContext; outcome: Outcome; work: CommittedWork; draft: boolean },
): Promise<PullRequestRef> {
  const { context, outcome, work, draft } = params;
  const { title, body } = renderPullRequest({ context, summary: outcome.summary, diffStat: work.diffStat });
  return deps.github(context.thread).createPullRequest({
    head: context.attempt.branch,
    // A task stacked on a dependency proposes its work to that branch.
    base: context.task.prBase ?? context.run.prBase,
    title,
    body,
    draft,
  });
}

function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
