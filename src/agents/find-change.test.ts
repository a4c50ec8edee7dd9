import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasChangedSince } from "./find-change.js";

let dir: string;
const longAgo = new Date("2020-01-01T00:00:00Z");
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-find-change-"));
  await mkdir(path.join(dir, "a", "b"), { recursive: true });
  await writeFile(path.join(dir, "a", "b", "f.txt"), "x");
  for (const p of [path.join(dir, "a", "b", "f.txt"), path.join(dir, "a", "b"), path.join(dir, "a"), dir]) await utimes(p, longAgo, longAgo);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("hasChangedSince", () => {
  it("sees a file written deep in the tree after the moment", async () => {
    // File times come from the kernel's coarse clock, a few ms behind Date.now().
    const since = Date.now() - 1_000;
    await writeFile(path.join(dir, "a", "b", "f.txt"), "changed");
    expect(await hasChangedSince(dir, since)).toBe(true);
  });

  it("sees nothing when nothing changed since", async () => {
    expect(await hasChangedSince(dir, Date.now())).toBe(false);
  });

  it("does not follow a link out of the tree", async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), "orch-find-change-outside-"));
    try {
      await symlink(outside, path.join(dir, "a", "link"));
      await utimes(path.join(dir, "a"), longAgo, longAgo);
      const since = Date.now() + 60_000;
      await writeFile(path.join(outside, "new.txt"), "x");
      expect(await hasChangedSince(dir, since)).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
