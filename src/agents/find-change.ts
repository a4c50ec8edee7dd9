/**
 * Whether anything under a folder changed after a moment: the file half of an
 * agent's idle timeout ("no output and no file change"). It walks the tree
 * with lstat (never following a link), stops at the first entry changed after
 * `sinceMs`, and is only asked once the agent has been silent for a whole
 * idle period, so a busy agent costs nothing and a quiet one one walk per
 * period.
 */
import { opendir, lstat } from "node:fs/promises";
import { join } from "node:path";

/** A walk gives up (and says "changed", so nobody is killed for orch's limit) past this many entries. */
const MAX_ENTRIES = 500_000;

export async function hasChangedSince(dir: string, sinceMs: number): Promise<boolean> {
  let seen = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let stat;
    try {
      stat = await lstat(current);
    } catch {
      continue; // gone while we looked: the change that removed it shows on its folder
    }
    if (Math.max(stat.mtimeMs, stat.ctimeMs) > sinceMs) return true;
    if (!stat.isDirectory()) continue;
    let entries;
    try {
      entries = await opendir(current);
    } catch {
      continue;
    }
    for await (const entry of entries) {
      if (++seen > MAX_ENTRIES) return true;
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else {
        try {
          const file = await lstat(path);
          if (Math.max(file.mtimeMs, file.ctimeMs) > sinceMs) return true;
        } catch {
          // gone while we looked
        }
      }
    }
  }
  return false;
}
