/**
 * The PostgreSQL queue between hosts, on a real database of the test run's
 * cluster: pg-boss jobs written in the store's own transaction, and
 * NOTIFY-driven delivery to the right host.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/databases.js";
import { createStore, type OnQueued, type Store } from "../store/store.js";
import { createPgQueue } from "./pg-queue.js";
import type { ControlMessage, WorkQueue } from "./work-queue.js";

const log = pino({ level: "silent" });

describe("the PostgreSQL queue", () => {
  let database: TestDatabase;
  let hostA: WorkQueue;
  let hostB: WorkQueue;
  let store: Store;
  /** Runs after the queue's own onQueued in the store's transaction: a failure here rolls both back. */
  let afterQueued: OnQueued = async () => {};
  const started: { host: string; attemptId: number }[] = [];
  const controls: { host: string; message: ControlMessage }[] = [];
  let woken = 0;
  let nextNumber = 1;

  beforeAll(async () => {
    database = await createTestDatabase("postgresql");
    hostA = createPgQueue({ connectionString: database.url, host: "host-a" });
    hostB = createPgQueue({ connectionString: database.url, host: "host-b" });
    store = createStore({
      db: database.db,
      provider: "postgresql",
      onQueued: async (sql, ids) => {
        await hostA.onQueued!(sql, ids);
        await afterQueued(sql, ids);
      },
    });
    // host-a is a web host: it takes no start jobs. host-b runs agents.
    await hostA.start({ control: async (message) => void controls.push({ host: "host-a", message }) }, log);
    await hostB.start(
      {
        start: async (attemptId) => {
          started.push({ host: "host-b", attemptId });
          return true;
        },
        wake: () => void (woken += 1),
        control: async (message) => void controls.push({ host: "host-b", message }),
      },
      log,
    );
  });
  afterAll(async () => {
    await hostA?.stop();
    await hostB?.stop();
    await database?.close();
  });

  async function dispatch() {
    const number = nextNumber++;
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "widgets", number, kind: "issue", title: "t", url: "u" });
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

  async function waitFor(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function jobsFor(attemptId: number): Promise<number> {
    const rows = await database.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'attempt-start' AND (data->>'attemptId')::int = $1`,
      attemptId,
    );
    return rows[0]!.n;
  }

  it("hands a queued attempt to a host that runs agents, and wakes it by NOTIFY", async () => {
    const wokenBefore = woken;
    const attempt = await dispatch();
    await waitFor(() => started.some((s) => s.attemptId === attempt.id), "the start job");
    const [job] = started.filter((s) => s.attemptId === attempt.id);
    expect(job!.host).toBe("host-b");
    expect(woken).toBeGreaterThan(wokenBefore);
    expect(await jobsFor(attempt.id)).toBe(1);
  });

  it("writes no job when the transaction that queues the attempt rolls back", async () => {
    const before = await store.countQueued();
    afterQueued = async () => {
      throw new Error("the intake failed after queueing");
    };
    try {
      await expect(dispatch()).rejects.toThrow("the intake failed after queueing");
    } finally {
      afterQueued = async () => {};
    }
    expect(await store.countQueued()).toBe(before);
    const rows = await database.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'attempt-start' AND NOT ((data->>'attemptId')::int IN (SELECT id FROM "Attempt"))`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it("sends a control message to the one host it names", async () => {
    expect(await hostA.sendControl("host-b", { kind: "cancel", attemptId: 41, why: "cancelled by @octocat" })).toBe(true);
    expect(await hostB.sendControl("host-a", { kind: "cleanup", attemptId: 42 })).toBe(true);
    await waitFor(() => controls.length >= 2, "both control messages");
    expect(controls).toEqual(
      expect.arrayContaining([
        { host: "host-b", message: { kind: "cancel", attemptId: 41, why: "cancelled by @octocat" } },
        { host: "host-a", message: { kind: "cleanup", attemptId: 42 } },
      ]),
    );
    expect(controls).toHaveLength(2);
  });

  it("tells every host that a slot freed", async () => {
    const before = woken;
    await hostA.announceFreeSlot();
    await waitFor(() => woken > before, "the wake-up");
  });
});
