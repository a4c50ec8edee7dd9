/**
 * Fresh, migrated databases for tests: a temporary SQLite file, or a new
 * database on the test run's PostgreSQL cluster (see test/global-setup.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { createPostgresDatabase } from "../global-setup.js";
import { migrateDatabase, openDb, type Db, type Provider } from "../../src/store/db.js";

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
