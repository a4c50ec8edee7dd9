/**
 * orch's parts, put together once: store, repository cache, attempt
 * reporter, scheduler and the dispatch pipeline. The edge hands it plain
 * requests (handle); everything a request causes runs in the background,
 * which tests and shutdown wait on with whenIdle().
 *
 *   webhook → src/github/to-request.ts → Orch.handle → commands/handle-request.ts → the verb
 *   queued attempt → (its start job on the queue, src/queue/) → Scheduler → pipeline/run-attempt.ts → AttemptReporter
 *   start → HostLease (register, heartbeat) → pipeline/recover.ts (lost attempts, missed reports) → Scheduler.wake
 *   a council's attempts all ended → pipeline/judge-council.ts (its judge, once; then auto_pick) → pick-attempt.ts
 *
 * Which of these a host does follows its role (ORCH_ROLE): `web` handles
 * requests and reports but claims no attempt; `worker` claims attempts and
 * takes cancel and cleanup for the ones it holds; `all` does everything.
 */
import type { Logger } from "pino";
import { handleRequest, type RequestDeps } from "./commands/handle-request.js";
import type { CommandGitHub, OrchRequest } from "./commands/request.js";
import type { AttemptControls } from "./commands/verb.js";
import { createAttemptButtons } from "./commands/verbs/buttons.js";
import type { ServerConfig } from "./config/server-config.js";
import { NO_METRICS, type OrchMetrics } from "./metrics/metrics.js";
import { AttemptReporter } from "./pipeline/attempt-reporter.js";
import { Background } from "./pipeline/background.js";
import { cancelAttempt } from "./pipeline/cancel-attempt.js";
import { cleanupAttempt } from "./pipeline/cleanup-attempt.js";
import type { PipelineDeps, SandboxSettings } from "./pipeline/deps.js";
import type { ThreadAddress, ThreadGitHub } from "./pipeline/ports.js";
import { judgeCouncil, shuffleRandomly, type JudgeDeps } from "./pipeline/judge-council.js";
import { recoverLostAttempts, reconcileReports, releaseJudgingOf, startWaitingTasks } from "./pipeline/recover.js";
import { pickAttempt } from "./pipeline/pick-attempt.js";
import { reverifyAttempt } from "./pipeline/reverify-attempt.js";
import { runAttempt } from "./pipeline/run-attempt.js";
import { Scheduler } from "./pipeline/scheduler.js";
import { HostLease } from "./pipeline/host-lease.js";
import type { WorkQueue } from "./queue/work-queue.js";
import { createLocalQueue } from "./queue/local-queue.js";
import type { Redactor } from "./secrets/redactor.js";
import type { HostRole, Store } from "./store/store.js";
import { RepoCache } from "./workspace/repo-cache.js";
import { createAttemptUrl, type PageSettings } from "./web/page-token.js";

export interface OrchOptions {
  store: Store;
  config: ServerConfig;
  /** ORCH_HOME, absolute. */
  home: string;
  gitBaseUrl: string;
  /** This host's name, recorded on the attempts it runs. */
  host: string;
  /** ORCH_ROLE; default `all`. */
  role?: HostRole;
  /** How hosts hand each other work; default the one process's own (SQLite). Its `onQueued` must be the store's. */
  queue?: WorkQueue;
  env: NodeJS.ProcessEnv;
  /** What agents' sandboxes hide, and the bwrap start-up found. */
  sandbox: SandboxSettings;
  /** The one redactor for everything orch publishes, records or logs from an agent. */
  redactor: Redactor;
  log: Logger;
  github: (thread: ThreadAddress) => ThreadGitHub & CommandGitHub;
  /** Attempt pages: their links' secret and, with ORCH_PUBLIC_URL, where check runs and the status comment link to. */
  page?: PageSettings;
  /** The repository cache; made from `home` and `gitBaseUrl` unless given (a benchmark holds its fetches). */
  cache?: RepoCache;
  /** Where attempt and workspace durations go (/metrics); default nowhere. */
  metrics?: OrchMetrics;
  /** How the council's judge shuffles the candidates; a uniform random shuffle unless a test fixes the order. */
  shuffle?: <T>(items: readonly T[]) => T[];
}

/** How often reports GitHub missed are retried, and old deliveries forgotten. */
const RECONCILE_EVERY_MS = 5 * 60_000;
/** GitHub redelivers webhooks for a few days; remembering a week is plenty. */
const KEEP_DELIVERIES_MS = 7 * 24 * 3_600_000;

export class Orch {
  private readonly background = new Background();
  private readonly cache: RepoCache;
  private readonly pipeline: PipelineDeps;
  private readonly scheduler: Scheduler;
  private readonly requests: RequestDeps;
  private readonly queue: WorkQueue;
  private readonly hostLease: HostLease;
  private readonly role: HostRole;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private judgeTimer: NodeJS.Timeout | undefined;
  /** Stops the councils' judges running here when orch stops. */
  private readonly judges = new AbortController();
  private readonly judgeDeps: JudgeDeps;

  constructor(private readonly options: OrchOptions) {
    const { store, config, home, gitBaseUrl, host, env, log, github, sandbox, redactor } = options;
    const { background } = this;
    const role = (this.role = options.role ?? "all");
    const queue = (this.queue = options.queue ?? createLocalQueue());
    this.cache = options.cache ?? new RepoCache({ home, gitBaseUrl });
    const attemptUrl = createAttemptUrl(options.page);
    const reporter = new AttemptReporter({
      store,
      github,
      buttons: createAttemptButtons({ agentCount: Object.keys(config.agents).length }),
      home,
      host,
      background,
      log,
      ...(attemptUrl ? { attemptUrl } : {}),
    });
    this.pipeline = { store, config, cache: this.cache, github, reporter, home, env, sandbox, redactor, metrics: options.metrics ?? NO_METRICS, log };
    const pipeline = this.pipeline;
    const hostLease = (this.hostLease = new HostLease({
      store,
      host,
      role,
      ttlMs: config.scale.hostTtlMs,
      reporter,
      onFenced: async () => {
        this.scheduler.fence("this host was declared dead while it was away, so another host has the last word on its attempts");
      },
      onSlotsFreed: () => queue.announceFreeSlot(),
      background,
      log,
    }));
    this.scheduler = new Scheduler({
      store,
      limits: config.concurrency,
      host,
      lease: () => hostLease.lease(),
      claims: role !== "web",
      pipeline: {
        run: async (context, signal) => {
          await runAttempt(pipeline, context, signal);
          // The last of a council's attempts to end may make it ready for its judge.
          if (context.task.mode === "council") void this.judge({ threadId: context.thread.id, runId: context.run.id, taskId: context.task.id });
          // A slot is free: any host may start what waits (this one looks anyway, when the scheduler goes on).
          await queue.announceFreeSlot().catch((error: unknown) => log.warn({ err: error }, "could not announce a free slot"));
        },
      },
      background,
      log,
    });
    const scheduler = this.scheduler;
    const route = (target: string, message: Parameters<WorkQueue["sendControl"]>[1]) => queue.sendControl(target, message);
    const attempts: AttemptControls = {
      wake: () => scheduler.wake(),
      cancel: async (context, reason) => {
        const result = await cancelAttempt({ store, reporter, scheduler, host, route }, { context, reason });
        // A queued council attempt ends here, not in a pipeline: its siblings may all have ended now.
        if (context.task.mode === "council" && role !== "web") void this.judge({ threadId: context.thread.id, runId: context.run.id, taskId: context.task.id });
        return result;
      },
      whenSettled: (attemptId) => scheduler.whenSettled(attemptId),
      cleanup: (context) => cleanupAttempt({ store, cache: this.cache, reporter, host, route }, { context }),
      pick: (context) => pickAttempt({ ...pipeline, host, route }, { context }),
      verify: (context) => reverifyAttempt({ ...pipeline, host, route, background }, { context }),
      refreshStatus: (threadId) => reporter.refreshStatus(threadId),
      refreshStatusNow: (threadId) => reporter.refreshStatusNow(threadId),
    };
    this.requests = { store, config, attempts, github, log };
    this.judgeDeps = { ...pipeline, host, shuffle: options.shuffle ?? shuffleRandomly, pick: attempts.pick, signal: this.judges.signal };
  }

  /** Judges one council task if it is ready (judge-council.ts), in the background; a host that runs no agent leaves it to one that does. */
  private judge(task: { threadId: number; runId: number; taskId: number }): Promise<void> {
    const job = judgeCouncil(this.judgeDeps, task).catch((error: unknown) => this.options.log.error({ err: error, taskId: task.taskId }, "could not judge a council"));
    return this.background.track(job);
  }

  /**
   * Puts back the judging of hosts declared dead, then judges every council
   * task that waits for its judge (a report that was missed, a host that
   * stopped while judging). A host that runs no agent only does the first.
   */
  private async judgeWaitingCouncils(): Promise<void> {
    const { store, host } = this.options;
    const deadHosts = (await store.listHosts()).filter((record) => record.state === "dead" && record.id !== host);
    await releaseJudgingOf(this.pipeline, { hosts: deadHosts.map((record) => record.id) });
    if (this.role === "web") return;
    for (const task of await store.findCouncilsToJudge()) void this.judge(task);
  }

  /**
   * Takes a request off the webhook's path: the webhook is answered at once
   * and the request is handled in the background (handle-request.ts).
   */
  handle(request: OrchRequest): void {
    const { log } = this.options;
    const job = (async () => {
      // Started on the next turn of the event loop, so the webhook's 2xx goes out first.
      await new Promise((resolve) => setImmediate(resolve));
      await handleRequest(this.requests, request);
    })().catch((error: unknown) => log.error({ err: error, deliveryId: request.deliveryId, kind: request.kind }, "could not handle a request"));
    void this.background.track(job);
  }

  /**
   * Registers this host, recovers from a crash or restart (attempts this host
   * was running become `lost`), completes check runs GitHub missed, takes
   * work from the queue as its role says, then starts what is queued.
   */
  async start(): Promise<void> {
    const { log, host, store } = this.options;
    const { scheduler, role, cache } = this;
    await this.hostLease.start();
    // The turns to publish status comments that this host's previous process held when it stopped.
    await store.releaseStatusTurns({ hosts: [host], keep: this.pipeline.reporter.statusLease });
    await recoverLostAttempts(this.pipeline, { host });
    await releaseJudgingOf(this.pipeline, { hosts: [host] });
    const runsAgents = role !== "web";
    await this.queue.start({
      ...(runsAgents
        ? {
            start: async (attemptId) => {
              await scheduler.pumpNow();
              return (await store.findAttemptContext(attemptId))?.attempt.state !== "queued";
            },
            wake: () => scheduler.wake(),
            control: async (message) => {
              const context = await store.findAttemptContext(message.attemptId);
              if (!context) return;
              const { reporter } = this.pipeline;
              // Here, the attempt is ours: no routing further.
              if (message.kind === "cancel") {
                await cancelAttempt({ store, reporter, scheduler, host, route: async () => false }, { context, reason: message });
              } else if (message.kind === "verify") {
                await reverifyAttempt({ ...this.pipeline, host, background: this.background }, { context });
              } else {
                await cleanupAttempt({ store, cache, reporter }, { context });
              }
              reporter.refreshStatus(context.thread.id);
            },
          }
        : {}),
    }, log);
    scheduler.wake();
    await this.judgeWaitingCouncils();
    if (role === "worker") {
      // A worker does not reconcile, but it is where judges run.
      this.judgeTimer = setInterval(() => {
        this.background.track(this.judgeWaitingCouncils()).catch((error: unknown) => log.warn({ err: error }, "looking for councils to judge failed"));
      }, RECONCILE_EVERY_MS);
      this.judgeTimer.unref();
      return;
    }
    this.reconcileTimer = setInterval(() => {
      this.background.track(this.reconcile()).catch((error: unknown) => log.warn({ err: error }, "reconciling reports failed"));
    }, RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();
  }

  /** Completes check runs and status comments that GitHub missed, judges councils that wait; forgets old deliveries. Returns how many attempts it reported. */
  async reconcile(): Promise<number> {
    await this.options.store.pruneDeliveries({ before: new Date(Date.now() - KEEP_DELIVERIES_MS) });
    if ((await startWaitingTasks(this.pipeline)) > 0) this.scheduler.wake();
    await this.judgeWaitingCouncils();
    return reconcileReports(this.pipeline);
  }

  /** Resolves when no request, attempt, status refresh, spare checkout or worktree deletion is in flight. */
  async whenIdle(): Promise<void> {
    await this.background.whenIdle();
    await this.cache.whenIdle();
  }

  /** This host's last recorded heartbeat and the TTL it is judged by (for /healthz). */
  lastHeartbeat(): ReturnType<HostLease["lastBeat"]> {
    return this.hostLease.lastBeat();
  }

  /** Stops starting attempts, cancels the ones running here and waits for them to end. */
  async stop(): Promise<void> {
    clearInterval(this.reconcileTimer);
    clearInterval(this.judgeTimer);
    this.judges.abort();
    this.hostLease.stop();
    await this.scheduler.stop({ why: "orch was stopped" });
    await this.queue.stop();
    await this.cache.whenIdle();
  }
}
