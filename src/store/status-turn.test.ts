import { describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";

describe.each(PROVIDERS)("turns to publish a status comment on %s", (provider) => {
  let nextNumber = 1;

  const store = useTestStore(provider);

  async function newThread(): Promise<number> {
    const number = nextNumber++;
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "widgets", number, kind: "issue", title: "t", url: `https://github.com/acme/widgets/issues/${number}` });
    return thread.id;
  }

  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, seconds));
  const claim = (threadId: number, host: string, lease: string, seconds: number) =>
    store.claimStatusTurn({ threadId, host, lease, now: at(seconds), until: at(seconds + 30) });

  it("numbers the requests, one after another", async () => {
    const threadId = await newThread();
    expect(await store.findStatusWanted(threadId)).toBe(0);
    expect(await Promise.all([store.requestStatus(threadId), store.requestStatus(threadId), store.requestStatus(threadId)]).then((n) => n.sort())).toEqual([1, 2, 3]);
    expect(await store.findStatusWanted(threadId)).toBe(3);
  });

  it("gives the turn to one process at a time, renews it for its holder, and frees it when released or expired", async () => {
    const threadId = await newThread();
    const [first, second] = await Promise.all([claim(threadId, "web-1", "a", 0), claim(threadId, "worker-1", "b", 0)]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const [holder, other] = first ? ["a", "b"] : ["b", "a"];
    expect(await claim(threadId, "x", holder!, 10)).toBe(true);
    expect(await claim(threadId, "x", other!, 20)).toBe(false);
    // The other's release does not free the holder's turn; the holder's does, once it has published every request.
    const seen = await store.requestStatus(threadId);
    expect(await store.releaseStatusTurn({ threadId, lease: other!, seen })).toBe(false);
    expect(await claim(threadId, "x", other!, 20)).toBe(false);
    await store.requestStatus(threadId);
    expect(await store.releaseStatusTurn({ threadId, lease: holder!, seen })).toBe(false);
    expect(await claim(threadId, "x", other!, 20)).toBe(false);
    expect(await store.releaseStatusTurn({ threadId, lease: holder!, seen: seen + 1 })).toBe(true);
    expect(await claim(threadId, "x", other!, 20)).toBe(true);
    // Renewed at 20, held until 50: taken at 51 by a process that finds it expired.
    expect(await claim(threadId, "x", "c", 49)).toBe(false);
    expect(await claim(threadId, "x", "c", 51)).toBe(true);
  });

  it("frees the turns of a restarted or dead host, but not the one its current process holds", async () => {
    const [kept, stale, elsewhere] = [await newThread(), await newThread(), await newThread()];
    expect(await claim(kept, "web-1", "now", 0)).toBe(true);
    expect(await claim(stale, "web-1", "before", 0)).toBe(true);
    expect(await claim(elsewhere, "worker-1", "w", 0)).toBe(true);
    expect(await store.releaseStatusTurns({ hosts: ["web-1"], keep: "now" })).toBe(1);
    expect(await claim(stale, "web-1", "now", 1)).toBe(true);
    expect(await claim(kept, "web-1", "other", 1)).toBe(false);
    expect(await claim(elsewhere, "web-1", "other", 1)).toBe(false);
    expect(await store.releaseStatusTurns({ hosts: ["worker-1"] })).toBe(1);
    expect(await claim(elsewhere, "web-1", "other", 1)).toBe(true);
    expect(await store.releaseStatusTurns({ hosts: [] })).toBe(0);
  });
});
