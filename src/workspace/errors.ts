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
  | "git_failed";

/**
 * Every failure from `src/workspace/`. Not a UserError: messages name local
 * paths and git output, so callers log them and tell GitHub "internal error".
 * Messages never hold a token: git output is scrubbed before it gets here.
 */
export class WorkspaceError extends Error {
  override name = "WorkspaceError";
  readonly code: WorkspaceErrorCode;

  constructor(code: WorkspaceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isWorkspaceError(error: unknown, code?: WorkspaceErrorCode): error is WorkspaceError {
  return error instanceof WorkspaceError && (code === undefined || error.code === code);
}
