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
import pg from "pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { ConfigError } from "../config/config-error.js";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.js";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.js";
import { listMigrationDirs, migrateDeploy } from "./migrate.js";

/** The client type orch codes against. Shared code avoids PostgreSQL-only query options. */
export type Db = PostgresClient;
export type Provider = "sqlite" | "postgresql";

const prismaDir = fileURLToPath(new URL("../../prisma/", import.meta.url));

/**
 * The provider DATABASE_URL names. Throws a ConfigError that says what a right
 * URL looks like when it names neither, names no file, or is a PostgreSQL URL
 * the driver could not parse (it would fail only later, at the first query).
 * The message never quotes more than the scheme: the URL may hold a password.
 */
export function getProvider(url: string): Provider {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // pg retries a URL with an empty host ("orch:pw@/orch", a Unix socket) with a placeholder host; so does this check.
    if (!URL.canParse(url) && !URL.canParse(url.replace("@/", "@localhost/"))) {
      throw databaseUrlError(
        "expected a PostgreSQL URL like postgresql://orch:password@localhost:5432/orch; got one that does not parse (percent-encode @, #, /, ? and : in the user name and password: @ is %40, # is %23)",
      );
    }
    return "postgresql";
  }
  if (url === "file:") throw databaseUrlError(`expected a file after "file:", like file:./data/orch.db; got "file:" alone`);
  if (url.startsWith("file:")) return "sqlite";
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0];
  const got = scheme ? `"${scheme}…"` : /^[./~]/.test(url) ? `a file path without "file:" in front` : "a value with no scheme";
  throw databaseUrlError(
    `expected file:<path> for SQLite (like file:./data/orch.db) or postgresql://<user>:<password>@<host>:<port>/<database> for PostgreSQL; got ${got}`,
  );
}

function databaseUrlError(problem: string): ConfigError {
  return new ConfigError("DATABASE_URL", [`DATABASE_URL: ${problem}`]);
}

function buildAdapterFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  if (getProvider(url) === "postgresql") return new PrismaPg({ connectionString: url });
  const file = url.slice("file:".length);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // `timeout` is SQLite's busy timeout: concurrent writers wait instead of failing.
  return new PrismaBetterSqlite3({ url, timeout: 10_000 });
}

function schemaDirOf(provider: Provider): string {
  return path.join(prismaDir, provider === "postgresql" ? "postgres" : "sqlite");
}

/** The migrations committed for `provider` (prisma/<provider>/migrations), oldest first: what migrateDatabase applies. */
export function listCommittedMigrations(provider: Provider): string[] {
  return listMigrationDirs(path.join(schemaDirOf(provider), "migrations"));
}

/** Brings the database at `url` up to the newest committed migration. */
export async function migrateDatabase(url: string): Promise<void> {
  const provider = getProvider(url);
  const schemaDir = schemaDirOf(provider);
  try {
    if (provider === "postgresql") await withMigrationLock(url, () => migrateDeploy({ factory: buildAdapterFactory(url), schemaDir }));
    else await migrateDeploy({ factory: buildAdapterFactory(url), schemaDir });
  } catch (error) {
    // The schema engine migrates SQLite with an exclusive lock and reports a held lock as a timeout.
    if (provider === "sqlite" && /SocketTimeout|SQLITE_BUSY|database is locked/i.test(String(error))) {
      throw new Error(
        `could not migrate ${url}: another process has the database open (a second orch, sqlite3, npm run db:deploy?). Stop it and start orch again.`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The committed migrations the database at `url` has not applied (by name,
 * oldest first), without applying any: for `orch doctor`. Throws when the
 * database cannot be reached. The caller checks a SQLite file exists first
 * (opening one creates it).
 */
export async function findPendingMigrations(url: string): Promise<string[]> {
  const provider = getProvider(url);
  const migrationsDir = path.join(prismaDir, provider === "postgresql" ? "postgres" : "sqlite", "migrations");
  const committed = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const db = await openDb(url);
  try {
    let applied: { migration_name: string }[];
    try {
      applied = await db.$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
    } catch (error) {
      // A database no orch has migrated yet.
      if (/no such table|does not exist/i.test(String(error))) return committed;
      throw error;
    }
    const names = new Set(applied.map((row) => row.migration_name));
    return committed.filter((name) => !names.has(name));
  } finally {
    await db.$disconnect();
  }
}

/** An arbitrary key of orch's own: the PostgreSQL advisory lock that orders migrations. */
const MIGRATION_LOCK = 7_104_002;

/**
 * Runs `migrate` while holding a session advisory lock, so hosts that start
 * together on one PostgreSQL database migrate it one after another: the
 * first applies what is new, the others then find nothing to apply.
 */
async function withMigrationLock(url: string, migrate: () => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate();
  } finally {
    // Ending the session releases the lock, even when the unlock is never reached.
    await client.end().catch(() => undefined);
  }
}

export interface OpenDbOptions {
  /**
   * Called with every SQL statement the client runs (Prisma's query events,
   * which are off otherwise). The bench counts queries with it.
   */
  onQuery?: (event: { query: string; durationMs: number }) => void;
}

/**
 * Columns no query reads unless it asks for them: an attempt's copied log
 * and verify tails are kilobytes, wanted only where the files are on another
 * host (attempts.ts findLogTail, findVerifyTail).
 */
const OMITTED = { attempt: { logTail: true, verifyTail: true } } as const;

/** Opens a client on `url`. The schema must already be migrated (see migrateDatabase). */
export async function openDb(url: string, options: OpenDbOptions = {}): Promise<Db> {
  const { onQuery } = options;
  const log = { omit: OMITTED, ...(onQuery ? { log: [{ emit: "event" as const, level: "query" as const }] } : {}) };
  if (getProvider(url) === "postgresql") {
    const client = new PostgresClient({ adapter: buildAdapterFactory(url) as PrismaPg, ...log });
    if (onQuery) watchQueries(client, onQuery);
    return client as unknown as Db;
  }
  const client = new SqliteClient({ adapter: buildAdapterFactory(url) as PrismaBetterSqlite3, ...log });
  if (onQuery) watchQueries(client, onQuery);
  // WAL lets readers go on while a writer commits.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  return client as unknown as Db;
}

function watchQueries(client: unknown, onQuery: NonNullable<OpenDbOptions["onQuery"]>): void {
  type QueryEvents = { $on(event: "query", callback: (event: { query: string; duration: number }) => void): void };
  (client as QueryEvents).$on("query", (event) => onQuery({ query: event.query, durationMs: event.duration }));
}
