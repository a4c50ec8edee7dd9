/**
 * orch's parts, put together once: store, repository cache, status reporter,
 * scheduler and pipeline. The webhook edge hands it plain requests; tests and
 * shutdown wait on it with whenIdle().
 */
import type { Logger } from "pino";
import type { CommandGitHub, CommandRequest, OrchDeps, RepositoryPermission } from "./commands/context.js";
import { executeCommands } from "./commands/execute.js";
import type { ParseResult } from "./commands/parse.js";
import type { ServerConfig } from "./config/server-config.js";
import type { ThreadAddress, ThreadGitHub } from "./pipeline/ports.js";
import { runAttempt } from "./pipeline/run-attempt.js";
import { Scheduler } from "./pipeline/scheduler.js";
import { StatusReporter } from "./pipeline/status-reporter.js";
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
  log: Logger;
  github: (thread: ThreadAddress) => ThreadGitHub & CommandGitHub;
}

/** Work one webhook asks for, as the edge hands it over. */
export interface OrchRequest {
  deliveryId: string;
  event: string;
  request: CommandRequest;
  /** Runs the request once its delivery is recorded as new; returns nothing to reply, or does its own replying. */
  work: (ctx: { deps: OrchDeps; api: CommandGitHub; request: CommandRequest }) => Promise<void>;
}

export class Orch {
  readonly deps: OrchDeps;

  constructor(private readonly options: OrchOptions) {
    const { store, config, home, gitBaseUrl, host, env, log, github } = options;
    const cache = new RepoCache({ home, gitBaseUrl });
    const status = new StatusReporter({ store, github, log });
    const pipeline = { store, config, cache, github, status, home, env, log };
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
    const { deliveryId, event, request, work } = params;
    const { store, scheduler, log } = this.deps;
    const job = (async () => {
      if (!(await store.recordDelivery({ id: deliveryId, event }))) {
        log.debug({ deliveryId }, "skip: delivery already handled");
        return;
      }
      const api = this.options.github({ installationId: request.installationId, owner: request.owner, repo: request.repo, number: request.thread.number });
      await work({ deps: this.deps, api, request });
    })().catch((error: unknown) => log.error({ err: error, deliveryId, event }, "could not handle a webhook"));
    scheduler.track(job);
  }

  /** Runs parsed comment commands (or a button press made into one) for a request. */
  commands(params: { results: ParseResult[]; minPermission?: RepositoryPermission }) {
    return async (ctx: { deps: OrchDeps; api: CommandGitHub; request: CommandRequest }) =>
      executeCommands(ctx, { results: params.results, minPermission: params.minPermission ?? "write" });
  }

  /** Starts whatever is queued. */
  start(): void {
    this.deps.scheduler.wake();
  }

  /** Resolves when no webhook work, attempt or status refresh is in flight. */
  whenIdle(): Promise<void> {
    return this.deps.scheduler.whenIdle();
  }

  /** Stops starting attempts, cancels the ones running here and waits for them to end. */
  async stop(): Promise<void> {
    await this.deps.scheduler.stop({ why: "orch was stopped" });
  }
}
