/**
 * GET /healthz as a supervisor sees it (status and body), through the real
 * route (ops-routes.ts) on a real HTTP server, over real databases: a
 * migrated SQLite file, a PostgreSQL URL nothing listens on, and a host
 * lease whose clock says its last heartbeat is too old.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/databases.js";
import { createOpsRoutes } from "../github/ops-routes.js";
import { Background } from "../pipeline/background.js";
import { HostLease } from "../pipeline/host-lease.js";
import { listCommittedMigrations, openDb } from "../store/db.js";
import { createStore, type Store } from "../store/store.js";
import { HealthCheck } from "./health-check.js";

const TTL_MS = 60_000;
const committed = listCommittedMigrations("sqlite");
const newest = committed.at(-1)!;

let database: TestDatabase;
let store: Store;
let clock = Date.UTC(2026, 11, 1, 14, 0, 0);
const now = () => clock;
const servers: http.Server[] = [];

beforeAll(async () => {
  database = await createTestDatabase("sqlite");
  store = createStore({ db: database.db, provider: "sqlite" });
});
afterAll(async () => {
  await database?.close();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A started lease for host `h1` on `store`, beating by the test's clock. */
async function startedLease(): Promise<HostLease> {
  const lease = new HostLease({
    store,
    host: "h1",
    role: "all",
    ttlMs: TTL_MS,
    reporter: { complete: async () => undefined, refreshStatus: () => undefined },
    onFenced: async () => undefined,
    onSlotsFreed: async () => undefined,
    background: new Background(),
    log: pino({ level: "silent" }),
    now: () => new Date(clock),
  });
  await lease.start();
  lease.stop();
  return lease;
}

/** Serves /healthz for `health` and GETs it. */
async function getHealthz(health: HealthCheck, accept?: string): Promise<{ status: number; body: string; type: string | null }> {
  const routes = createOpsRoutes({ health, registry: new Registry() });
  const server = http.createServer((request, response) => {
    void routes(request, response).then((handled) => handled || response.writeHead(404).end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: accept ? { accept } : {} });
  return { status: response.status, body: await response.text(), type: response.headers.get("content-type") };
}

describe("GET /healthz", () => {
  it("answers 200 ok when the database answers, every migration is applied and the heartbeat is fresh", async () => {
    const lease = await startedLease();
    clock += 5_000;
    const health = new HealthCheck({ store, committedMigrations: committed, heartbeat: () => lease.lastBeat(), now });

    expect(await getHealthz(health)).toEqual({ status: 200, body: "ok", type: "text/plain; charset=utf-8" });
    const json = await getHealthz(health, "application/json");
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body)).toEqual({
      status: "ok",
      checks: {
        database: { ok: true, detail: expect.stringMatching(/^answered in \d+ ms$/) },
        migrations: { ok: true, detail: `all ${committed.length} applied` },
        heartbeat: { ok: true, detail: "last heartbeat 5 s ago (scale.host_ttl 60 s)" },
      },
    });
  });

  it("answers 503 naming the database when it refuses connections, without the URL or its password", async () => {
    const url = "postgresql://orch:hunter2-secret@127.0.0.1:1/orch";
    const down = createStore({ db: await openDb(url), provider: "postgresql" });
    const lease = await startedLease();
    const health = new HealthCheck({ store: down, committedMigrations: committed, heartbeat: () => lease.lastBeat(), now });
    try {
      const { status, body } = await getHealthz(health);
      expect(status).toBe(503);
      expect(body).toBe("database: the query failed (the server log has the error)\nmigrations: not checked: the database did not answer\n");
      expect(body).not.toMatch(/hunter2|orch@|127\.0\.0\.1/);
    } finally {
      await down.close();
    }
  });

  it("answers 503 naming the database when a query gets no answer in time", async () => {
    const lease = await startedLease();
    const hung = { pingDatabase: () => new Promise<void>(() => undefined), listAppliedMigrations: async () => [...committed] };
    const health = new HealthCheck({ store: hung, committedMigrations: committed, heartbeat: () => lease.lastBeat(), timeoutMs: 50, now });

    const { status, body } = await getHealthz(health);
    expect(status).toBe(503);
    expect(body).toBe("database: no answer from the database within 50 ms\nmigrations: not checked: the database did not answer\n");
  });

  it("answers 503 naming a committed migration the database has not recorded", async () => {
    const lease = await startedLease();
    const other = await createTestDatabase("sqlite");
    try {
      // As a database restored from a backup older than this orch would be.
      await other.db.$executeRawUnsafe(`DELETE FROM _prisma_migrations WHERE migration_name = '${newest}'`);
      const health = new HealthCheck({ store: createStore({ db: other.db, provider: "sqlite" }), committedMigrations: committed, heartbeat: () => lease.lastBeat(), now });

      const { status, body } = await getHealthz(health);
      expect(status).toBe(503);
      expect(body).toBe(`migrations: not applied: ${newest} (restart orch to apply them, or npm run db:deploy)\n`);
      const json = JSON.parse((await getHealthz(health, "application/json")).body);
      expect(json).toMatchObject({ status: "unhealthy", checks: { database: { ok: true }, migrations: { ok: false }, heartbeat: { ok: true } } });
    } finally {
      await other.close();
    }
  });

  it("answers 503 when the last heartbeat is older than scale.host_ttl, and 200 again after the next beat", async () => {
    const lease = await startedLease();
    const health = new HealthCheck({ store, committedMigrations: committed, heartbeat: () => lease.lastBeat(), now });
    clock += TTL_MS + 5_000;

    const { status, body } = await getHealthz(health);
    expect(status).toBe(503);
    expect(body).toBe("heartbeat: last heartbeat 65 s ago, longer than scale.host_ttl (60 s): other hosts declare this one dead\n");

    await lease.beat();
    expect(await getHealthz(health)).toMatchObject({ status: 200, body: "ok" });
  });

  it("answers 503 while orch has not started its heartbeat", async () => {
    const health = new HealthCheck({ store, committedMigrations: committed, heartbeat: () => undefined, now });
    expect(await getHealthz(health)).toMatchObject({ status: 503, body: "heartbeat: none yet: orch is still starting\n" });
  });
});
