import { beforeEach, describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";
import type { OnQueued } from "./store.js";

const limits = { maxRunning: 3, maxRunningPerHost: 2, perRepository: 10, perAgent: {} };

describe.each(PROVIDERS)("hosts and leases on %s", (provider) => {
  let nextThreadNumber = 1;
  /** What the store's onQueued hook does in the next createRun; none by default. */
  let onQueued: OnQueued = async () => {};

  const store = useTestStore(provider, { onQueued: (sql, ids) => onQueued(sql, ids) });
  beforeEach(async () => {
    onQueued = async () => {};
    for (const { attempt } of await store.listAttemptContexts({ states: ["queued", "running"] })) {
      await store.transitionAttempt({ attemptId: attempt.id, to: "cancelled" });
    }
  });

  async function dispatch() {
    const number = nextThreadNumber++;
    const thread = await store.upsertThread({
      installationId: 1,
      owner: "acme",
      repo: "widgets",
      number,
      kind: "issue",
      title: `Issue ${number}`,
      url: `https://github.com/acme/widgets/issues/${number}`,
    });
    const run = await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: [{ key: "t1", prompt: "fix", agent: "codex", branch: `orch/${number}/t1/a1` }],
    });
    return run.tasks[0]!.attempts[0]!;
  }

  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, seconds));

  it("keeps a host's heartbeat only for its current incarnation while it is alive", async () => {
    await store.registerHost({ id: "beat", role: "worker", incarnation: "beat-1", now: at(0) });
    expect(await store.heartbeat({ id: "beat", incarnation: "beat-1", now: at(5) })).toBe(true);
    expect((await store.findHost("beat"))?.lastSeenAt).toEqual(at(5));
    // A restart under the same host id: the old incarnation holds nothing any more.
    await store.registerHost({ id: "beat", role: "worker", incarnation: "beat-2", now: at(6) });
    expect(await store.heartbeat({ id: "beat", incarnation: "beat-1", now: at(7) })).toBe(false);
    expect(await store.heartbeat({ id: "beat", incarnation: "beat-2", now: at(7) })).toBe(true);
  });

  it("declares a silent host dead once however many hosts reap at once, and its heartbeat then fails", async () => {
    await store.registerHost({ id: "quiet", role: "worker", incarnation: "quiet-1", now: at(0) });
    await store.registerHost({ id: "chatty", role: "worker", incarnation: "chatty-1", now: at(0) });
    await store.heartbeat({ id: "chatty", incarnation: "chatty-1", now: at(50) });
    const reaps = await Promise.all(Array.from({ length: 5 }, () => store.declareDeadHosts({ ttlMs: 30_000, now: at(55) })));
    const declared = reaps.flat().filter((h) => h.id === "quiet" || h.id === "chatty");
    expect(declared.map((h) => [h.id, h.state, h.diedAt])).toEqual([["quiet", "dead", at(55)]]);
    expect(await store.heartbeat({ id: "quiet", incarnation: "quiet-1", now: at(56) })).toBe(false);
    expect((await store.findHost("chatty"))?.state).toBe("alive");
    // Coming back means a new incarnation, alive again.
    await store.registerHost({ id: "quiet", role: "worker", incarnation: "quiet-2", now: at(57) });
    expect(await store.findHost("quiet")).toMatchObject({ state: "alive", incarnation: "quiet-2", diedAt: null });
  });

  it("loses exactly the running attempts of the dead incarnation, and their old lease no longer moves them", async () => {
    const mine = await dispatch();
    const other = await dispatch();
    const queued = await dispatch();
    expect((await store.claimNextQueued({ host: "w1", lease: "w1-a", limits }))?.attempt.id).toBe(mine.id);
    expect((await store.claimNextQueued({ host: "w2", lease: "w2-a", limits }))?.attempt.id).toBe(other.id);
    expect(await store.holdsLease({ attemptId: mine.id, lease: "w1-a" })).toBe(true);
    expect(await store.holdsLease({ attemptId: mine.id, lease: "w2-a" })).toBe(false);

    const lost = await store.loseAttemptsOf({ host: "w1", incarnation: "w1-a", summary: "host w1 stopped answering", now: at(9) });
    expect(lost.map((c) => [c.attempt.id, c.attempt.state, c.attempt.summary])).toEqual([[mine.id, "lost", "host w1 stopped answering"]]);
    expect((await store.findAttemptContext(other.id))?.attempt.state).toBe("running");
    expect((await store.findAttemptContext(queued.id))?.attempt.state).toBe("queued");
    expect(await store.holdsLease({ attemptId: mine.id, lease: "w1-a" })).toBe(false);
    // The host that comes back must not report: its guarded move is refused.
    expect(await store.transitionAttempt({ attemptId: mine.id, to: "succeeded", lease: "w1-a" })).toBe(false);
    expect(await store.transitionAttempt({ attemptId: other.id, to: "succeeded", lease: "w1-a" })).toBe(false);
    expect(await store.transitionAttempt({ attemptId: other.id, to: "succeeded", lease: "w2-a" })).toBe(true);
    // A second reaper finds nothing left to lose.
    expect(await store.loseAttemptsOf({ host: "w1", incarnation: "w1-a", summary: "again", now: at(10) })).toEqual([]);
  });

  it("counts max_running over every host and max_running_per_host on each", async () => {
    const attempts = [await dispatch(), await dispatch(), await dispatch(), await dispatch()];
    const claim = async (host: string) => (await store.claimNextQueued({ host, lease: `${host}-1`, limits }))?.attempt.id;
    expect([await claim("a"), await claim("a"), await claim("a")]).toEqual([attempts[0]!.id, attempts[1]!.id, undefined]);
    expect([await claim("b"), await claim("b")]).toEqual([attempts[2]!.id, undefined]); // 3 running in all
    await store.transitionAttempt({ attemptId: attempts[0]!.id, to: "succeeded" });
    expect(await claim("a")).toBe(attempts[3]!.id); // the freed slot goes to the oldest queued attempt
  });

  it("never lets two hosts both take the last slot when their claims race", async () => {
    for (let i = 0; i < 6; i++) await dispatch();
    const hosts = ["a", "b", "c"];
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.claimNextQueued({ host: hosts[i % 3]!, lease: `${hosts[i % 3]}-1`, limits })),
    );
    const taken = claims.filter((c) => c !== undefined);
    expect(taken).toHaveLength(3);
    const perHost = hosts.map((h) => taken.filter((c) => c!.attempt.host === h).length);
    expect(Math.max(...perHost)).toBeLessThanOrEqual(2);
    expect(await store.countQueued()).toBe(3);
  });

  it("hands onQueued the new attempts inside the transaction that writes them, and rolls both back together", async () => {
    const seen: unknown[] = [];
    onQueued = async (sql, ids) => {
      // The uncommitted row is visible to the hook's SQL: the same transaction.
      const { rows } = await sql.executeSql(`SELECT state FROM "Attempt" WHERE id = ${provider === "postgresql" ? "$1" : "?"}`, [ids[0]]);
      seen.push(ids.length, rows);
    };
    const attempt = await dispatch();
    expect(seen).toEqual([1, [{ state: "queued" }]]);
    expect(attempt.state).toBe("queued");

    const before = await store.countQueued();
    onQueued = async () => {
      throw new Error("queue unavailable");
    };
    await expect(dispatch()).rejects.toThrow("queue unavailable");
    expect(await store.countQueued()).toBe(before);
  });
});
