/**
 * What GET /healthz answers: is this host fit to keep running, as a
 * supervisor or load balancer polling every few seconds would ask.
 *
 *   database    a trivial query answers within `timeoutMs` (default 2 s)
 *   migrations  every migration committed with this orch is recorded finished
 *               in `_prisma_migrations` (a database restored from an older
 *               backup is not); a pass is kept for `migrationsCacheMs`
 *   heartbeat   this host's last recorded heartbeat is younger than
 *               scale.host_ttl, the age at which other hosts declare it dead
 *
 * A check never throws and never repeats a driver's error text (it may name
 * hosts or users): the detail says what failed, the log has the error. A ping
 * still in flight is shared by the next polls, so a hung database does not
 * pile queries up.
 */
import type { Store } from "../store/store.js";

/** Where a change of health is said: a pino Logger fits, and so does main's console. */
export interface HealthLog {
  warn(fields: { err?: unknown }, message: string): void;
  info(message: string): void;
}

export type HealthCheckName = "database" | "migrations" | "heartbeat";

export interface HealthCheckResult {
  name: HealthCheckName;
  ok: boolean;
  /** One short line: "answered in 3 ms", "not applied: 20261201155536_council", … */
  detail: string;
}

export interface HealthReport {
  ok: boolean;
  checks: HealthCheckResult[];
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_MIGRATIONS_CACHE_MS = 60_000;

export class HealthCheck {
  private pinging: Promise<void> | undefined;
  private migrationsPassedAt: number | undefined;
  /** Names of the checks that failed at the last poll, to log changes only. */
  private lastFailing = "";
  /** The driver's errors of this poll, for the log (never for the body). */
  private errors: unknown[] = [];

  constructor(
    private readonly deps: {
      store: Pick<Store, "pingDatabase" | "listAppliedMigrations">;
      /** The migration folders this orch ships (db.ts listCommittedMigrations). */
      committedMigrations: readonly string[];
      /** This host's last heartbeat and its TTL; undefined while orch is starting. */
      heartbeat: () => { at: Date | undefined; ttlMs: number } | undefined;
      timeoutMs?: number;
      migrationsCacheMs?: number;
      log?: HealthLog;
      now?: () => number;
    },
  ) {}

  async check(): Promise<HealthReport> {
    this.errors = [];
    const database = await this.checkDatabase();
    const migrations: HealthCheckResult = database.ok
      ? await this.checkMigrations()
      : { name: "migrations", ok: false, detail: "not checked: the database did not answer" };
    const checks = [database, migrations, this.checkHeartbeat()];
    const report = { ok: checks.every((check) => check.ok), checks };
    this.logChange(report);
    return report;
  }

  private async checkDatabase(): Promise<HealthCheckResult> {
    const started = this.now();
    this.pinging ??= this.deps.store.pingDatabase().finally(() => (this.pinging = undefined));
    try {
      await this.withTimeout(this.pinging);
      return { name: "database", ok: true, detail: `answered in ${Math.round(this.now() - started)} ms` };
    } catch (error) {
      return { name: "database", ok: false, detail: this.describeFailure({ what: "the database", failed: "the query failed" }, error) };
    }
  }

  private async checkMigrations(): Promise<HealthCheckResult> {
    const { committedMigrations } = this.deps;
    const cacheMs = this.deps.migrationsCacheMs ?? DEFAULT_MIGRATIONS_CACHE_MS;
    const passed = { name: "migrations" as const, ok: true, detail: `all ${committedMigrations.length} applied` };
    if (this.migrationsPassedAt !== undefined && this.now() - this.migrationsPassedAt < cacheMs) return passed;
    let applied: Set<string>;
    try {
      applied = new Set(await this.withTimeout(this.deps.store.listAppliedMigrations()));
    } catch (error) {
      return { name: "migrations", ok: false, detail: this.describeFailure({ what: "_prisma_migrations", failed: "could not read _prisma_migrations" }, error) };
    }
    const missing = committedMigrations.filter((name) => !applied.has(name));
    if (missing.length === 0) {
      this.migrationsPassedAt = this.now();
      return passed;
    }
    this.migrationsPassedAt = undefined;
    const listed = missing.slice(0, 5).join(", ") + (missing.length > 5 ? `, and ${missing.length - 5} more` : "");
    return { name: "migrations", ok: false, detail: `not applied: ${listed} (restart orch to apply them, or npm run db:deploy)` };
  }

  private checkHeartbeat(): HealthCheckResult {
    const beat = this.deps.heartbeat();
    if (!beat?.at) return { name: "heartbeat", ok: false, detail: "none yet: orch is still starting" };
    const ageMs = this.now() - beat.at.getTime();
    const age = `last heartbeat ${seconds(ageMs)} ago`;
    if (ageMs > beat.ttlMs) return { name: "heartbeat", ok: false, detail: `${age}, longer than scale.host_ttl (${seconds(beat.ttlMs)}): other hosts declare this one dead` };
    return { name: "heartbeat", ok: true, detail: `${age} (scale.host_ttl ${seconds(beat.ttlMs)})` };
  }

  /** "no answer from the database within 2000 ms", or "the query failed (the server log has the error)". */
  private describeFailure(params: { what: string; failed: string }, error: unknown): string {
    if (error instanceof HealthTimeout) return `no answer from ${params.what} within ${error.ms} ms`;
    this.errors.push(error);
    return `${params.failed} (the server log has the error)`;
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HealthTimeout(ms)), ms);
      timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** Says so when the set of failing checks changes (unhealthy, recovered), not at every poll. */
  private logChange(report: HealthReport): void {
    const failing = report.checks.filter((check) => !check.ok);
    const names = failing.map((check) => check.name).join(",");
    if (names === this.lastFailing) return;
    this.lastFailing = names;
    if (failing.length === 0) {
      this.deps.log?.info("/healthz: healthy again");
      return;
    }
    const err = this.errors[0];
    this.deps.log?.warn({ ...(err === undefined ? {} : { err }) }, `/healthz: unhealthy: ${failing.map((check) => `${check.name}: ${check.detail}`).join("; ")}`);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

class HealthTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
