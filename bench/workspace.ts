/**
 * Workspace figures, through orch's own RepoCache against the same work done
 * by plain tools on the same filesystem, in the same run:
 *
 * - allocation (fetchBase + addWorktree, cache warm) vs a tar copy of the tree,
 *   and vs `git clone --no-local` from the cache (a clone per workspace);
 * - disk used per attempt vs the checked-out tree;
 * - no-op refresh (fetchBase, remote unchanged) vs a plain `git fetch`;
 * - release (removeWorktree) vs `rm -rf` of the same tree.
 *
 * Release runs last (see run.ts): on ext4 without a journal a deleted inode
 * is not reused for a minute or more, and every file created meanwhile pays
 * for skipping it, so deleting thousands of files would slow whatever the
 * bench creates next. Allocation creates and never deletes; release deletes
 * what allocation created.
 */
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { RepoCache } from "../src/workspace/repo-cache.js";
import type { BenchContext } from "./context.js";
import { bash, diskUsageKiB, git, shellQuote } from "./git-cli.js";
import type { Row, SectionResult } from "./report.js";
import { formatMs, formatRatio, interleave, median, percentile, timeMs } from "./timing.js";

export interface AllocatedWorkspaces {
  cache: RepoCache;
  owner: string;
  repo: string;
  /** Worktrees orch made in the measured rounds, each with its tar copy. */
  pairs: { worktree: string; copy: string }[];
  /** Everything else the section made, removed at the end untimed. */
  leftovers: string[];
}

const MAIN = "refs/heads/main";

function nameOf(run: number): string {
  return run < 0 ? `w${-run}` : `r${run}`;
}

function spread(samples: number[]): string {
  return `median ${formatMs(median(samples))}, min ${formatMs(Math.min(...samples))}, max ${formatMs(Math.max(...samples))}, n=${samples.length}`;
}

/** Allocation (with its clone peer), disk per attempt and the no-op refresh. */
export async function benchAllocation(ctx: BenchContext): Promise<{ result: SectionResult; state: AllocatedWorkspaces }> {
  const { remote, sizes, log } = ctx;
  const { owner, repo } = remote;
  const base = join(ctx.root, "workspace");
  const home = join(base, "home");
  const copies = join(base, "copies");
  const clones = join(base, "clones");
  await mkdir(copies, { recursive: true });
  await mkdir(clones, { recursive: true });
  const cache = new RepoCache({ home, gitBaseUrl: remote.gitBaseUrl });
  const cachePath = cache.cachePath(owner, repo);

  log("workspace: first fetch into an empty cache");
  const coldFetchMs = await timeMs(() => cache.fetchBase({ owner, repo, ref: MAIN }));
  const { sha } = await cache.fetchBase({ owner, repo, ref: MAIN });
  // The tar floor copies this tree; the clone peer checks out its branch.
  const reference = cache.worktreePath("reference");
  await cache.addWorktree({ owner, repo, branch: "bench/reference", sha, path: reference });

  const pairs: { worktree: string; copy: string }[] = [];
  const leftovers: string[] = [reference];
  log(
    `workspace: allocation, ${sizes.allocationRuns} rounds (+${sizes.allocationWarmup} warm-up) of orch / tar copy, ` +
      `${sizes.cloneRuns} with git clone (and clone --no-checkout)`,
  );
  const samples = await interleave({
    warmup: sizes.allocationWarmup,
    runs: sizes.allocationRuns,
    variants: {
      orch: async (run) => {
        const path = cache.worktreePath(`alloc-${nameOf(run)}`);
        const { sha: base } = await cache.fetchBase({ owner, repo, ref: MAIN });
        await cache.addWorktree({ owner, repo, branch: `bench/alloc-${nameOf(run)}`, sha: base, path });
        if (run >= 0) pairs[run] = { ...pairs[run]!, worktree: path };
        else leftovers.push(path);
      },
      tar: async (run) => {
        const copy = join(copies, nameOf(run));
        await bash(`mkdir ${shellQuote(copy)} && tar -cf - -C ${shellQuote(reference)} . | tar -xf - -C ${shellQuote(copy)}`);
        if (run >= 0) pairs[run] = { ...pairs[run]!, copy };
        else leftovers.push(copy);
      },
      clone: async (run) => {
        const dir = join(clones, nameOf(run));
        await git(base, ["clone", "--no-local", "--quiet", "--branch", "bench/reference", cachePath, dir]);
        leftovers.push(dir);
      },
      // The clone's transfer alone (pack-objects in the cache, index-pack in the clone): clone minus this is its checkout.
      transfer: async (run) => {
        const dir = join(clones, `${nameOf(run)}-bare`);
        await git(base, ["clone", "--no-local", "--quiet", "--no-checkout", "--branch", "bench/reference", cachePath, dir]);
        leftovers.push(dir);
      },
    },
    skip: (name, run) => (name === "clone" || name === "transfer") && (run < 0 || run >= sizes.cloneRuns),
    // The spare worktree orch checks out after each allocation, and dirty pages of the last round, are done
    // before the next round starts, so no round pays for another's background work.
    between: () => cache.whenIdle().then(() => bash("sync")).then(() => undefined),
  });

  const alloc = median(samples.orch);
  const tar = median(samples.tar);
  const clone = median(samples.clone);
  const transfer = median(samples.transfer);
  ctx.floors.tarCopyMs = tar;
  const allocGoal = 1.5 * tar + 15;

  log("workspace: disk per attempt");
  const first = pairs[0]!;
  // orch's admin dir for the worktree (its index and HEAD); the worktree's own `.git` is the agent's repository.
  const adminDir = join(cachePath, "worktrees", basename(first.worktree));
  const refFile = join(cachePath, "refs", "heads", "bench", `alloc-${nameOf(0)}`);
  const worktreeKiB = await diskUsageKiB([first.worktree]);
  const attemptKiB = await diskUsageKiB([first.worktree, adminDir, refFile]);
  const copyKiB = await diskUsageKiB([first.copy]);
  const adminKiB = await diskUsageKiB([adminDir]);

  log(`workspace: no-op refresh, ${sizes.fetchRuns} rounds of fetchBase / plain git fetch`);
  const plain = join(base, "plain.git");
  await git(base, ["init", "--bare", "--quiet", plain]);
  const url = cache.remoteUrl(owner, repo);
  const plainFetch = () => git(plain, ["fetch", url, `+${MAIN}:refs/remotes/origin/main`]);
  await plainFetch();
  const fetches = await interleave({
    warmup: 3,
    runs: sizes.fetchRuns,
    variants: {
      orch: () => cache.fetchBase({ owner, repo, ref: MAIN }),
      plain: plainFetch,
    },
  });
  const orchFetch = median(fetches.orch);
  const plainFetchMs = median(fetches.plain);
  ctx.floors.plainFetchMs = plainFetchMs;
  leftovers.push(plain);

  const rows: Row[] = [
    {
      section: "workspace",
      figure: "allocation through RepoCache (cache warm: fetchBase + addWorktree, spare worktree ready)",
      value: formatMs(alloc),
      floor: `tar copy of the same tree (\`tar -cf - . \\| tar -xf -\`): ${formatMs(tar)}`,
      ratio: formatRatio(alloc / tar),
      goal: `≤ 1.5 × floor + 15 ms (${formatMs(allocGoal)})`,
      pass: alloc <= allocGoal,
    },
    {
      section: "workspace",
      figure: "the same allocation",
      value: formatMs(alloc),
      floor: `\`git clone --no-local\` from the cache: ${formatMs(clone)}`,
      ratio: `${formatRatio(clone / alloc)} faster`,
      goal: "≥ 25 × faster",
      pass: clone / alloc >= 25,
    },
    {
      section: "workspace",
      figure: "disk per attempt (`du`: worktree + its admin dir and branch ref in the cache)",
      value: `${(attemptKiB / 1024).toFixed(1)} MiB`,
      floor: `the checked-out tree (du of the tar copy): ${(copyKiB / 1024).toFixed(1)} MiB`,
      ratio: formatRatio(attemptKiB / copyKiB),
      goal: "≤ 1.05 ×",
      pass: attemptKiB / copyKiB <= 1.05,
    },
    {
      section: "workspace",
      figure: "no-op cache refresh (fetchBase, remote unchanged)",
      value: formatMs(orchFetch),
      floor: `plain \`git fetch <url> +refs/heads/main:…\` no-op: ${formatMs(plainFetchMs)}`,
      ratio: formatRatio(orchFetch / plainFetchMs),
      goal: "≤ 1.5 ×",
      pass: orchFetch / plainFetchMs <= 1.5,
    },
  ];
  const notes = [
    `Repository: ${remote.files} files in ${remote.folders} folders, ${remote.commits} commits, ` +
      `${(remote.treeBytes / 1048576).toFixed(1)} MiB of file contents; first fetch into an empty cache ${formatMs(coldFetchMs)}.`,
    `Allocation (orch): ${spread(samples.orch)}. Tar copy: ${spread(samples.tar)}. Clone: ${spread(samples.clone)}.`,
    `Where a clone's time goes: \`clone --no-checkout\` (pack-objects in the cache, index-pack in the clone) takes ${formatMs(transfer)}, ` +
      `so its checkout is about ${formatMs(clone - transfer)}. A plain \`worktree add\` writes the same ` +
      `${remote.files.toLocaleString("en")} files as that checkout, so it could beat a clone only by the transfer ` +
      `(${formatRatio(clone / (clone - transfer))} here). orch instead takes the repository's spare worktree, checked out in the ` +
      `background after the previous allocation, and moves it into place: at the spare's own commit (as here: the remote did ` +
      `not change) it creates the branch ref (the spare was checked clean with \`git status\` when it was made, off the path), ` +
      `points HEAD at it and gives the worktree the agent's own repository (a copy of orch's index, the cache's objects borrowed); ` +
      `at another commit a checkout writes the files that differ. The spare is refilled off the caller's path (untimed here, between rounds).`,
    `Disk: worktree alone (with the agent's repository: its copy of the index) ${(worktreeKiB / 1024).toFixed(1)} MiB, its admin dir in the cache (index, HEAD) ${(adminKiB / 1024).toFixed(2)} MiB; ` +
      `the objects are the cache's, shared by every worktree. Each repository also keeps one spare tree (one more checkout per repository, not per attempt).`,
    `No-op refresh (orch): ${spread(fetches.orch)}, p95 ${formatMs(percentile(fetches.orch, 95))}. ` +
      `Plain git fetch: ${spread(fetches.plain)}, p95 ${formatMs(percentile(fetches.plain, 95))}.`,
  ];
  return { result: { rows, notes }, state: { cache, owner, repo, pairs, leftovers } };
}

/** Release of the worktrees allocation made, against `rm -rf` of their tar copies. */
export async function benchRelease(ctx: BenchContext, state: AllocatedWorkspaces): Promise<SectionResult> {
  const { cache, owner, repo, pairs } = state;
  ctx.log(`workspace: release, ${pairs.length} rounds of removeWorktree / rm -rf`);
  const background: number[] = [];
  const samples = await interleave({
    warmup: 0,
    runs: pairs.length,
    variants: {
      orch: async (run) => {
        await cache.removeWorktree({ owner, repo, path: pairs[run]!.worktree });
      },
      rm: async (run) => {
        await bash(`rm -rf ${shellQuote(pairs[run]!.copy)}`);
      },
    },
    between: async () => {
      // What removeWorktree left to delete in the background ends before the next round starts.
      background.push(await timeMs(() => cache.drainTrash()));
    },
  });
  const orch = median(samples.orch);
  const rm = median(samples.rm);
  ctx.floors.rmMs = rm;
  const offPath = median(background) > orch;
  const rows: Row[] = [
    {
      section: "workspace",
      figure: "release (removeWorktree) on the caller's path",
      value: formatMs(orch),
      floor: `\`rm -rf\` of the same tree: ${formatMs(rm)}`,
      ratio: formatRatio(orch / rm),
      goal: "≤ 1.2 ×, or off the caller's path entirely",
      pass: orch / rm <= 1.2,
    },
  ];
  const notes = [`Release (orch, caller's path): ${spread(samples.orch)}. rm -rf: ${spread(samples.rm)}.`];
  if (offPath) {
    notes.push(
      `The tree itself is deleted off the caller's path (renamed into the trash, deleted in the background): ` +
        `waiting for that took ${spread(background)} after removeWorktree returned.`,
    );
  }
  return { rows, notes };
}
