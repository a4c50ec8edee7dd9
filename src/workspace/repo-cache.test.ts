import { execFile } from "node:child_process";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { promisify } from "node:util";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPullRef, createRemote, git, listRemoteBranches, pushCommit, readFileAtRef, type Remote } from "../../test/helpers/git-remote.js";
import { isWorkspaceError, type WorkspaceError } from "./errors.js";
import { RepoCache } from "./repo-cache.js";

const execFileAsync = promisify(execFile);
const TOKEN = "ghs_SECRET123";
const TOKEN_BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
const IDENTITY = { name: "orch", email: "orch@example.test" };

let root: string;
let home: string;
let remote: Remote;
let cache: RepoCache;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "orch-repo-cache-"));
  home = join(root, "home");
  remote = await createRemote({ root: join(root, "remotes"), owner: "acme", repo: "app" });
  cache = new RepoCache({ home, gitBaseUrl: remote.url });
});

afterEach(async () => {
  await cache.whenIdle();
  await rm(root, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<WorkspaceError> {
  try {
    await promise;
  } catch (error) {
    if (isWorkspaceError(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function cacheRefs(owner = "acme", repo = "app"): Promise<string[]> {
  const out = await git(cache.cachePath(owner, repo), ["for-each-ref", "--format=%(refname) %(objectname)"]);
  return out === "" ? [] : out.split("\n");
}

/** git as orch sees an attempt's worktree: its admin dir in the cache, never the worktree's own `.git`. */
async function orchGit(path: string, args: string[], owner = "acme", repo = "app"): Promise<string> {
  const gitDir = join(cache.cachePath(owner, repo), "worktrees", basename(path));
  const { stdout } = await execFileAsync("git", args, {
    cwd: gitDir,
    env: { PATH: process.env.PATH, GIT_DIR: gitDir, GIT_WORK_TREE: path, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" },
  });
  return stdout.trim();
}

/** Commits `files` in the attempt's worktree the way the pipeline does (snapshot, then publish). */
async function commitInWorktree(params: { path: string; branch: string; base: string; files: Record<string, string> }): Promise<string> {
  const { path, branch, base, files } = params;
  for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content);
  const work = cache.attemptGit({ owner: "acme", repo: "app", worktree: path, privateDir: join(root, "private", basename(path)) });
  const snapshot = await cache.snapshot({ git: work, baseSha: base, message: "agent work\n", identity: IDENTITY });
  if (!snapshot) throw new Error("expected changes");
  await cache.publishSnapshot({ owner: "acme", repo: "app", git: work, branch, baseSha: base, commitSha: snapshot.commitSha });
  return snapshot.commitSha;
}

async function allFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe("constructor and paths", () => {
  it("lays out caches and worktrees under home", () => {
    expect(cache.cachePath("acme", "app")).toBe(join(home, "repos", "acme", "app.git"));
    expect(cache.worktreePath("att_1")).toBe(join(home, "worktrees", "att_1"));
    expect(cache.remoteUrl("acme", "app")).toBe(`${remote.url}/acme/app.git`);
  });

  it.each([
    { name: "relative home", options: { home: "rel/home", gitBaseUrl: "https://github.com" }, code: "bad_config" },
    { name: "ssh base url", options: { home: "/h", gitBaseUrl: "ssh://github.com" }, code: "bad_config" },
    { name: "credentials in base url", options: { home: "/h", gitBaseUrl: `https://x:${TOKEN}@github.com` }, code: "bad_config" },
    { name: "not a url", options: { home: "/h", gitBaseUrl: "github.com" }, code: "bad_config" },
  ])("refuses $name", ({ options, code }) => {
    let thrown: unknown;
    try {
      new RepoCache(options);
    } catch (error) {
      thrown = error;
    }
    expect(isWorkspaceError(thrown, code as "bad_config")).toBe(true);
    expect(String(thrown)).not.toContain(TOKEN);
  });

  it.each([
    { name: "traversal", id: "../x" },
    { name: "slash", id: "a/b" },
    { name: "empty", id: "" },
    { name: "leading dash", id: "-x" },
  ])("refuses attempt id: $name", ({ id }) => {
    expect(() => cache.worktreePath(id)).toThrow(/not a plain token/);
  });
});

describe("fetchBase", () => {
  it("creates the cache on first call and returns the default branch's sha", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });

    expect(sha).toBe(remote.headSha);
    expect(await git(cache.cachePath("acme", "app"), ["rev-parse", "--is-bare-repository"])).toBe("true");
    // Remote refs go to refs/remotes/origin, never refs/heads where attempt branches live.
    expect(await cacheRefs()).toEqual([`refs/remotes/origin/main ${remote.headSha}`]);
    // No remote (and so no URL) is stored in the cache's config.
    expect(await readFile(join(cache.cachePath("acme", "app"), "config"), "utf8")).not.toContain("remote");
    // No temp directory is left next to the cache.
    expect(await readdir(join(home, "repos", "acme"))).toEqual(["app.git"]);
  });

  it("sees a commit pushed upstream on the next call", async () => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const newSha = await pushCommit({ barePath: remote.barePath, files: { "NEW.md": "new\n" } });

    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });

    expect(sha).toBe(newSha);
    expect(sha).not.toBe(remote.headSha);
  });

  it("follows a force-pushed branch", async () => {
    await pushCommit({ barePath: remote.barePath, files: { "a.md": "a\n" } });
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await git(remote.barePath, ["update-ref", "refs/heads/main", remote.headSha]);

    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });

    expect(sha).toBe(remote.headSha);
  });

  it("fetches a pull request head into refs/remotes/origin/pull/<n>/head", async () => {
    const prSha = await createPullRef({ barePath: remote.barePath, number: 7 });

    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/pull/7/head" });

    expect(sha).toBe(prSha);
    expect(await cacheRefs()).toEqual([`refs/remotes/origin/pull/7/head ${prSha}`]);
    expect(await git(cache.cachePath("acme", "app"), ["rev-parse", `${prSha}^`])).toBe(remote.headSha);
  });

  it("fails with a git error for a ref the remote does not have", async () => {
    const error = await caught(cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/nope" }));
    expect(error.code).toBe("git_failed");
    expect(error.message).toMatch(/couldn't find remote ref refs\/heads\/nope/);
  });

  it.each([
    { name: "bare branch name", ref: "main" },
    { name: "tag", ref: "refs/tags/v1" },
    { name: "traversal", ref: "refs/heads/../../x" },
    { name: "pull merge ref", ref: "refs/pull/7/merge" },
    { name: "pull number zero", ref: "refs/pull/0/head" },
    { name: "option", ref: "--upload-pack=touch /tmp/pwned" },
    { name: "refspec injection", ref: "refs/heads/main:refs/heads/evil" },
  ])("refuses ref: $name, before creating anything", async ({ ref }) => {
    const error = await caught(cache.fetchBase({ owner: "acme", repo: "app", ref }));
    expect(error.code).toBe("unsafe_ref");
    expect(existsSync(home)).toBe(false);
  });

  it.each([
    { name: "traversal owner", owner: "..", repo: "app" },
    { name: "slash in repo", owner: "acme", repo: "a/b" },
    { name: "option-like owner", owner: "-acme", repo: "app" },
  ])("refuses repository: $name, before creating anything", async ({ owner, repo }) => {
    const error = await caught(cache.fetchBase({ owner, repo, ref: "refs/heads/main" }));
    expect(error.code).toBe("unsafe_repo");
    expect(existsSync(home)).toBe(false);
  });
});

describe("addWorktree", () => {
  it("makes the branch and the directory at the sha, with orch's admin dir in the cache and the agent's own repository in the worktree", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const path = cache.worktreePath("att1");

    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/42/t1/a1", sha, path });

    expect(await readFile(join(path, "README.md"), "utf8")).toBe("# acme/app\n");
    expect(await cacheRefs()).toContain(`refs/heads/orch/42/t1/a1 ${sha}`);
    // orch's view: the admin dir, on the branch, clean.
    expect(await orchGit(path, ["symbolic-ref", "HEAD"])).toBe("refs/heads/orch/42/t1/a1");
    expect(await orchGit(path, ["status", "--porcelain"])).toBe("");
    // The agent's view: a repository of its own (no pointer into the cache), on the branch, clean, with the history.
    expect((await stat(join(path, ".git"))).isDirectory()).toBe(true);
    expect(await git(path, ["rev-parse", "--absolute-git-dir"])).toBe(join(path, ".git"));
    expect(await git(path, ["symbolic-ref", "HEAD"])).toBe("refs/heads/orch/42/t1/a1");
    expect(await git(path, ["rev-parse", "HEAD"])).toBe(sha);
    expect(await git(path, ["status", "--porcelain"])).toBe("");
    expect(await git(path, ["log", "--format=%s"])).toBe("initial commit");
    expect(await readFile(join(path, ".git", "objects", "info", "alternates"), "utf8")).toBe(`${join(cache.cachePath("acme", "app"), "objects")}\n`);
  });

  it("lets the agent commit in its own repository without touching the cache", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const path = cache.worktreePath("att1");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/42/t1/a1", sha, path });
    const refsBefore = await cacheRefs();

    await writeFile(join(path, "agent.txt"), "mine\n");
    await git(path, ["add", "agent.txt"]);
    await git(path, ["commit", "--quiet", "-m", "agent commit"]);

    expect(await git(path, ["log", "--format=%s"])).toBe("agent commit\ninitial commit");
    expect(await cacheRefs()).toEqual(refsBefore);
    expect(await orchGit(path, ["rev-parse", "HEAD"])).toBe(sha);
  });

  it("works from a pull request head", async () => {
    const prSha = await createPullRef({ barePath: remote.barePath, number: 3 });
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/pull/3/head" });
    const path = cache.worktreePath("att-pr");

    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/3/t1/a1", sha, path });

    expect(await orchGit(path, ["rev-parse", "HEAD"])).toBe(prSha);
    expect(existsSync(join(path, "pr-3.txt"))).toBe(true);
  });

  it.each([
    { name: "outside home", path: () => join(root, "elsewhere") },
    { name: "the worktrees directory itself", path: () => join(home, "worktrees") },
    { name: "traversal out of worktrees", path: () => join(home, "worktrees", "..", "repos", "x") },
    { name: "nested in worktrees", path: () => join(home, "worktrees", "a", "b") },
    { name: "inside the cache", path: () => join(home, "repos", "acme", "app.git", "wt") },
    { name: "relative path", path: () => "worktrees/att1" },
  ])("refuses a path $name", async ({ path }) => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });

    const error = await caught(cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path: path() }));

    expect(error.code).toBe("unsafe_path");
    expect(await cacheRefs()).toEqual([`refs/remotes/origin/main ${sha}`]);
  });

  it.each([
    { name: "traversal", branch: "../x" },
    { name: "option", branch: "-rf" },
    { name: "space", branch: "a b" },
    { name: "semicolon", branch: "x;y" },
    { name: "newline", branch: "orch/1\n/t1" },
    { name: "double dot", branch: "a..b" },
    { name: "300 chars", branch: "a".repeat(300) },
    { name: "empty", branch: "" },
    { name: ".lock suffix", branch: "orch/1/t1/a1.lock" },
  ])("refuses branch name: $name, and creates nothing", async ({ branch }) => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const path = cache.worktreePath("att1");

    const error = await caught(cache.addWorktree({ owner: "acme", repo: "app", branch, sha, path }));

    expect(error.code).toBe("unsafe_ref");
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(home, "worktrees"))).toBe(false);
    expect(await cacheRefs()).toEqual([`refs/remotes/origin/main ${sha}`]);
    expect(await git(cache.cachePath("acme", "app"), ["worktree", "list", "--porcelain"])).not.toContain("att1");
  });

  it.each([
    { name: "abbreviated", sha: "abc1234" },
    { name: "ref name", sha: "main" },
    { name: "option", sha: "--detach" },
  ])("refuses base sha: $name", async ({ sha }) => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const error = await caught(
      cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path: cache.worktreePath("a") }),
    );
    expect(error.code).toBe("unsafe_sha");
  });

  it("refuses to reuse a branch left by an earlier attempt", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path: cache.worktreePath("first") });

    const error = await caught(
      cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path: cache.worktreePath("second") }),
    );

    expect(error.code).toBe("branch_exists");
    expect(error.message).toContain("orch/1/t1/a1");
    expect(existsSync(cache.worktreePath("second"))).toBe(false);
  });

  it("fails clearly when the repository was never fetched", async () => {
    const error = await caught(
      cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: cache.worktreePath("a") }),
    );
    expect(error.code).toBe("cache_missing");
    expect(error.message).toContain("fetchBase must run before addWorktree");
  });

  it("fails with a git error when the sha is not in the cache", async () => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const error = await caught(
      cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: "1".repeat(40), path: cache.worktreePath("a") }),
    );
    expect(error.code).toBe("git_failed");
    expect(existsSync(cache.worktreePath("a"))).toBe(false);
  });
});

describe("the spare worktree", () => {
  const worktreeList = async () => git(cache.cachePath("acme", "app"), ["worktree", "list", "--porcelain"]);
  const spareGit = (args: string[]) => {
    const spare = cache.sparePath("acme", "app");
    return orchGit(spare, args);
  };

  it("is checked out after an allocation and taken by the next one, moved to the new path on the new branch", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path: cache.worktreePath("a1") });
    await cache.whenIdle();
    const spare = cache.sparePath("acme", "app");
    expect(await spareGit(["rev-parse", "HEAD"])).toBe(sha);
    expect(await worktreeList()).toContain(spare);

    const path = cache.worktreePath("a2");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a2", sha, path });

    expect(await orchGit(path, ["symbolic-ref", "HEAD"])).toBe("refs/heads/orch/1/t1/a2");
    expect(await orchGit(path, ["rev-parse", "HEAD"])).toBe(sha);
    expect(await orchGit(path, ["status", "--porcelain"])).toBe("");
    expect(await git(path, ["status", "--porcelain"])).toBe("");
    expect(await worktreeList()).toContain(path);
    await cache.whenIdle();
    expect(existsSync(spare)).toBe(true);
  });

  it("is brought to a newer base: only the files that differ are written", async () => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: cache.worktreePath("a1") });
    await cache.whenIdle();
    const newer = await pushCommit({ barePath: remote.barePath, files: { "NEW.md": "new\n" } });
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    expect(sha).toBe(newer);

    const path = cache.worktreePath("a2");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/2/t1/a1", sha, path });

    expect(await orchGit(path, ["rev-parse", "HEAD"])).toBe(newer);
    expect(await readFile(join(path, "NEW.md"), "utf8")).toBe("new\n");
    expect(await orchGit(path, ["status", "--porcelain"])).toBe("");
    expect(await git(path, ["rev-parse", "HEAD"])).toBe(newer);
  });

  it.each([
    { name: "a file planted in it", plant: (spare: string) => writeFile(join(spare, "planted.js"), "evil()\n") },
    { name: "a tracked file changed", plant: (spare: string) => writeFile(join(spare, "README.md"), "changed\n") },
    { name: "a tracked file deleted", plant: (spare: string) => rm(join(spare, "README.md")) },
    {
      name: "an ignored file planted",
      plant: async (spare: string) => {
        await mkdir(join(spare, ".git-info-test"), { recursive: true });
        await writeFile(join(spare, ".git-info-test", "x"), "x\n");
      },
    },
  ])("is not handed out with $name by an unsandboxed agent: the next attempt gets a clean checkout", async ({ plant }) => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: cache.worktreePath("a1") });
    await cache.whenIdle();
    // What an agent run with `sandbox: none` could do (a sandboxed one cannot see the spare).
    const ended = cache.noteUnsandboxedAgent();
    await plant(cache.sparePath("acme", "app"));
    ended();

    const path = cache.worktreePath("a2");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a2", sha: remote.headSha, path });

    expect(await orchGit(path, ["status", "--porcelain", "--ignored", "--untracked-files=all"])).toBe("");
    expect(await readFile(join(path, "README.md"), "utf8")).toBe("# acme/app\n");
    expect(existsSync(join(path, "planted.js"))).toBe(false);
    expect(existsSync(join(path, ".git-info-test"))).toBe(false);
  });

  it.each([
    { name: "while an unsandboxed agent still runs", before: (c: RepoCache) => void c.noteUnsandboxedAgent(), use: (c: RepoCache) => c },
    { name: "when the spare was left by an earlier process", before: () => undefined, use: () => new RepoCache({ home, gitBaseUrl: remote.url }) },
  ])("is checked again before use $name", async ({ before, use }) => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: cache.worktreePath("a1") });
    await cache.whenIdle();
    before(cache);
    await writeFile(join(cache.sparePath("acme", "app"), "planted.js"), "evil()\n");

    const next = use(cache);
    const path = next.worktreePath("a2");
    await next.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a2", sha: remote.headSha, path });

    expect(existsSync(join(path, "planted.js"))).toBe(false);
    await next.whenIdle();
  });

  it("is handed out without a second full check when nothing that could write it ran since it was made", async () => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: cache.worktreePath("a1") });
    await cache.whenIdle();
    // Only orch (or an unsandboxed agent, which would have been noted) can write here; this stands for neither.
    await writeFile(join(cache.sparePath("acme", "app"), "written-by-the-test.txt"), "x\n");

    const path = cache.worktreePath("a2");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a2", sha: remote.headSha, path });

    expect(existsSync(join(path, "written-by-the-test.txt"))).toBe(true);
  });

  it("is thrown away and replaced by a plain checkout when git no longer knows it", async () => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: cache.worktreePath("a1") });
    await cache.whenIdle();
    await rm(join(cache.cachePath("acme", "app"), "worktrees", basename(cache.sparePath("acme", "app"))), { recursive: true });

    const path = cache.worktreePath("a2");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a2", sha: remote.headSha, path });

    expect(await orchGit(path, ["symbolic-ref", "HEAD"])).toBe("refs/heads/orch/1/t1/a2");
    await cache.whenIdle();
    expect(await spareGit(["rev-parse", "HEAD"])).toBe(remote.headSha);
  });

  it("is not kept when turned off", async () => {
    const plain = new RepoCache({ home, gitBaseUrl: remote.url, spareWorktrees: false });
    await plain.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    await plain.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha: remote.headSha, path: plain.worktreePath("a1") });
    await plain.whenIdle();
    expect(existsSync(plain.sparePath("acme", "app"))).toBe(false);
  });
});

describe("pushBranch and removeWorktree", () => {
  async function attemptWithCommit(attemptId: string, branch: string): Promise<{ path: string; head: string; base: string }> {
    const { sha: base } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const path = cache.worktreePath(attemptId);
    await cache.addWorktree({ owner: "acme", repo: "app", branch, sha: base, path });
    const head = await commitInWorktree({ path, branch, base, files: { "agent.txt": "written by the agent\n" } });
    return { path, head, base };
  }

  it("pushes the branch to the remote", async () => {
    const { head } = await attemptWithCommit("att1", "orch/42/t1/a1");

    await cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1" });

    expect(await listRemoteBranches(remote.barePath)).toEqual(["main", "orch/42/t1/a1"]);
    expect(await git(remote.barePath, ["rev-parse", "refs/heads/orch/42/t1/a1"])).toBe(head);
    expect(await readFileAtRef(remote.barePath, "orch/42/t1/a1", "agent.txt")).toBe("written by the agent\n");
    expect(await git(remote.barePath, ["rev-parse", "refs/heads/main"])).toBe(remote.headSha);
  });

  it("pushes where orch says whatever the agent wrote into its own repository's config", async () => {
    const { path, head } = await attemptWithCommit("att1", "orch/42/t1/a1");
    const decoy = await createRemote({ root: join(root, "decoy"), owner: "acme", repo: "app" });
    // What a hostile agent could do from its worktree: redirect pushes to a server of its own.
    await git(path, ["config", `url.${decoy.url}/.insteadOf`, remote.url + "/"]);
    await git(path, ["config", "include.path", join(root, "evil.gitconfig")]);

    await cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1" });

    expect(await git(remote.barePath, ["rev-parse", "refs/heads/orch/42/t1/a1"])).toBe(head);
    expect(await listRemoteBranches(decoy.barePath)).toEqual(["main"]);
    expect(await readFile(join(cache.cachePath("acme", "app"), "config"), "utf8")).not.toContain("insteadOf");
  });

  it("only creates: a branch that already exists on the remote is refused with the reason, and left as it was", async () => {
    await attemptWithCommit("att1", "orch/42/t1/a1");
    const upstream = await pushCommit({ barePath: remote.barePath, branch: "main", files: { "x.md": "x\n" } });
    await git(remote.barePath, ["update-ref", "refs/heads/orch/42/t1/a1", upstream]);

    const error = await caught(cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1" }));

    expect(error.code).toBe("push_refused");
    expect(error.message).toContain("the branch already exists on GitHub");
    expect(await git(remote.barePath, ["rev-parse", "refs/heads/orch/42/t1/a1"])).toBe(upstream);
  });

  it("says why the remote refused, with the remote's own words", async () => {
    await attemptWithCommit("att1", "orch/42/t1/a1");
    const hook = join(remote.barePath, "hooks", "pre-receive");
    await writeFile(
      hook,
      "#!/bin/sh\necho 'error: GH013: Repository rule violations found for refs/heads/orch/42/t1/a1.' >&2\necho '- Cannot update this protected ref.' >&2\nexit 1\n",
      { mode: 0o755 },
    );

    const error = await caught(cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1" }));

    expect(error.code).toBe("push_refused");
    expect(error.detail).toContain("a branch protection rule or repository ruleset refused the branch");
    expect(error.detail).toContain("GH013: Repository rule violations found for refs/heads/orch/42/t1/a1.");
    expect(await listRemoteBranches(remote.barePath)).toEqual(["main"]);
  });

  it("deletes a pushed branch only while it is still the attempt's commit", async () => {
    const { head } = await attemptWithCommit("att1", "orch/42/t1/a1");
    await cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1" });

    await caught(cache.deleteRemoteBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1", sha: remote.headSha }));
    expect(await listRemoteBranches(remote.barePath)).toContain("orch/42/t1/a1");

    await cache.deleteRemoteBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1", sha: head });
    expect(await listRemoteBranches(remote.barePath)).toEqual(["main"]);
  });

  it("removes the directory and orch's admin dir but keeps the branch in the cache and on the remote; twice is fine", async () => {
    const { path, head } = await attemptWithCommit("att1", "orch/42/t1/a1");
    await cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/42/t1/a1" });

    await cache.removeWorktree({ owner: "acme", repo: "app", path });

    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(cache.cachePath("acme", "app"), "worktrees", "att1"))).toBe(false);
    expect(await cacheRefs()).toContain(`refs/heads/orch/42/t1/a1 ${head}`);
    expect(await listRemoteBranches(remote.barePath)).toContain("orch/42/t1/a1");
    expect(await git(cache.cachePath("acme", "app"), ["worktree", "list", "--porcelain"])).not.toContain(path);

    await cache.removeWorktree({ owner: "acme", repo: "app", path });
    expect(existsSync(path)).toBe(false);
  });

  it("removes a worktree holding ignored and untracked files", async () => {
    const { path } = await attemptWithCommit("att1", "orch/42/t1/a1");
    await writeFile(join(path, ".gitignore"), "node_modules/\n");
    await mkdir(join(path, "node_modules", "x"), { recursive: true });
    await writeFile(join(path, "node_modules", "x", "index.js"), "x\n");
    await writeFile(join(path, "untracked.txt"), "u\n");

    await cache.removeWorktree({ owner: "acme", repo: "app", path });

    expect(existsSync(path)).toBe(false);
  });

  it("drops orch's admin dir when the directory is already gone", async () => {
    const { path } = await attemptWithCommit("att1", "orch/42/t1/a1");
    await rm(path, { recursive: true, force: true });

    await cache.removeWorktree({ owner: "acme", repo: "app", path });

    expect(await git(cache.cachePath("acme", "app"), ["worktree", "list", "--porcelain"])).not.toContain("att1");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/42/t1/a2", sha: remote.headSha, path });
    expect(existsSync(path)).toBe(true);
  });

  it("takes the deletion off the caller's path: the tree goes to the trash and drainTrash waits for it", async () => {
    const { path } = await attemptWithCommit("att1", "orch/42/t1/a1");
    await writeFile(join(path, "untracked.txt"), "u\n");

    await cache.removeWorktree({ owner: "acme", repo: "app", path });

    expect(existsSync(path)).toBe(false);
    expect(await git(cache.cachePath("acme", "app"), ["worktree", "list", "--porcelain"])).not.toContain("att1");
    await cache.drainTrash();
    expect(await readdir(join(home, "trash"))).toEqual([]);
  });

  it("deletes a tree without following the links the agent left in it", async () => {
    const { path } = await attemptWithCommit("att1", "orch/42/t1/a1");
    const outside = join(root, "outside");
    await mkdir(outside);
    await writeFile(join(outside, "keep.txt"), "keep\n");
    await symlink(outside, join(path, "link-to-outside"));

    await cache.removeWorktree({ owner: "acme", repo: "app", path });
    await cache.drainTrash();

    expect(await readFile(join(outside, "keep.txt"), "utf8")).toBe("keep\n");
  });

  it("deletes what an earlier process left in the trash", async () => {
    const leftover = join(home, "trash", "att9-0123456789ab");
    await mkdir(join(leftover, "deep", "er"), { recursive: true });
    await writeFile(join(leftover, "deep", "er", "file.txt"), "x\n");

    const restarted = new RepoCache({ home, gitBaseUrl: remote.url });
    await restarted.drainTrash();

    expect(await readdir(join(home, "trash"))).toEqual([]);
  });

  it("refuses to remove a path outside the worktrees directory", async () => {
    await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    const error = await caught(cache.removeWorktree({ owner: "acme", repo: "app", path: cache.cachePath("acme", "app") }));
    expect(error.code).toBe("unsafe_path");
    expect(existsSync(cache.cachePath("acme", "app"))).toBe(true);
  });
});

describe("the token never leaks", () => {
  it("is nowhere in the cache or worktree after a fetch, worktree add and push", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main", token: TOKEN });
    const path = cache.worktreePath("att1");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path });
    await commitInWorktree({ path, branch: "orch/1/t1/a1", base: sha, files: { "f.txt": "f\n" } });
    await cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", token: TOKEN });

    expect(await listRemoteBranches(remote.barePath)).toContain("orch/1/t1/a1");
    const config = await readFile(join(cache.cachePath("acme", "app"), "config"), "utf8");
    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(TOKEN_BASIC);
    for (const file of [...(await allFilesUnder(home)), ...(await allFilesUnder(remote.barePath))]) {
      if ((await stat(file)).size > 1_000_000) continue;
      const content = await readFile(file, "latin1");
      expect(content, file).not.toContain(TOKEN);
      expect(content, file).not.toContain(TOKEN_BASIC);
    }
  });

  it("runs none of the cache's hooks during worktree add, commit and push", async () => {
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main", token: TOKEN });
    const hooks = join(cache.cachePath("acme", "app"), "hooks");
    await mkdir(hooks, { recursive: true });
    for (const hook of ["post-checkout", "pre-commit", "pre-push", "reference-transaction"]) {
      await writeFile(join(hooks, hook), `#!/bin/sh\nenv > "${join(root, "env-from-")}${hook}"\n`, { mode: 0o755 });
    }
    const path = cache.worktreePath("att1");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path });
    await commitInWorktree({ path, branch: "orch/1/t1/a1", base: sha, files: { "f.txt": "f\n" } });
    await cache.pushBranch({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", token: TOKEN });

    expect(await listRemoteBranches(remote.barePath)).toContain("orch/1/t1/a1");
    expect((await readdir(root)).filter((name) => name.startsWith("env-from-"))).toEqual([]);
  });

  it("is scrubbed from a failed push's error", async () => {
    // The owner is the token itself, so git's own message ("'<path>' does not
    // appear to be a git repository") would carry it unless scrubbed.
    const nowhere = new RepoCache({ home, gitBaseUrl: `${remote.url}/missing` });
    // Pushes run in the repository's cache; give the token-named repository one, with the branch.
    const tokenCache = nowhere.cachePath(TOKEN, "app");
    await mkdir(tokenCache, { recursive: true });
    await git(tokenCache, ["init", "--bare", "--quiet"]);
    await git(tokenCache, ["fetch", "--quiet", remote.barePath, "main:refs/heads/orch/1/t1/a1"]);

    const error = await caught(nowhere.pushBranch({ owner: TOKEN, repo: "app", branch: "orch/1/t1/a1", token: TOKEN }));

    expect(error.code).toBe("git_failed");
    expect(error.message).toContain("/missing/***/app.git");
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN_BASIC);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String(error.stack)).not.toContain(TOKEN);
  });

  it("is scrubbed from a failed fetch's error", async () => {
    const error = await caught(cache.fetchBase({ owner: TOKEN, repo: "app", ref: "refs/heads/main", token: TOKEN }));

    expect(error.code).toBe("git_failed");
    expect(error.message).toContain("***");
    expect(error.message).not.toContain(TOKEN);
    expect(String(error.stack)).not.toContain(TOKEN);
  });

  it("is sent over HTTP as a Basic authorization header scoped to the base URL, and not put in the URL", async () => {
    const seen: { url: string | undefined; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url, headers: request.headers });
      response.writeHead(401, { "WWW-Authenticate": 'Basic realm="test"' });
      response.end("no");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const overHttp = new RepoCache({ home, gitBaseUrl: `http://127.0.0.1:${port}` });

      const error = await caught(overHttp.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main", token: TOKEN }));

      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]?.url).toBe("/acme/app.git/info/refs?service=git-upload-pack");
      expect(seen[0]?.headers.authorization).toBe(`basic ${TOKEN_BASIC}`);
      expect(seen.every((request) => !String(request.url).includes(TOKEN))).toBe(true);
      // A 401 fails fast (no terminal prompt) and says nothing of the token.
      expect(error.code).toBe("git_failed");
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(TOKEN_BASIC);
    } finally {
      server.close();
    }
  });
});
