/**
 * Every metric orch serves on /metrics, defined here and nowhere else, on the
 * one prom-client Registry the caller passes in (main.ts makes it; a test
 * makes its own), so nothing registers into prom-client's global registry.
 *
 *   orch_attempts{state}                       gauge: attempts in each state, over all hosts (the database, on scrape)
 *   orch_queued_attempts                       gauge: attempts waiting for a slot (the database, on scrape)
 *   orch_running_attempts{host}                gauge: running attempts by the host holding them (the database, on scrape)
 *   orch_attempt_duration_seconds{agent,state} histogram: claim to recorded end, of the attempts this process ran
 *   orch_workspace_allocation_seconds          histogram: fetching the base and adding the worktree, in this process
 *   orch_github_request_errors_total{status}   counter: GitHub API requests of this process that failed, by HTTP status
 *   orch_process_… / orch_nodejs_…             prom-client's default process metrics
 *
 * The gauges read the database, so every host reports the same numbers;
 * histograms and counters count what this process did, and restart at 0.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Store } from "../store/store.js";

/** What the pipeline and the GitHub client record. */
export interface OrchMetrics {
  /** An attempt's end was recorded: `state` is its end state, `seconds` from its start. */
  attemptEnded(params: { agent: string; state: string; seconds: number }): void;
  /** A workspace was ready for its agent after `seconds`. */
  workspaceAllocated(seconds: number): void;
  /** A GitHub API request failed for good (after Octokit's retries) with HTTP `status`. */
  githubRequestFailed(status: number | undefined): void;
}

/** Attempts run from seconds (a failed start) to hours (an agent at its timeout). */
const ATTEMPT_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400];
/** A worktree from a warm cache takes well under a second; a first clone of a big repository, minutes. */
const ALLOCATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Registers orch's metrics on `registry` and returns the recorder. With a
 * `store`, the attempt gauges are read from it on every scrape (a failing
 * read leaves them out of that scrape and is logged); without one they are
 * not registered. `defaultMetrics: false` leaves out the process metrics.
 */
export function createMetrics(params: {
  registry: Registry;
  store?: Pick<Store, "countAttemptsByState" | "countQueued" | "countRunningByHost">;
  /** Told when a scrape could not read the database (a pino Logger fits). */
  log?: { warn(fields: { err?: unknown }, message: string): void };
  defaultMetrics?: boolean;
}): OrchMetrics {
  const { registry, store, log } = params;
  const registers = [registry];
  if (params.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "orch_" });

  const attemptDuration = new Histogram({
    name: "orch_attempt_duration_seconds",
    help: "Attempts this process ran, from their start to their recorded end, by agent and end state.",
    labelNames: ["agent", "state"] as const,
    buckets: ATTEMPT_BUCKETS,
    registers,
  });
  const allocation = new Histogram({
    name: "orch_workspace_allocation_seconds",
    help: "Time to make an attempt's workspace in this process: fetching its base into the repository cache and adding its worktree.",
    buckets: ALLOCATION_BUCKETS,
    registers,
  });
  const githubErrors = new Counter({
    name: "orch_github_request_errors_total",
    help: 'GitHub API requests of this process that failed after Octokit\'s retries, by HTTP status ("500" also for no answer at all, "none" for an error without a status); a 404 for a file\'s contents (no .github/orch.yml) is no error.',
    labelNames: ["status"] as const,
    registers,
  });

  if (store) {
    /** A scrape goes on without the database's numbers when it cannot be read (/healthz says why). */
    const read = async <T>(what: string, query: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await query();
      } catch (error) {
        log?.warn({ err: error }, `metrics: could not count ${what}`);
        return undefined;
      }
    };
    new Gauge({
      name: "orch_attempts",
      help: "Attempts in each state, over all hosts (read from the database at each scrape).",
      labelNames: ["state"] as const,
      registers,
      async collect() {
        const counts = await read("attempts by state", () => store.countAttemptsByState());
        this.reset();
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    });
    new Gauge({
      name: "orch_queued_attempts",
      help: "Attempts waiting for a slot, over all hosts: the queue's depth (read from the database at each scrape).",
      registers,
      async collect() {
        const count = await read("queued attempts", () => store.countQueued());
        this.reset();
        if (count !== undefined) this.set(count);
      },
    });
    new Gauge({
      name: "orch_running_attempts",
      help: "Running attempts by the host that holds them; hosts alive with none show 0 (read from the database at each scrape).",
      labelNames: ["host"] as const,
      registers,
      async collect() {
        const counts = await read("running attempts by host", () => store.countRunningByHost());
        this.reset();
        for (const [host, count] of Object.entries(counts ?? {})) this.set({ host }, count);
      },
    });
  }

  return {
    attemptEnded: ({ agent, state, seconds }) => attemptDuration.observe({ agent, state }, Math.max(0, seconds)),
    workspaceAllocated: (seconds) => allocation.observe(Math.max(0, seconds)),
    githubRequestFailed: (status) => githubErrors.inc({ status: status === undefined ? "none" : String(status) }),
  };
}

/** Records nothing: for callers (tests, the bench) that serve no /metrics. */
export const NO_METRICS: OrchMetrics = {
  attemptEnded: () => undefined,
  workspaceAllocated: () => undefined,
  githubRequestFailed: () => undefined,
};
