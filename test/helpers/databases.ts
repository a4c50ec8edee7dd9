/**
 * Fresh, migrated databases for tests: a temporary SQLite file, or a new
 * database on the test run's PostgreSQL cluster (see test/global-setup.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { createPostgresDatabase } from "../global-setup.js";
import { migrateDatabase, openDb, type Db, type Provider } from "../../src/store/db.js";
import { createStore, type OnQueued, type Store } from "../../src/store/store.js";

export const PROVIDERS: readonly Provider[] = ["sqlite", "postgresql"];

export interface TestDatabase {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/**
 * A new empty database URL of the given provider, not yet migrated. SQLite
 * files go in `dir` (the caller's temp dir, removed with it) or a temp dir
 * of their own.
 */
export async function createDatabaseUrl(provider: Provider, dir?: string): Promise<string> {
  if (provider === "sqlite") {
    const parent = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "orch-sqlite-"));
    return `file:${path.join(parent, "orch.db")}`;
  }
  return createPostgresDatabase(inject("pgAdminUrl"), "orch_test");
}

/** A new migrated database with an open client. */
export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const url = await createDatabaseUrl(provider);
  await migrateDatabase(url);
  const db = await openDb(url);
  return {
    url,
    db,
    async close() {
      await db.$disconnect();
      if (provider === "sqlite") fs.rmSync(path.dirname(url.slice("file:".length)), { recursive: true, force: true });
    },
  };
}

/**
 * For the describe block it is called in: a store on a fresh migrated
 * database of `provider`, opened before the block's first test and closed
 * after its last. The store it returns forwards to that one, so read it in
 * tests and helpers, not while the tests are collected.
 */
export function useTestStore(provider: Provider, options: { onQueued?: OnQueued } = {}): Store {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    store = createStore({ db: database.db, provider, ...options });
  });
  afterAll(async () => {
    await database?.close();
  });
  return new Proxy({} as Store, {
    get(_target, key) {
      if (!store) throw new Error("useTestStore: the store opens before the block's first test; use it inside a test");
      return Reflect.get(store, key);
    },
  });
}
