import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/databases.js";
import type { AttemptContext } from "../store/records.js";
import { createStore, type Store } from "../store/store.js";
import { Background } from "./background.js";
import { HostLease } from "./host-lease.js";

const limits = { maxRunning: 10, maxRunningPerHost: 10, perRepository: 10, perAgent: {} };
const TTL_MS = 30_000;

describe("HostLease", () => {
  let database: TestDatabase;
  let store: Store;
  let nextNumber = 1;
  let clock = Date.UTC(2026, 11, 1, 14, 0, 0);
  const now = () => new Date(clock);

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    store = createStore({ db: database.db, provider: "sqlite" });
  });
  afterAll(async () => {
    await database?.close();
  });

  function lease(host: string) {
    const calls = { completed: [] as AttemptContext[], refreshed: [] as number[], fenced: 0, freed: 0 };
    const hostLease = new HostLease({
      store,
      host,
      role: "worker",
      ttlMs: TTL_MS,
      reporter: {
        complete: async (context) => void calls.completed.push(context),
        refreshStatus: (threadId) => void calls.refreshed.push(threadId),
      },
      onFenced: async () => void (calls.fenced += 1),
      onSlotsFreed: async () => void (calls.freed += 1),
      background: new Background(),
      log: pino({ level: "silent" }),
      now,
    });
    return { hostLease, calls };
  }

  async function runningOn(host: string, incarnation: string) {
    const number = nextNumber++;
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "widgets", number, kind: "issue", title: "t", url: "u" });
    await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: [{ key: "t1", prompt: "fix", agent: "codex", branch: `orch/${number}/t1/a1` }],
    });
    return (await store.claimNextQueued({ host, lease: incarnation, limits }))!;
  }

  it("declares a silent host dead, loses what it ran with a summary naming it, reports it and frees its slots", async () => {
    const silent = lease("silent-1");
    await silent.hostLease.start();
    silent.hostLease.stop();
    const claimed = await runningOn("silent-1", silent.hostLease.lease());
    const live = lease("live-1");
    await live.hostLease.start();
    live.hostLease.stop();

    clock += TTL_MS - 1_000;
    await live.hostLease.beat();
    expect(live.calls.completed).toEqual([]);

    clock += 2_000;
    await live.hostLease.beat();
    const lost = (await store.findAttemptContext(claimed.attempt.id))!.attempt;
    expect(lost.state).toBe("lost");
    expect(lost.summary).toBe(
      "host silent-1 stopped answering: last heard from at 2026-12-01 14:00:00 UTC, declared dead at 2026-12-01 14:00:31 UTC; " +
        "this attempt's work is lost. `/orch retry` starts it again on another host.",
    );
    expect(live.calls.completed.map((c) => [c.attempt.id, c.attempt.state])).toEqual([[claimed.attempt.id, "lost"]]);
    expect(live.calls.refreshed).toEqual([claimed.thread.id]);
    expect(live.calls.freed).toBe(1);
    expect(await store.findHost("silent-1")).toMatchObject({ state: "dead" });

    // The next beat finds nothing more to do.
    await live.hostLease.beat();
    expect(live.calls.completed).toHaveLength(1);
  });

  it("takes the attempts of a host declared dead by a host that died before it could", async () => {
    const gone = lease("gone-1");
    await gone.hostLease.start();
    gone.hostLease.stop();
    const claimed = await runningOn("gone-1", gone.hostLease.lease());
    clock += TTL_MS + 1_000;
    // Another host declared it dead, then died itself before losing its attempts.
    await store.declareDeadHosts({ ttlMs: TTL_MS, now: now() });
    const live = lease("live-2");
    await live.hostLease.start();
    live.hostLease.stop();
    await live.hostLease.beat();
    expect((await store.findAttemptContext(claimed.attempt.id))!.attempt.state).toBe("lost");
    expect(live.calls.completed.map((c) => c.attempt.id)).toEqual([claimed.attempt.id]);
  });

  it("fences itself when it was declared dead while away, then registers again under a new lease", async () => {
    const away = lease("away-1");
    await away.hostLease.start();
    away.hostLease.stop();
    const before = away.hostLease.lease();
    const claimed = await runningOn("away-1", before);
    clock += TTL_MS + 1_000;
    const reaper = lease("reaper-1");
    await reaper.hostLease.start();
    reaper.hostLease.stop();
    await reaper.hostLease.beat();
    expect((await store.findAttemptContext(claimed.attempt.id))!.attempt.state).toBe("lost");

    // It comes back: its heartbeat fails, it stops its agents, and it is alive again under a new lease.
    await away.hostLease.beat();
    expect(away.calls.fenced).toBe(1);
    expect(away.hostLease.lease()).not.toBe(before);
    expect(await store.findHost("away-1")).toMatchObject({ state: "alive", incarnation: away.hostLease.lease() });
    // Nothing of its own to report: the reaper did that.
    expect(away.calls.completed).toEqual([]);
    await away.hostLease.beat();
    expect(away.calls.fenced).toBe(1);
  });
});
