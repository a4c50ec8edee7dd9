/**
 * Where a host's workspaces live under ORCH_HOME, and which of it an agent
 * may ever see:
 *
 *     repos/<owner>/<repo>.git                 bare cache; remote refs in refs/remotes/origin/*
 *                                              (PR heads in refs/remotes/origin/pull/<n>/head),
 *                                              attempt branches in refs/heads/*, which no fetch touches.
 *                                              Agents see its objects/ read-only, nothing else.
 *     repos/<owner>/<repo>.git/worktrees/<id>  orch's git admin dir for attempt <id>: its HEAD
 *                                              and index. Never in a sandbox.
 *     worktrees/<id>                           the attempt's files; its `.git` is the agent's own
 *                                              throwaway repository (agent-repo.ts)
 *     worktrees/_spare-<hash>                  one spare worktree per repository, checked out
 *                                              ahead of time; never in a sandbox
 *     attempts/<id>/                           the attempt's own files (attempt-files.ts)
 *     trash/                                   removed worktrees, deleted in the background
 *
 * Every path is built here from validated names, so nothing a webhook or an
 * agent supplies can point outside ORCH_HOME.
 */
import { createHash } from "node:crypto";
import { isAbsolute, join, relative, resolve } from "node:path";
import { isSafeRepoName } from "./branch-name.js";
import { WorkspaceError } from "./errors.js";

const WORKTREE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export interface RepoId {
  owner: string;
  repo: string;
}

export class WorkspaceLayout {
  /** ORCH_HOME, absolute. */
  readonly home: string;

  constructor(home: string) {
    if (!isAbsolute(home)) {
      throw new WorkspaceError("bad_config", `ORCH_HOME must be an absolute path, got ${JSON.stringify(home)}`);
    }
    this.home = resolve(home);
  }

  /** `<home>/repos/<owner>/<repo>.git`. Throws `unsafe_repo` for a name GitHub would not allow. */
  cachePath(owner: string, repo: string): string {
    assertSafeRepo(owner, repo);
    return join(this.home, "repos", owner, `${repo}.git`);
  }

  /** `<home>/worktrees/<name>`. Throws `unsafe_path` unless the name is a plain token. */
  worktreePath(name: string): string {
    if (!WORKTREE_NAME.test(name)) {
      throw new WorkspaceError("unsafe_path", `worktree name ${JSON.stringify(name)} is not a plain token`);
    }
    return join(this.worktreesRoot(), name);
  }

  /** `<cache>/worktrees/<name>`: orch's admin dir for the worktree named `name`. */
  adminPath(params: RepoId & { name: string }): string {
    if (!WORKTREE_NAME.test(params.name) && !/^_spare-[0-9a-f]{16}$/.test(params.name)) {
      throw new WorkspaceError("unsafe_path", `worktree name ${JSON.stringify(params.name)} is not a plain token`);
    }
    return join(this.cachePath(params.owner, params.repo), "worktrees", params.name);
  }

  /**
   * `<home>/worktrees/_spare-<hash>`: no worktree name can start with `_`, so
   * no attempt id can name it (and git keeps the name for its admin dir, where
   * it would drop a leading dot).
   */
  sparePath(owner: string, repo: string): string {
    assertSafeRepo(owner, repo);
    return join(this.worktreesRoot(), spareName(owner, repo));
  }

  worktreesRoot(): string {
    return join(this.home, "worktrees");
  }

  trashRoot(): string {
    return join(this.home, "trash");
  }

  /** Resolves `path` and throws `unsafe_path` unless it is strictly inside `<home>/worktrees/`. */
  insideWorktrees(path: string): string {
    const root = this.worktreesRoot();
    const resolved = resolve(path);
    const rel = relative(root, resolved);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel) || rel.includes("/")) {
      throw new WorkspaceError("unsafe_path", `worktree path ${JSON.stringify(path)} is not a folder of ${root}`);
    }
    return resolved;
  }
}

/** The spare's folder and admin name for a repository. */
export function spareName(owner: string, repo: string): string {
  const hash = createHash("sha256").update(`${owner}/${repo}`).digest("hex").slice(0, 16);
  return `_spare-${hash}`;
}

function assertSafeRepo(owner: string, repo: string): void {
  if (!isSafeRepoName(owner, repo)) {
    throw new WorkspaceError("unsafe_repo", `${JSON.stringify(`${owner}/${repo}`)} is not a valid GitHub repository name`);
  }
}

/** `<gitBaseUrl>/<owner>/<repo>.git`; never holds credentials. */
export function buildRemoteUrl(gitBaseUrl: string, owner: string, repo: string): string {
  assertSafeRepo(owner, repo);
  return `${gitBaseUrl}/${owner}/${repo}.git`;
}

/** ORCH_GIT_BASE_URL, checked: https, http or file, without credentials, no trailing slash. */
export function checkBaseUrl(gitBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(gitBaseUrl);
  } catch {
    throw new WorkspaceError("bad_config", `ORCH_GIT_BASE_URL ${JSON.stringify(gitBaseUrl)} is not a URL`);
  }
  if (!["https:", "http:", "file:"].includes(url.protocol)) {
    throw new WorkspaceError("bad_config", `ORCH_GIT_BASE_URL must be https://, http:// or file://, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs and in git's config; tokens go in the environment.
    throw new WorkspaceError("bad_config", "ORCH_GIT_BASE_URL must not contain credentials");
  }
  return gitBaseUrl.replace(/\/+$/, "");
}
