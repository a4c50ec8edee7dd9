/**
 * Pure naming rules for attempt branches, remote refs and repository names.
 * Every name orch hands to git passes through here first, so argv injection
 * (`-rf`), path traversal (`../x`) and names git would reject are refused
 * before any process starts.
 */
import { WorkspaceError } from "./errors.js";

/** Longest branch or ref name orch accepts (git has no limit; file systems do). */
export const MAX_REF_NAME_LENGTH = 200;

/** Longest owner or repository name GitHub allows. */
export const MAX_REPO_NAME_LENGTH = 100;

/**
 * Characters orch allows in a ref name. git allows more (`;`, `#`, `$`,
 * non-ASCII), but none of them appear in orch's own branches or in the
 * default branches orch fetches, and each one is a way to confuse a log
 * reader or a shell someone pastes a name into.
 */
const REF_CHARS = /^[A-Za-z0-9._/-]+$/;

const REPO_CHARS = /^[A-Za-z0-9_.-]+$/;

const TASK_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * `orch/<thread>/<task>/a<attempt>`, e.g. `orch/42/t1/a1`. Throws a
 * WorkspaceError (`unsafe_ref`) for a non-positive number or a task key that
 * is not a plain token, because a bad name here is a bug upstream.
 */
export function buildBranchName(params: {
  threadNumber: number;
  taskKey: string;
  attemptNumber: number;
}): string {
  const { threadNumber, taskKey, attemptNumber } = params;
  if (!isPositiveInteger(threadNumber) || !isPositiveInteger(attemptNumber) || !TASK_KEY.test(taskKey)) {
    throw new WorkspaceError(
      "unsafe_ref",
      `cannot build a branch name from thread ${JSON.stringify(threadNumber)}, task ${JSON.stringify(taskKey)}, ` +
        `attempt ${JSON.stringify(attemptNumber)}: expected positive integers and a task key like "t1"`,
    );
  }
  const name = `orch/${threadNumber}/${taskKey}/a${attemptNumber}`;
  if (!isSafeRefName(name)) {
    throw new WorkspaceError("unsafe_ref", `branch name ${JSON.stringify(name)} is too long`);
  }
  return name;
}

/**
 * git check-ref-format's rules (one-level names allowed, as for branches),
 * plus orch's own: the allow-list above, no leading `-` (git would read it as
 * an option), at most MAX_REF_NAME_LENGTH characters, and not `HEAD`.
 */
export function isSafeRefName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_REF_NAME_LENGTH) return false;
  // The allow-list already excludes control characters, space, ~ ^ : ? * [ \ and @.
  if (!REF_CHARS.test(name)) return false;
  if (name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".")) return false;
  if (name.includes("..") || name.includes("//") || name.includes("@{")) return false;
  if (name === "@" || name === "HEAD") return false;
  return name.split("/").every((component) => !component.startsWith(".") && !component.endsWith(".lock"));
}

/** Throws WorkspaceError (`unsafe_ref`) unless `branch` isSafeRefName. */
export function assertSafeBranch(branch: string): void {
  if (!isSafeRefName(branch)) {
    throw new WorkspaceError("unsafe_ref", `branch name ${JSON.stringify(branch)} is not allowed`);
  }
}

/**
 * GitHub's rules for an owner or repository name: letters, digits, `_`, `.`
 * and `-`, not `.` or `..`, not starting with `-`, at most 100 characters.
 * Both become path components under ORCH_HOME, so this is also the
 * path-traversal guard.
 */
export function isSafeRepoName(owner: string, repo: string): boolean {
  return [owner, repo].every(
    (name) =>
      name.length > 0 &&
      name.length <= MAX_REPO_NAME_LENGTH &&
      REPO_CHARS.test(name) &&
      name !== "." &&
      name !== ".." &&
      !name.startsWith("-"),
  );
}

/** A full lowercase commit id (SHA-1 or SHA-256), the only form orch passes to git. */
export function isFullSha(sha: string): boolean {
  return FULL_SHA.test(sha);
}

/** Returns `sha`, or throws WorkspaceError (`unsafe_sha`) unless isFullSha. */
export function assertFullSha(sha: string): string {
  if (!isFullSha(sha)) throw new WorkspaceError("unsafe_sha", `${JSON.stringify(sha)} is not a full commit sha`);
  return sha;
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
