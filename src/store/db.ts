/**
 * Opens orch's database from a URL: `file:…` is SQLite (the embedded default),
 * `postgres://` or `postgresql://` is PostgreSQL. Both run the same code through
 * Prisma driver adapters; each provider has its own generated client because a
 * client refuses the other provider's adapter.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.js";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.js";
import { migrateDeploy } from "./migrate.js";

/** The client type orch codes against. Shared code avoids PostgreSQL-only query options. */
export type Db = PostgresClient;
export type Provider = "sqlite" | "postgresql";

const prismaDir = fileURLToPath(new URL("../../prisma/", import.meta.url));

export function getProvider(url: string): Provider {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(
    `DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL); got "${url.split(":")[0]}:…"`,
  );
}

function buildAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  if (getProvider(url) === "postgresql") return new PrismaPg({ connectionString: url });
  const file = url.slice("file:".length);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // `timeout` is SQLite's busy timeout: concurrent writers wait instead of failing.
  return new PrismaBetterSqlite3({ url, timeout: 10_000 });
}

/** Brings the database at `url` up to the newest committed migration. */
export async function migrateDatabase(url: string): Promise<void> {
  const provider = getProvider(url);
  const schemaDir = path.join(prismaDir, provider === "postgresql" ? "postgres" : "sqlite");
  await migrateDeploy({ factory: buildAdapterFactory(url), schemaDir });
}

/** Opens a client on `url`. The schema must already be migrated (see migrateDatabase). */
export async function openDb(url: string): Promise<Db> {
  if (getProvider(url) === "postgresql") return new PostgresClient({ adapter: buildAdapterFactory(url) as PrismaPg });
  const client = new SqliteClient({ adapter: buildAdapterFactory(url) as PrismaBetterSqlite3 });
  // WAL lets readers go on while a writer commits.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  return client as unknown as Db;
}
