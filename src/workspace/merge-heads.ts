/**
 * Merges commits of a repository's cache into one, without a worktree:
 * `git merge-tree --write-tree` (git ≥ 2.38) computes each merge's tree,
 * `git commit-tree` records it with both parents. For a task that waits for
 * several others: it starts from their heads merged.
 */
import { assertFullSha } from "./branch-name.js";
import { runGit, type GitIdentity } from "./git.js";

export type MergeResult = { kind: "merged"; sha: string } | { kind: "conflict"; files: string[]; with: string };

/** Merges `others` into `base` one by one; the first conflict stops it, naming the files. */
export async function mergeHeads(params: { cache: string; base: string; others: readonly string[]; identity: GitIdentity; message: string }): Promise<MergeResult> {
  const { cache, identity, message } = params;
  let head = params.base;
  assertFullSha(head);
  for (const other of params.others) {
    assertFullSha(other);
    // On a conflict git exits 1 with nothing on stderr, and simple-git resolves with the output:
    // the tree's id, then one conflicted path per line (--name-only).
    const [tree, ...conflicted] = (await runGit({ gitDir: cache, args: ["merge-tree", "--write-tree", "--name-only", "--no-messages", head, other] }))
      .split("\n")
      .filter((line) => line !== "");
    if (conflicted.length > 0) return { kind: "conflict", files: [...new Set(conflicted)], with: other };
    assertFullSha(tree ?? "");
    head = (await runGit({ gitDir: cache, identity, args: ["commit-tree", tree!, "-p", head, "-p", other, "-m", message] })).trim();
  }
  return { kind: "merged", sha: head };
}
