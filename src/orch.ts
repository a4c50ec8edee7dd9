/**
 * orch's parts, put together once: store, repository cache, attempt
 * reporter, scheduler and the dispatch pipeline. The edge hands it plain
 * requests (handle); everything a request causes runs in the background,
 * which tests and shutdown wait on with whenIdle().
 *
 *   webhook → src/github/to-request.ts → Orch.handle → commands/handle-request.ts → the verb
 *   queued attempt → Scheduler → pipeline/run-attempt.ts → AttemptReporter
 *   start → pipeline/recover.ts (lost attempts, missed reports) → Scheduler.wake
 */
import type { Logger } from "pino";
import { handleRequest, type RequestDeps } from "./commands/handle-request.js";
import type { CommandGitHub, OrchRequest } from "./commands/request.js";
import type { AttemptControls } from "./commands/verb.js";
import { createAttemptButtons } from "./commands/verbs/buttons.js";
import type { ServerConfig } from "./config/server-config.js";
import { AttemptReporter } from "./pipeline/attempt-reporter.js";
import { Background } from "./pipeline/background.js";
import { cancelAttempt } from "./pipeline/cancel-attempt.js";
import { cleanupAttempt } from "./pipeline/cleanup-attempt.js";
import type { PipelineDeps, SandboxSettings } from "./pipeline/deps.js";
import type { ThreadAddress, ThreadGitHub } from "./pipeline/ports.js";
import { recoverLostAttempts, reconcileReports } from "./pipeline/recover.js";
import { runAttempt } from "./pipeline/run-attempt.js";
import { Scheduler } from "./pipeline/scheduler.js";
import type { Redactor } from "./secrets/redactor.js";
import type { Store } from "./store/store.js";
import { RepoCache } from "./workspace/repo-cache.js";

export interface OrchOptions {
  store: Store;
  config: ServerConfig;
  /** ORCH_HOME, absolute. */
  home: string;
  gitBaseUrl: string;
  /** This host's name, recorded on the attempts it runs. */
  host: string;
  env: NodeJS.ProcessEnv;
  /** What agents' sandboxes hide, and the bwrap start-up found. */
  sandbox: SandboxSettings;
  /** The one redactor for everything orch publishes, records or logs from an agent. */
  redactor: Redactor;
  log: Logger;
  github: (thread: ThreadAddress) => ThreadGitHub & CommandGitHub;
  /** The repository cache; made from `home` and `gitBaseUrl` unless given (a benchmark holds its fetches). */
  cache?: RepoCache;
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
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OrchOptions) {
    const { store, config, home, gitBaseUrl, host, env, log, github, sandbox, redactor } = options;
    const { background } = this;
    this.cache = options.cache ?? new RepoCache({ home, gitBaseUrl });
    const reporter = new AttemptReporter({ store, github, buttons: createAttemptButtons({ agentCount: Object.keys(config.agents).length }), home, background, log });
    this.pipeline = { store, config, cache: this.cache, github, reporter, home, env, sandbox, redactor, log };
    const pipeline = this.pipeline;
    this.scheduler = new Scheduler({
      store,
      limits: config.concurrency,
      host,
      pipeline: { run: (context, signal) => runAttempt(pipeline, context, signal) },
      background,
      log,
    });
    const scheduler = this.scheduler;
    const attempts: AttemptControls = {
      wake: () => scheduler.wake(),
      cancel: (context, reason) => cancelAttempt({ store, reporter, scheduler }, { context, reason }),
      whenSettled: (attemptId) => scheduler.whenSettled(attemptId),
      cleanup: (context) => cleanupAttempt({ store, cache: this.cache, reporter }, { context }),
      refreshStatus: (threadId) => reporter.refreshStatus(threadId),
      refreshStatusNow: (threadId) => reporter.refreshStatusNow(threadId),
    };
    this.requests = { store, config, attempts, github, log };
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
   * Recovers from a crash or restart (attempts this host was running become
   * `lost`), completes check runs GitHub missed, then starts what is queued.
   */
  async start(): Promise<void> {
    const { log, host } = this.options;
    await recoverLostAttempts(this.pipeline, { host });
    this.scheduler.wake();
    this.reconcileTimer = setInterval(() => {
      this.background.track(this.reconcile()).catch((error: unknown) => log.warn({ err: error }, "reconciling reports failed"));
    }, RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();
  }

  /** Completes check runs and status comments that GitHub missed; forgets old deliveries. Returns how many attempts it reported. */
  async reconcile(): Promise<number> {
    await this.options.store.pruneDeliveries({ before: new Date(Date.now() - KEEP_DELIVERIES_MS) });
    return reconcileReports(this.pipeline);
  }

  /** Resolves when no request, attempt, status refresh, spare checkout or worktree deletion is in flight. */
  async whenIdle(): Promise<void> {
    await this.background.whenIdle();
    await this.cache.whenIdle();
  }

  /** Stops starting attempts, cancels the ones running here and waits for them to end. */
  async stop(): Promise<void> {
    clearInterval(this.reconcileTimer);
    await this.scheduler.stop({ why: "orch was stopped" });
    await this.cache.whenIdle();
  }
}
