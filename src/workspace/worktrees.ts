/**
 * git inside one attempt's worktree, after its agent has exited: commit what
 * it left behind, count and summarise its commits. The worktree itself is
 * made and removed by RepoCache, which owns the cache it belongs to.
 */
import { assertFullSha } from "./branch-name.js";
import { runGit } from "./git.js";

/**
 * Commits everything the agent left uncommitted (new, modified and deleted
 * files; not .gitignore'd ones) as `authorName <authorEmail>`, and returns
 * whether it made a commit. Nothing is passed as a pathspec, so file names
 * like `-rf` or ones with spaces and newlines need no quoting.
 */
export async function commitLeftovers(params: {
  path: string;
  message: string;
  authorName: string;
  authorEmail: string;
}): Promise<boolean> {
  const { path, message, authorName, authorEmail } = params;
  const status = await runGit({ cwd: path, args: ["status", "--porcelain", "--untracked-files=all"] });
  if (status.length === 0) return false;
  await runGit({ cwd: path, args: ["add", "--all"] });
  // status can show what add does not stage (a submodule whose own files
  // changed, say); that is no reason for an empty commit.
  const staged = await runGit({ cwd: path, args: ["diff", "--cached", "--name-only", "-z"] });
  if (staged.length === 0) return false;
  await runGit({
    cwd: path,
    identity: { name: authorName, email: authorEmail },
    args: ["commit", "-m", message],
  });
  return true;
}

/** `git rev-list --count <baseSha>..HEAD`: how many commits the attempt added. */
export async function countNewCommits(params: { path: string; baseSha: string }): Promise<number> {
  const out = await runGit({ cwd: params.path, args: ["rev-list", "--count", `${assertFullSha(params.baseSha)}..HEAD`] });
  return Number.parseInt(out.trim(), 10);
}

/** The worktree's HEAD commit. */
export async function getHeadSha(path: string): Promise<string> {
  return (await runGit({ cwd: path, args: ["rev-parse", "--verify", "HEAD"] })).trim();
}

export interface DiffStat {
  filesChanged: number;
  insertions: number;
  deletions: number;
}

/** `git diff --shortstat <baseSha>..HEAD`, parsed; all zero when nothing changed. */
export async function getDiffStat(params: { path: string; baseSha: string }): Promise<DiffStat> {
  const out = await runGit({ cwd: params.path, args: ["diff", "--shortstat", `${assertFullSha(params.baseSha)}..HEAD`] });
  return parseShortStat(out);
}

/** Parses e.g. ` 3 files changed, 10 insertions(+), 1 deletion(-)`; either count may be missing. */
export function parseShortStat(text: string): DiffStat {
  const count = (pattern: RegExp): number => Number.parseInt(pattern.exec(text)?.[1] ?? "0", 10);
  return {
    filesChanged: count(/(\d+) files? changed/),
    insertions: count(/(\d+) insertions?\(\+\)/),
    deletions: count(/(\d+) deletions?\(-\)/),
  };
}
