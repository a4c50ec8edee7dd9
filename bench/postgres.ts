/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 for the bench, started the way
 * the test suite starts one (test/global-setup.ts: Debian's server binaries,
 * fsync off). Returns undefined when the binaries are not installed; the
 * PostgreSQL figures are then left out and the notes say so.
 */
import startTestCluster, { createPostgresDatabase } from "../test/global-setup.js";

export interface BenchPostgres {
  /** The superuser URL (for helpers that create their own databases, e.g. test/helpers/cluster.ts). */
  adminUrl: string;
  /** A new empty database on the cluster. */
  createDatabase(): Promise<string>;
  stop(): void;
}

export async function startPostgres(): Promise<BenchPostgres | { unavailable: string }> {
  let adminUrl: string | undefined;
  let stop: () => void;
  try {
    // The test setup hands its URL over through vitest's provide(); this stands in for it.
    const project = { provide: (_key: string, value: string) => (adminUrl = value) };
    stop = await startTestCluster(project as unknown as Parameters<typeof startTestCluster>[0]);
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
  }
  const admin = adminUrl!;
  return {
    adminUrl: admin,
    createDatabase: () => createPostgresDatabase(admin, "orch_bench"),
    stop,
  };
}
