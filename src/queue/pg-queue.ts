/**
 * The queue of hosts sharing PostgreSQL: pg-boss 10 (in its own schema,
 * `pgboss`) for durable jobs, and LISTEN/NOTIFY so a host hears of new work
 * at once instead of at its next poll.
 *
 *   attempt-start    one job per queued attempt, sent in the transaction
 *                    that queues it. Any host that runs agents takes it; the
 *                    job is short (claim, then the pipeline runs outside it)
 *                    and comes back every RETRY_SECONDS while its attempt
 *                    waits for a slot.
 *   control-<host>   cancel and cleanup for the attempts one host holds.
 *   orch_work        NOTIFY: new attempts, or a slot freed; every host that
 *                    runs agents looks at once.
 *   orch_control     NOTIFY with a host id: that host fetches its control jobs.
 *
 * The jobs hold no lease and no agent: the attempt's row does (store/hosts.ts),
 * so a worker killed mid-job loses nothing but a claim it had not made.
 */
import pg from "pg";
import PgBoss from "pg-boss";
import type { Logger } from "pino";
import type { SqlExecutor } from "../store/store.js";
import type { ControlMessage, QueueHandlers, WorkQueue } from "./work-queue.js";

const START_QUEUE = "attempt-start";
const WORK_CHANNEL = "orch_work";
const CONTROL_CHANNEL = "orch_control";
/** How long a queued attempt's job waits before it is offered again (a slot may have freed without a NOTIFY reaching us). */
const RETRY_SECONDS = 5;
/** An arbitrary key of orch's own: the advisory lock hosts take turns creating queues under. */
const CREATE_QUEUE_LOCK = 7_104_003;
/** Polling is the fallback; NOTIFY does the waking. */
const POLL_SECONDS = 2;

/** pg-boss queue names take letters, digits, `_` and `-`, as host ids do. */
export function controlQueueOf(host: string): string {
  return `control-${host}`;
}

export function createPgQueue(params: { connectionString: string; host: string }): WorkQueue {
  const { connectionString, host } = params;
  const boss = new PgBoss({ connectionString, schema: "pgboss", max: 4, maintenanceIntervalSeconds: 30, monitorStateIntervalSeconds: 60 });
  let log: Pick<Logger, "warn"> = { warn: (...args: unknown[]) => console.warn(...args) };
  boss.on("error", (error) => log.warn({ err: error }, "pg-boss reported an error"));
  let handlers: QueueHandlers = {};
  const workers: { start?: string; control?: string } = {};
  let listener: pg.Client | undefined;
  let stopped = false;
  const knownQueues = new Set<string>();

  /**
   * Creates a queue unless it exists. pg-boss's create_queue deadlocks when two
   * hosts create queues at once (each attaches a partition with a foreign key
   * to the same table), so hosts take turns under an advisory lock.
   */
  const ensureQueue = async (name: string, options: PgBoss.Queue | Omit<PgBoss.Queue, "name"> = {}) => {
    if (knownQueues.has(name)) return;
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [CREATE_QUEUE_LOCK]);
      await boss.createQueue(name, { name, ...options });
    } finally {
      // Ending the session releases the lock.
      await client.end().catch(() => undefined);
    }
    knownQueues.add(name);
  };

  const notify = async (channel: string, payload: string, sql?: SqlExecutor) => {
    // pg_notify returns void, which Prisma's raw queries cannot read back: select a constant instead.
    const text = "SELECT 1 AS sent FROM (SELECT pg_notify($1, $2)) AS notified";
    if (sql) await sql.executeSql(text, [channel, payload]);
    else await boss.getDb().executeSql(text, [channel, payload]);
  };

  /** One connection that only listens; it reconnects when the database drops it. */
  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString });
    client.on("notification", (message) => {
      if (message.channel === WORK_CHANNEL) {
        if (workers.start) boss.notifyWorker(workers.start);
        handlers.wake?.();
      } else if (message.channel === CONTROL_CHANNEL && message.payload === host && workers.control) {
        boss.notifyWorker(workers.control);
      }
    });
    client.on("error", (error) => {
      log.warn({ err: error }, "the LISTEN connection failed; reconnecting");
      void client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      if (!stopped) setTimeout(() => void listen().catch((e: unknown) => log.warn({ err: e }, "could not LISTEN")), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${WORK_CHANNEL}`);
    await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    listener = client;
  };

  return {
    async onQueued(sql, attemptIds) {
      for (const attemptId of attemptIds) {
        await boss.send(START_QUEUE, { attemptId }, { db: sql });
      }
      // Delivered when the transaction commits, and not at all if it rolls back.
      await notify(WORK_CHANNEL, "queued", sql);
    },

    async start(given, logger) {
      handlers = given;
      log = logger;
      await boss.start();
      await ensureQueue(START_QUEUE, { retryLimit: 1_000_000, retryDelay: RETRY_SECONDS, expireInSeconds: 15 * 60, retentionMinutes: 24 * 60 });
      await listen();
      const { start, control } = given;
      if (start) {
        workers.start = await boss.work<{ attemptId: number }>(START_QUEUE, { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS }, async ([job]) => {
          if (!job) return;
          // Still queued: throw, and pg-boss offers the job again in RETRY_SECONDS.
          if (!(await start(job.data.attemptId))) throw new Error(`attempt ${job.data.attemptId} is still waiting for a slot`);
        });
      }
      if (control) {
        await ensureQueue(controlQueueOf(host), { retryLimit: 3, retryDelay: 1, expireInSeconds: 5 * 60, retentionMinutes: 24 * 60 });
        workers.control = await boss.work<ControlMessage>(controlQueueOf(host), { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS }, async ([job]) => {
          if (job) await control(job.data);
        });
      }
    },

    async sendControl(target, message) {
      const queue = controlQueueOf(target);
      await ensureQueue(queue, { retryLimit: 3, retryDelay: 1, expireInSeconds: 5 * 60, retentionMinutes: 24 * 60 });
      await boss.send(queue, message);
      await notify(CONTROL_CHANNEL, target);
      return true;
    },

    async announceFreeSlot() {
      await notify(WORK_CHANNEL, "free");
    },

    async stop() {
      stopped = true;
      handlers = {};
      await listener?.end().catch(() => undefined);
      listener = undefined;
      // Without wait, stop() resolves before pg-boss's pool is closed; with it, before its timers end.
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
    },
  };
}
