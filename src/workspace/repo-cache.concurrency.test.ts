/**
 * Serialisation and coalescing of fetchBase, observed from outside orch's
 * code: a `git` wrapper placed first on PATH logs the start and end of every
 * `git fetch` process (with its working directory, i.e. the cache), and keeps
 * each fetch process alive for FETCH_HOLD seconds after the real fetch is
 * done, so that any overlap would be wide enough to see. The wrapper only
 * delays and logs; the real git does the work.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPullRef, createRemote, pushCommit, type Remote } from "../../test/helpers/git-remote.js";
import { RepoCache } from "./repo-cache.js";

const FETCH_HOLD_MS = 150;

interface FetchSpan {
  cwd: string;
  start: number;
  end: number;
}

let root: string;
let log: string;
let savedPath: string | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "orch-repo-cache-conc-"));
  log = join(root, "git-fetch.log");
  const realGit = execFileSync("which", ["git"], { encoding: "utf8" }).trim();
  const bin = join(root, "bin");
  await mkdir(bin);
  await writeFile(
    join(bin, "git"),
    `#!/bin/bash
# Only fetches run in an orch cache (<home>/repos/...), not the fixture helpers' own.
case "$PWD" in */home/repos/*) ;; *) exec '${realGit}' "$@" ;; esac
for arg in "$@"; do
  if [ "$arg" = fetch ]; then
    echo "start $$ $(date +%s%N) $PWD" >> '${log}'
    '${realGit}' "$@"; rc=$?
    echo "fetched $$ $(date +%s%N) $PWD" >> '${log}'
    sleep "\${FETCH_HOLD:-${FETCH_HOLD_MS / 1000}}"
    echo "end $$ $(date +%s%N) $PWD" >> '${log}'
    exit $rc
  fi
done
exec '${realGit}' "$@"
`,
  );
  await chmod(join(bin, "git"), 0o755);
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath ?? ""}`;
});

afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(root, { recursive: true, force: true });
});

let home: string;
let remotes: string;
let appRemote: Remote;
let libRemote: Remote;
let cache: RepoCache;

beforeEach(async () => {
  const dir = await mkdtemp(join(root, "case-"));
  home = join(dir, "home");
  remotes = join(dir, "remotes");
  appRemote = await createRemote({ root: remotes, owner: "acme", repo: "app" });
  libRemote = await createRemote({ root: remotes, owner: "acme", repo: "lib" });
  cache = new RepoCache({ home, gitBaseUrl: appRemote.url });
  await writeFile(log, "");
});

/** Fetches run by orch in this case's caches. */
async function fetchSpans(): Promise<FetchSpan[]> {
  const starts = new Map<string, { cwd: string; start: number }>();
  const spans: FetchSpan[] = [];
  for (const line of (await readFile(log, "utf8")).split("\n").filter(Boolean)) {
    const [kind, pid = "", ns = "0", ...cwd] = line.split(" ");
    const time = Number(BigInt(ns) / 1_000_000n);
    if (kind === "start") starts.set(pid, { cwd: cwd.join(" "), start: time });
    else if (kind === "end") {
      const started = starts.get(pid);
      if (started?.cwd.startsWith(`${home}/`)) spans.push({ ...started, end: time });
    }
  }
  return spans;
}

/** The largest number of fetch processes alive at one moment. */
function maxOverlap(spans: readonly FetchSpan[]): number {
  const events = spans.flatMap((span) => [
    { at: span.start, delta: 1 },
    { at: span.end, delta: -1 },
  ]);
  // An end and a start at the same millisecond do not overlap.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const event of events) {
    current += event.delta;
    max = Math.max(max, current);
  }
  return max;
}

describe("fetchBase under concurrency", () => {
  it("serves 10 concurrent callers for one ref with the right sha, one fetch at a time, coalesced", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" })),
    );

    expect(results.map((r) => r.sha)).toEqual(Array(10).fill(appRemote.headSha));
    const spans = await fetchSpans();
    expect(maxOverlap(spans)).toBe(1);
    // All ten asked before the first fetch started, so that one fetch serves them all.
    expect(spans).toHaveLength(1);
  });

  it("never runs two fetches at once for one repository, even for different refs", async () => {
    const prShas = await Promise.all([1, 2, 3, 4].map((number) => createPullRef({ barePath: appRemote.barePath, number })));
    const refs = ["refs/heads/main", ...[1, 2, 3, 4].map((n) => `refs/pull/${n}/head`)];

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => cache.fetchBase({ owner: "acme", repo: "app", ref: refs[i % refs.length]! })),
    );

    const expected = [appRemote.headSha, ...prShas];
    expect(results.map((r) => r.sha)).toEqual(Array.from({ length: 10 }, (_, i) => expected[i % expected.length]));
    const spans = await fetchSpans();
    expect(maxOverlap(spans)).toBe(1);
    // One fetch per distinct ref: the second caller for each ref reuses the first's result.
    expect(spans).toHaveLength(refs.length);
  });

  it("fetches again for a caller who asked after the running fetch had started", async () => {
    process.env.FETCH_HOLD = "1.5";
    try {
      const first = cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
      // Once the first fetch has read the remote (and is held), move main upstream and ask again:
      // the first fetch's answer is stale for the second caller.
      while (!(await readFile(log, "utf8")).includes("fetched")) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const newSha = await pushCommit({ barePath: appRemote.barePath, files: { "late.md": "late\n" } });
      const second = cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });

      const [a, b] = await Promise.all([first, second]);

      expect(a.sha).toBe(appRemote.headSha);
      expect(b.sha).toBe(newSha);
      const spans = await fetchSpans();
      expect(spans).toHaveLength(2);
      expect(maxOverlap(spans)).toBe(1);
    } finally {
      delete process.env.FETCH_HOLD;
    }
  });

  it("runs fetches for different repositories in parallel", async () => {
    const started = Date.now();
    const [app, lib] = await Promise.all([
      cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" }),
      cache.fetchBase({ owner: "acme", repo: "lib", ref: "refs/heads/main" }),
    ]);
    const elapsed = Date.now() - started;

    expect(app.sha).toBe(appRemote.headSha);
    expect(lib.sha).toBe(libRemote.headSha);
    const spans = await fetchSpans();
    expect(spans.map((s) => s.cwd).sort()).toEqual([cache.cachePath("acme", "app"), cache.cachePath("acme", "lib")]);
    expect(maxOverlap(spans)).toBe(2);
    expect(elapsed).toBeLessThan(2 * FETCH_HOLD_MS + 1000);
  });

  it("does not reuse a failed fetch", async () => {
    const results = await Promise.allSettled([
      cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/missing" }),
      cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/missing" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await fetchSpans()).toHaveLength(2);
  });
});
