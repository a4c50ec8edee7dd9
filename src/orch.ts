/**
 * orch's parts, put together once: store, repository cache, status reporter,
 * scheduler and pipeline. The webhook edge hands it plain requests; tests and
 * shutdown wait on it with whenIdle().
 */
import type { Logger } from "pino";
import type { CommandContext, CommandGitHub, CommandRequest, OrchDeps } from "./commands/context.js";
import { executeCommands } from "./commands/execute.js";
import type { ParseResult } from "./commands/parse.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfig, renderRepoConfigProblems, type RepoConfig } from "./config/repo-config.js";
import type { ServerConfig } from "./config/server-config.js";
import type { SandboxSettings } from "./pipeline/deps.js";
import type { ThreadAddress, ThreadGitHub } from "./pipeline/ports.js";
import { recoverLostAttempts, reconcileReports } from "./pipeline/recover.js";
import { runAttempt } from "./pipeline/run-attempt.js";
import { Scheduler } from "./pipeline/scheduler.js";
import { StatusReporter } from "./pipeline/status-reporter.js";
import type { Redactor } from "./secrets/redactor.js";
import type { Store } from "./store/store.js";
import { isSafeRepoName } from "./workspace/branch-name.js";
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
}

/** Work one webhook asks for, as the edge hands it over. */
export interface OrchRequest {
  deliveryId: string;
  event: string;
  request: CommandRequest;
  /** Reads `.github/orch.yml` (Probot's context.config); null when there is none. */
  readRepoConfig: () => Promise<unknown>;
  /** Runs once the delivery is recorded as new, with the repository's config. */
  work: (ctx: CommandContext) => Promise<void>;
}

/** How often reports GitHub missed are retried, and old deliveries forgotten. */
const RECONCILE_EVERY_MS = 5 * 60_000;
/** GitHub redelivers webhooks for a few days; remembering a week is plenty. */
const KEEP_DELIVERIES_MS = 7 * 24 * 3_600_000;

export class Orch {
  readonly deps: OrchDeps;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OrchOptions) {
    const { store, config, home, gitBaseUrl, host, env, log, github, sandbox, redactor } = options;
    const cache = new RepoCache({ home, gitBaseUrl });
    const status = new StatusReporter({ store, github, log });
    const pipeline = { store, config, cache, github, status, home, env, sandbox, redactor, log };
    const scheduler = new Scheduler({
      store,
      limits: config.concurrency,
      host,
      log,
      runAttempt: (context, signal) => runAttempt(pipeline, context, signal),
    });
    this.deps = { ...pipeline, scheduler };
  }

  /**
   * Takes a webhook's work off the request path: the webhook is answered at
   * once and the work runs in the background. A delivery already recorded
   * (GitHub redelivers, or the same one arrives twice) does nothing.
   */
  accept(params: OrchRequest): void {
    const { deliveryId, event, request, readRepoConfig, work } = params;
    const { store, scheduler, log } = this.deps;
    if (!isSafeRepoName(request.owner, request.repo)) {
      // GitHub never sends such names; a forged or broken payload gets nothing.
      log.warn({ deliveryId, event }, "skip: repository name orch would not use in a path");
      return;
    }
    // Started on the next turn of the event loop, so the webhook's 2xx goes out first.
    const job = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (!(await store.recordDelivery({ id: deliveryId, event }))) {
        log.debug({ deliveryId }, "skip: delivery already handled");
        return;
      }
      const api = this.options.github({ installationId: request.installationId, owner: request.owner, repo: request.repo, number: request.thread.number });
      const repoConfig = await this.loadRepoConfig({ api, readRepoConfig, repo: `${request.owner}/${request.repo}` });
      await work({ deps: this.deps, api, request, repoConfig });
    })().catch((error: unknown) => log.error({ err: error, deliveryId, event }, "could not handle a webhook"));
    scheduler.track(job);
  }

  /** Runs parsed comment commands (or a button press made into one). */
  commands(results: ParseResult[]): (ctx: CommandContext) => Promise<void> {
    return (ctx) => executeCommands(ctx, { results, minPermission: ctx.repoConfig.minPermission });
  }

  /** The repository's config, or the defaults (and a reply naming the bad keys) when it is invalid. */
  private async loadRepoConfig(params: { api: CommandGitHub; readRepoConfig: () => Promise<unknown>; repo: string }): Promise<RepoConfig> {
    const { api, readRepoConfig, repo } = params;
    const { config, log } = this.deps;
    let raw: unknown;
    try {
      raw = await readRepoConfig();
    } catch (error) {
      // Probot's config reader throws on YAML it cannot parse (and on API faults).
      const message = error instanceof Error ? error.message : String(error);
      if (!/could not be parsed|invalid YAML|YAML/i.test(message)) {
        log.warn({ err: error, repo }, "could not read .github/orch.yml; using the defaults");
        return DEFAULT_REPO_CONFIG;
      }
      await api.reply(renderRepoConfigProblems(["it is not valid YAML"]));
      return DEFAULT_REPO_CONFIG;
    }
    const result = parseRepoConfig(raw, Object.keys(config.agents));
    if (result.problems.length) {
      log.info({ repo, problems: result.problems }, "invalid .github/orch.yml");
      await api.reply(renderRepoConfigProblems(result.problems));
    }
    return result.config;
  }

  /**
   * Recovers from a crash or restart (attempts this host was running become
   * `lost`), completes check runs GitHub missed, then starts what is queued.
   */
  async start(): Promise<void> {
    const { scheduler, log } = this.deps;
    await recoverLostAttempts(this.deps, { host: this.options.host });
    scheduler.wake();
    this.reconcileTimer = setInterval(() => {
      scheduler.track(this.reconcile()).catch((error: unknown) => log.warn({ err: error }, "reconciling reports failed"));
    }, RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();
  }

  /** Completes check runs and status comments that GitHub missed; forgets old deliveries. */
  async reconcile(): Promise<number> {
    await this.deps.store.pruneDeliveries({ before: new Date(Date.now() - KEEP_DELIVERIES_MS) });
    return reconcileReports(this.deps);
  }

  /** Resolves when no webhook work, attempt, status refresh, spare checkout or worktree deletion is in flight. */
  async whenIdle(): Promise<void> {
    await this.deps.scheduler.whenIdle();
    await this.deps.cache.whenIdle();
  }

  /** Stops starting attempts, cancels the ones running here and waits for them to end. */
  async stop(): Promise<void> {
    clearInterval(this.reconcileTimer);
    await this.deps.scheduler.stop({ why: "orch was stopped" });
    await this.deps.cache.whenIdle();
  }
}
