/**
 * orch's commit of an attempt, made with its own git after a (possibly
 * hostile) agent worked in the worktree: only the files count, nothing the
 * agent wrote into git is obeyed, and nothing reaches the cache before it is
 * published.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRemote, git, type Remote } from "../../test/helpers/git-remote.js";
import { escapeIgnorePattern, listChangedFiles, parseShortStat, type AttemptGit } from "./attempt-commit.js";
import { RepoCache } from "./repo-cache.js";

const execFileAsync = promisify(execFile);
const IDENTITY = { name: "orch[bot]", email: "orch@example.test" };
const BRANCH = "orch/1/t1/a1";

let root: string;
let remote: Remote;
let cache: RepoCache;
let path: string;
let base: string;
let work: AttemptGit;
let markers: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "orch-attempt-commit-"));
  markers = join(root, "markers");
  await mkdir(markers);
  remote = await createRemote({ root: join(root, "remotes"), owner: "acme", repo: "app", files: { "README.md": "# app\n", "src/a.js": "a\n" } });
  cache = new RepoCache({ home: join(root, "home"), gitBaseUrl: remote.url, spareWorktrees: false });
  ({ sha: base } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" }));
  path = cache.worktreePath("7");
  await cache.addWorktree({ owner: "acme", repo: "app", branch: BRANCH, sha: base, path });
  work = cache.attemptGit({ owner: "acme", repo: "app", worktree: path, privateDir: join(root, "home", "attempts", "7", "git") });
});

afterEach(async () => {
  await cache.whenIdle();
  await rm(root, { recursive: true, force: true });
});

const snapshot = () => cache.snapshot({ git: work, baseSha: base, message: "the agent's work\n", identity: IDENTITY });
const cacheGit = (args: string[]) => git(cache.cachePath("acme", "app"), args);
const filesIn = async (sha: string) => (await cacheGit(["ls-tree", "-r", "--name-only", sha])).split("\n").sort();
const hasObject = async (sha: string) => {
  try {
    await cacheGit(["cat-file", "-e", sha]);
    return true;
  } catch {
    return false;
  }
};
const markersLeft = async () => readdir(markers);

async function publish(commitSha: string): Promise<void> {
  await cache.publishSnapshot({ owner: "acme", repo: "app", git: work, branch: BRANCH, baseSha: base, commitSha });
}

describe("snapshot", () => {
  it("commits new, changed and deleted files on top of the base, as orch", async () => {
    await writeFile(join(path, "new.txt"), "new\n");
    await writeFile(join(path, "README.md"), "# app, better\n");
    await rm(join(path, "src", "a.js"));

    const made = await snapshot();
    await publish(made!.commitSha);

    expect(await filesIn(made!.commitSha)).toEqual(["README.md", "new.txt"]);
    expect(await cacheGit(["log", "--format=%an <%ae>|%s|%P", "-1", made!.commitSha])).toBe(`orch[bot] <orch@example.test>|the agent's work|${base}`);
    expect(await cacheGit(["rev-parse", `refs/heads/${BRANCH}`])).toBe(made!.commitSha);
  });

  it.each([
    { name: "nothing changed", change: async () => undefined },
    { name: "a file changed and changed back", change: async () => {
      await writeFile(join(path, "README.md"), "other\n");
      await writeFile(join(path, "README.md"), "# app\n");
    } },
    { name: "only the agent's own repository changed", change: async () => {
      await writeFile(join(path, ".git", "config"), "[core]\n\tbare = false\n");
    } },
  ])("is undefined when $name", async ({ change }) => {
    await change();
    expect(await snapshot()).toBeUndefined();
  });

  it("leaves out what .gitignore ignores", async () => {
    await writeFile(join(path, ".gitignore"), "build/\n");
    await mkdir(join(path, "build"));
    await writeFile(join(path, "build", "out.js"), "out\n");
    const made = await snapshot();
    await publish(made!.commitSha);
    expect(await filesIn(made!.commitSha)).toEqual([".gitignore", "README.md", "src/a.js"]);
  });

  it("takes file names that look like options or hold spaces, quotes and newlines as they are", async () => {
    const names = ["-rf", "--all", "with space.txt", 'quo"te.txt', "new\nline.txt", "*", "[ab].txt", ":(exclude)x"];
    for (const name of names) await writeFile(join(path, name), `${name}\n`);

    const made = await snapshot();
    await publish(made!.commitSha);

    const listed = (await cacheGit(["ls-tree", "-r", "-z", "--name-only", made!.commitSha])).split("\0").filter(Boolean);
    expect(listed.sort()).toEqual([...names, "README.md", "src/a.js"].sort());
  });

  it("uses the files, not the commits the agent made in its own repository", async () => {
    await writeFile(join(path, "agent.txt"), "committed by the agent\n");
    await git(path, ["add", "agent.txt"]);
    await git(path, ["commit", "--quiet", "-m", "agent: do it"]);
    await writeFile(join(path, "later.txt"), "left uncommitted\n");

    const made = await snapshot();
    await publish(made!.commitSha);

    expect(await cacheGit(["rev-list", "--count", `${base}..${made!.commitSha}`])).toBe("1");
    expect(await filesIn(made!.commitSha)).toEqual(["README.md", "agent.txt", "later.txt", "src/a.js"]);
  });

  it("leaves out a git repository the agent made inside the worktree, and says so", async () => {
    await mkdir(join(path, "vendor", "lib"), { recursive: true });
    await git(join(path, "vendor", "lib"), ["init", "--quiet"]);
    await writeFile(join(path, "vendor", "lib", "lib.js"), "lib\n");
    await mkdir(join(path, "empty-repo"));
    await git(join(path, "empty-repo"), ["init", "--quiet"]);
    await writeFile(join(path, "app.js"), "app\n");

    const made = await snapshot();
    await publish(made!.commitSha);

    expect(made!.skippedRepositories.sort()).toEqual(["empty-repo", "vendor/lib"]);
    expect(await filesIn(made!.commitSha)).toEqual(["README.md", "app.js", "src/a.js"]);
  });

  it("runs nothing the agent planted: its repository's hooks, fsmonitor, filters, includes; nor HOME's config", async () => {
    const touch = (name: string) => `sh -c 'touch ${join(markers, name)}'`;
    const own = join(path, ".git");
    await writeFile(join(root, "included.gitconfig"), `[core]\n\tfsmonitor = ${touch("included")}\n`);
    await git(path, ["config", "core.fsmonitor", touch("fsmonitor")]);
    await git(path, ["config", "filter.evil.clean", touch("clean-filter")]);
    await git(path, ["config", "filter.evil.required", "true"]);
    await git(path, ["config", "diff.evil.textconv", touch("textconv")]);
    await git(path, ["config", "include.path", join(root, "included.gitconfig")]);
    await git(path, ["config", "core.hooksPath", join(own, "hooks")]);
    await mkdir(join(own, "hooks"), { recursive: true });
    for (const hook of ["pre-commit", "post-commit", "commit-msg", "reference-transaction", "post-index-change"]) {
      await writeFile(join(own, "hooks", hook), `#!/bin/sh\ntouch ${join(markers, hook)}\n`);
      await chmod(join(own, "hooks", hook), 0o755);
    }
    await writeFile(join(path, ".gitattributes"), "* filter=evil diff=evil\n");
    await writeFile(join(path, "code.js"), "code\n");
    // orch's own HOME, had an agent reached it.
    const fakeHome = join(root, "fake-home");
    await mkdir(join(fakeHome, ".config", "git"), { recursive: true });
    await writeFile(join(fakeHome, ".gitconfig"), `[core]\n\tfsmonitor = ${touch("home-gitconfig")}\n`);
    await writeFile(join(fakeHome, ".config", "git", "attributes"), "* filter=evil\n");
    const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    process.env.HOME = fakeHome;
    process.env.XDG_CONFIG_HOME = join(fakeHome, ".config");
    try {
      const made = await snapshot();
      await publish(made!.commitSha);
      await cache.pushBranch({ owner: "acme", repo: "app", branch: BRANCH });

      expect(await markersLeft()).toEqual([]);
      // The attributes file is committed as data; its filter had no driver in orch's git.
      expect(await filesIn(made!.commitSha)).toEqual([".gitattributes", "README.md", "code.js", "src/a.js"]);
      expect(await git(remote.barePath, ["show", `refs/heads/${BRANCH}:code.js`])).toBe("code");
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
    }
  });

  it("ignores replace refs in the cache", async () => {
    const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    const other = await cacheGit(["commit-tree", "-m", "decoy", emptyTree]);
    await cacheGit(["update-ref", `refs/replace/${base}`, other]);
    await writeFile(join(path, "x.txt"), "x\n");

    const made = await snapshot();
    await publish(made!.commitSha);

    const { stdout } = await execFileAsync("git", ["--no-replace-objects", "ls-tree", "-r", "--name-only", made!.commitSha], { cwd: cache.cachePath("acme", "app") });
    expect(stdout.trim().split("\n").sort()).toEqual(["README.md", "src/a.js", "x.txt"]);
  });

  it("keeps the attempt's objects out of the cache until published, and drops them when discarded", async () => {
    await writeFile(join(path, "secret.txt"), "would be refused\n");
    const made = await snapshot();
    const blob = (await git(root, ["hash-object", join(path, "secret.txt")])).trim();

    expect(await hasObject(made!.commitSha)).toBe(false);
    expect(await hasObject(blob)).toBe(false);

    const { discardSnapshot } = await import("./attempt-commit.js");
    await discardSnapshot(work);
    expect(existsSync(work.privateDir)).toBe(false);
    expect(await hasObject(blob)).toBe(false);
    expect(await cacheGit(["rev-parse", `refs/heads/${BRANCH}`])).toBe(base);
    // The admin dir's index never named the missing objects: the cache stays whole.
    expect(await cacheGit(["fsck", "--no-dangling"])).toBe("");
  });

  it("moves the objects in when published", async () => {
    await writeFile(join(path, "ok.txt"), "fine\n");
    const made = await snapshot();
    await publish(made!.commitSha);
    expect(await hasObject(made!.commitSha)).toBe(true);
    expect(existsSync(work.privateDir)).toBe(false);
  });

  it("lists the changed files with the size of their new content", async () => {
    await writeFile(join(path, "big.bin"), Buffer.alloc(300_000, 7));
    await writeFile(join(path, "README.md"), "# app!\n");
    await rm(join(path, "src", "a.js"));
    const made = await snapshot();

    const files = await listChangedFiles({ git: work, baseSha: base, commitSha: made!.commitSha });

    expect(files.sort((a, b) => a.bytes - b.bytes)).toEqual([
      { path: "README.md", bytes: 7 },
      { path: "big.bin", bytes: 300_000 },
    ]);
  });
});

describe("escapeIgnorePattern", () => {
  it.each([
    { name: "plain", path: "vendor/lib", want: "vendor/lib" },
    { name: "glob characters", path: "a*b?[c]", want: "a\\*b\\?\\[c\\]" },
    { name: "leading bang", path: "!keep", want: "\\!keep" },
    { name: "leading hash", path: "#x", want: "\\#x" },
    { name: "edge spaces", path: " x ", want: "\\ x\\ " },
    { name: "backslash", path: "a\\b", want: "a\\\\b" },
  ])("$name", ({ path: input, want }) => {
    expect(escapeIgnorePattern(input)).toBe(want);
  });
});

describe("parseShortStat", () => {
  it.each([
    { name: "all parts", text: " 3 files changed, 10 insertions(+), 1 deletion(-)", want: { filesChanged: 3, insertions: 10, deletions: 1 } },
    { name: "one file, insertions only", text: " 1 file changed, 1 insertion(+)", want: { filesChanged: 1, insertions: 1, deletions: 0 } },
    { name: "deletions only", text: " 2 files changed, 5 deletions(-)", want: { filesChanged: 2, insertions: 0, deletions: 5 } },
    { name: "empty", text: "", want: { filesChanged: 0, insertions: 0, deletions: 0 } },
  ])("$name", ({ text, want }) => {
    expect(parseShortStat(text)).toEqual(want);
  });
});
