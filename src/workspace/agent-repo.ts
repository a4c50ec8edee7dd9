/**
 * The agent's own git repository inside its worktree.
 *
 * `git worktree add` leaves a `.git` file in the worktree pointing at orch's
 * admin dir in the cache. An agent that follows it could write the cache's
 * config, hooks and refs, which orch's next fetch or push (with the token)
 * would obey. So the pointer is replaced by a throwaway repository of the
 * agent's own, set up by hand (no git process, no templates):
 *
 *     .git/HEAD                      ref: refs/heads/<branch>
 *     .git/refs/heads/<branch>       the attempt's base commit
 *     .git/objects/info/alternates   the cache's objects (read-only in the sandbox)
 *     .git/index                     a copy of orch's index: stat data valid, so the
 *                                    agent's first `git status` is fast and clean
 *     .git/config                    a plain non-bare repository, and an identity for
 *                                    agents that commit
 *
 * The agent may do anything to it (config, hooks, filters, commits); orch
 * never runs git against it. orch's own git for the attempt uses the admin
 * dir with `GIT_DIR`, and commits the files it finds (attempt-commit.ts).
 */
import { copyFile, lstat, mkdir, realpath, rm, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { assertFullSha } from "./branch-name.js";
import type { GitIdentity } from "./git.js";

/** Replaces `<worktree>/.git` (git's pointer file) with the agent's repository. */
export async function createAgentRepo(params: {
  worktree: string;
  /** `<cache>/objects`. */
  cacheObjects: string;
  /** orch's index for the worktree (`<admin>/index`), copied when it exists. */
  adminIndex: string;
  headSha: string;
  branch: string;
  identity: GitIdentity;
}): Promise<void> {
  const { worktree, cacheObjects, adminIndex, headSha, branch, identity } = params;
  assertFullSha(headSha);
  const gitDir = join(worktree, ".git");
  await removeEntry(gitDir);
  await mkdir(join(gitDir, "objects", "info"), { recursive: true });
  await mkdir(join(gitDir, "objects", "pack"), { recursive: true });
  await mkdir(join(gitDir, "refs", "tags"), { recursive: true });
  const branchRef = join(gitDir, "refs", "heads", ...branch.split("/"));
  await mkdir(dirname(branchRef), { recursive: true });
  await Promise.all([
    writeFile(join(gitDir, "HEAD"), `ref: refs/heads/${branch}\n`),
    writeFile(branchRef, `${headSha}\n`),
    // The real path: the sandbox binds it there, and a symlink on the way would not resolve inside.
    realpath(cacheObjects).then((objects) => writeFile(join(gitDir, "objects", "info", "alternates"), `${objects}\n`)),
    writeFile(join(gitDir, "config"), renderConfig(identity)),
    copyFile(adminIndex, join(gitDir, "index")).catch((error: NodeJS.ErrnoException) => {
      // No index yet (an empty tree): git makes one on first use.
      if (error.code !== "ENOENT") throw error;
    }),
  ]);
}

/** A config git would write for `git init`, plus who the agent's own commits are by. Values are the operator's, one line each. */
function renderConfig(identity: GitIdentity): string {
  const quote = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, " ")}"`;
  return [
    "[core]",
    "\trepositoryformatversion = 0",
    "\tfilemode = true",
    "\tbare = false",
    "\tlogallrefupdates = true",
    "[user]",
    `\tname = ${quote(identity.name)}`,
    `\temail = ${quote(identity.email)}`,
    "",
  ].join("\n");
}

async function removeEntry(path: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await lstat(path)).isDirectory();
  } catch {
    return;
  }
  if (isDirectory) await rm(path, { recursive: true, force: true });
  else await unlink(path);
}
