/** Why a workspace operation was refused or failed. */
export type WorkspaceErrorCode =
  /** A branch or ref name that git, or orch's stricter allow-list, rejects. */
  | "unsafe_ref"
  /** An owner or repository name that GitHub would not allow. */
  | "unsafe_repo"
  /** A path that does not resolve inside `<ORCH_HOME>/worktrees/`, or a malformed attempt id. */
  | "unsafe_path"
  /** A value that should be a full hex commit id and is not. */
  | "unsafe_sha"
  /** The configured git base URL is unusable (bad scheme, or credentials in it). */
  | "bad_config"
  /** `addWorktree` before any `fetchBase` for that repository. */
  | "cache_missing"
  /** The attempt's branch already exists in the cache, e.g. left by a crash. */
  | "branch_exists"
  /** git itself failed; the message holds its (scrubbed) stderr. */
  | "git_failed"
  /** A git process ran past its time limit and was killed. */
  | "git_timeout"
  /** The caller aborted a git process (the attempt was cancelled). */
  | "git_aborted"
  /** The remote refused the push; `detail` holds its (scrubbed) reasons. */
  | "push_refused"
  /** A worktree or spare is not what orch left there (changed files, another commit). */
  | "dirty_tree";

/**
 * Every failure from `src/workspace/`. Not a UserError: messages name local
 * paths and git output, so callers log them and tell GitHub "internal error".
 * Messages never hold a token: git output is scrubbed before it gets here.
 */
export class WorkspaceError extends Error {
  override name = "WorkspaceError";
  readonly code: WorkspaceErrorCode;
  /** git's own output for the failure (scrubbed of the token), for callers that explain it. */
  readonly detail: string | undefined;

  constructor(code: WorkspaceErrorCode, message: string, detail?: string) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

export function isWorkspaceError(error: unknown, code?: WorkspaceErrorCode): error is WorkspaceError {
  return error instanceof WorkspaceError && (code === undefined || error.code === code);
}
