/**
 * What /healthz asks the database: does it answer at all, and which
 * migrations has it recorded as applied. Prisma's `_prisma_migrations`
 * table has the same name and columns on SQLite and PostgreSQL (see
 * migrate.ts, which writes it through Prisma's schema engine).
 */
import type { Db } from "./db.js";

/** Resolves when the database answers a trivial query; rejects with the driver's error otherwise. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRawUnsafe("SELECT 1");
}

/** Names of the migrations that finished and were not rolled back, e.g. "20261125041554_init". */
export async function listAppliedMigrations(db: Db): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
    "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
  );
  return rows.map((row) => row.migration_name);
}
