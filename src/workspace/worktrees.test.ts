import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRemote, git, type Remote } from "../../test/helpers/git-remote.js";
import { RepoCache } from "./repo-cache.js";
import { commitLeftovers, countNewCommits, getDiffStat, getHeadSha, parseShortStat } from "./worktrees.js";

const IDENTITY = { authorName: "orch[bot]", authorEmail: "orch-bot@example.test" };

describe("in a real worktree", () => {
  let root: string;
  let remote: Remote;
  let path: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "orch-worktrees-"));
    remote = await createRemote({
      root: join(root, "remotes"),
      owner: "acme",
      repo: "app",
      files: { "README.md": "hello\n", "src/a.txt": "one\ntwo\nthree\n", ".gitignore": "*.log\nbuild/\n" },
    });
    const cache = new RepoCache({ home: join(root, "home"), gitBaseUrl: remote.url, spareWorktrees: false });
    const { sha } = await cache.fetchBase({ owner: "acme", repo: "app", ref: "refs/heads/main" });
    path = cache.worktreePath("att1");
    await cache.addWorktree({ owner: "acme", repo: "app", branch: "orch/1/t1/a1", sha, path });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function filesInHead(): Promise<string[]> {
    return (await git(path, ["ls-tree", "-r", "-z", "--name-only", "HEAD"])).split("\0").filter(Boolean).sort();
  }

  describe("commitLeftovers", () => {
    it("commits new, modified and deleted files as the given identity", async () => {
      await writeFile(join(path, "new.txt"), "new\n");
      await writeFile(join(path, "src", "a.txt"), "one\n2\nthree\nfour\n");
      await unlink(join(path, "README.md"));

      expect(await commitLeftovers({ path, message: "orch: leftovers", ...IDENTITY })).toBe(true);

      expect(await filesInHead()).toEqual([".gitignore", "new.txt", "src/a.txt"]);
      expect(await git(path, ["status", "--porcelain"])).toBe("");
      expect(await git(path, ["log", "-1", "--format=%an <%ae>|%cn <%ce>|%s"])).toBe(
        "orch[bot] <orch-bot@example.test>|orch[bot] <orch-bot@example.test>|orch: leftovers",
      );
      expect(await countNewCommits({ path, baseSha: remote.headSha })).toBe(1);
    });

    it("leaves .gitignore'd files out", async () => {
      await writeFile(join(path, "debug.log"), "noise\n");
      await mkdir(join(path, "build"));
      await writeFile(join(path, "build", "out.js"), "x\n");
      await writeFile(join(path, "kept.txt"), "kept\n");

      expect(await commitLeftovers({ path, message: "m", ...IDENTITY })).toBe(true);

      expect(await filesInHead()).toEqual([".gitignore", "README.md", "kept.txt", "src/a.txt"]);
      expect(existsSync(join(path, "debug.log"))).toBe(true);
    });

    it("returns false on a clean tree and makes no commit", async () => {
      expect(await commitLeftovers({ path, message: "m", ...IDENTITY })).toBe(false);
      expect(await getHeadSha(path)).toBe(remote.headSha);
    });

    it("returns false when only ignored files changed", async () => {
      await writeFile(join(path, "debug.log"), "noise\n");
      expect(await commitLeftovers({ path, message: "m", ...IDENTITY })).toBe(false);
      expect(await getHeadSha(path)).toBe(remote.headSha);
    });

    it("handles file names that look like options or hold spaces and newlines", async () => {
      const names = ["-rf", "--all", "with space.txt", "new\nline.txt", "-dir/x", "quote'\"`$(id).txt"];
      for (const name of names) {
        await mkdir(join(path, name, ".."), { recursive: true });
        await writeFile(join(path, name), `${name}\n`);
      }

      expect(await commitLeftovers({ path, message: "-m looks like an option", ...IDENTITY })).toBe(true);

      expect(await filesInHead()).toEqual([...names, ".gitignore", "README.md", "src/a.txt"].sort());
      expect(await git(path, ["log", "-1", "--format=%s"])).toBe("-m looks like an option");
      expect(existsSync(join(path, "README.md"))).toBe(true);
    });

    it("does not run the repository's hooks", async () => {
      // A worktree's hooks live in the cache, where an agent could write them.
      const hooks = join(root, "home", "repos", "acme", "app.git", "hooks");
      await mkdir(hooks, { recursive: true });
      for (const hook of ["pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"]) {
        await writeFile(join(hooks, hook), `#!/bin/sh\ntouch "${join(root, "ran-")}${hook}"\nexit 1\n`, { mode: 0o755 });
      }
      await writeFile(join(path, "x.txt"), "x\n");

      expect(await commitLeftovers({ path, message: "m", ...IDENTITY })).toBe(true);
      expect((await readdir(root)).filter((name) => name.startsWith("ran-"))).toEqual([]);
    });
  });

  describe("countNewCommits, getHeadSha, getDiffStat", () => {
    it("are zero / the base on a fresh worktree", async () => {
      expect(await countNewCommits({ path, baseSha: remote.headSha })).toBe(0);
      expect(await getHeadSha(path)).toBe(remote.headSha);
      expect(await getDiffStat({ path, baseSha: remote.headSha })).toEqual({ filesChanged: 0, insertions: 0, deletions: 0 });
    });

    it("count and summarise the attempt's commits", async () => {
      await writeFile(join(path, "src", "a.txt"), "one\nthree\nfour\nfive\n");
      await commitLeftovers({ path, message: "first", ...IDENTITY });
      await writeFile(join(path, "b.txt"), "b\n");
      await commitLeftovers({ path, message: "second", ...IDENTITY });

      expect(await countNewCommits({ path, baseSha: remote.headSha })).toBe(2);
      expect(await getHeadSha(path)).toBe(await git(path, ["rev-parse", "HEAD"]));
      expect(await getDiffStat({ path, baseSha: remote.headSha })).toEqual({ filesChanged: 2, insertions: 3, deletions: 1 });
    });

    it("refuse a base that is not a full sha", async () => {
      await expect(countNewCommits({ path, baseSha: "HEAD~1" })).rejects.toThrow(/not a full commit sha/);
      await expect(getDiffStat({ path, baseSha: "--output=/tmp/x" })).rejects.toThrow(/not a full commit sha/);
    });
  });
});

describe("parseShortStat", () => {
  it.each([
    { name: "empty", text: "", expected: { filesChanged: 0, insertions: 0, deletions: 0 } },
    { name: "singular", text: " 1 file changed, 1 insertion(+), 1 deletion(-)\n", expected: { filesChanged: 1, insertions: 1, deletions: 1 } },
    { name: "plural", text: " 3 files changed, 10 insertions(+), 2 deletions(-)", expected: { filesChanged: 3, insertions: 10, deletions: 2 } },
    { name: "insertions only", text: " 2 files changed, 5 insertions(+)", expected: { filesChanged: 2, insertions: 5, deletions: 0 } },
    { name: "deletions only", text: " 1 file changed, 4 deletions(-)", expected: { filesChanged: 1, insertions: 0, deletions: 4 } },
    { name: "binary only", text: " 1 file changed, 0 insertions(+), 0 deletions(-)", expected: { filesChanged: 1, insertions: 0, deletions: 0 } },
  ])("$name", ({ text, expected }) => {
    expect(parseShortStat(text)).toEqual(expected);
  });
});
