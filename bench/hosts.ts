/**
 * Several hosts on one PostgreSQL: real orch processes (`node --import tsx
 * src/main.ts`, as `npm start` runs it, test/helpers/cluster.ts), each with
 * its own ORCH_HOME, host id and ORCH_ROLE, sharing one database of the
 * bench's throwaway PostgreSQL, one small bare remote and one fake GitHub over
 * HTTP. Webhooks go to the web host; workers run the agents. The agent is
 * bench/fixtures/agents/quick-commit.sh: its first instruction stamps the
 * time, it writes one file for orch to commit and exits, so what is measured
 * is orch (queue, claim, worktree, sandbox, commit, push, pull request, check
 * run and status comment), not the agent.
 *
 * - Throughput: N dispatches sent back to back to the web host of a web host
 *   + 1 worker, then + 2, then + 3 workers (a fresh database and hosts each;
 *   `max_running_per_host: 2` and `max_running: 2 × workers`), timed from the
 *   first webhook to the last attempt's end (its `endedAt`), after a warm-up
 *   round of one dispatch per slot. orch's time per attempt is the slot time
 *   the run used that the agents did not: (wall × max_running − Σ agent run
 *   time) ÷ N.
 * - Latency: comment → agent running across hosts (request sent → the agent's
 *   first instruction), one dispatch at a time on idle hosts, web host +
 *   1 worker, against one process with `ORCH_ROLE=all` on another database of
 *   the same PostgreSQL (the baseline); both are up at once and sent to
 *   alternately, after one warm-up dispatch each.
 *
 * Every host of a cluster is killed (process group and agents) and its temp
 * root removed when a measurement ends, fails, or the bench is interrupted.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDb, type Db } from "../src/store/db.js";
import { issueCommentCreated } from "../test/fakes/events.js";
import { APP_OWNER, APP_REPO, killLeftoverAgents, type AppAgent, type AppProcess } from "../test/helpers/app-process.js";
import { cleanupCluster, homeOf, prepareCluster, startHost, type Cluster, type ClusterHost } from "../test/helpers/cluster.js";
import { maxOverlap, readAgentTimes } from "./app-server.js";
import type { BenchContext } from "./context.js";
import { startPostgres } from "./postgres.js";
import type { Row, SectionResult } from "./report.js";
import { formatMs, formatRatio, median, percentile, sleep } from "./timing.js";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
/** prepareApp names agents relative to test/fixtures/agents. */
const AGENT_SCRIPT = path.relative(path.join(repoRoot, "test", "fixtures", "agents"), path.join(repoRoot, "bench", "fixtures", "agents", "quick-commit.sh"));
const PER_HOST = 2;
const WORKER_COUNTS = [1, 2, 3] as const;
const ACROSS_P50_GOAL_MS = 1_000;
const TERMINAL_WAIT_MS = 120_000;

type HostsPostgres = { adminUrl: string };

/** The clusters up right now, for the exit hook (Ctrl-C: run.ts calls process.exit). */
const live = new Set<Cluster>();

function killLiveNow(): void {
  for (const cluster of live) {
    for (const setup of cluster.setups.values()) {
      for (const app of setup.processes) {
        if (!app.isRunning) continue;
        try {
          process.kill(-app.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      killLeftoverAgents(setup.home);
    }
  }
}

interface UpCluster {
  cluster: Cluster;
  db: Db;
  apps: Map<string, AppProcess>;
  /** Each host's start → GET /healthz answered, ms. */
  startupMs: Map<string, number>;
  /** Hosts that exited before they listened (and were started again), with the first lines of their output. */
  startFailures: string[];
  /** Last issue number used. */
  issue: number;
}

/**
 * The repository may lie under a folder every sandbox hides (/home, /root,
 * /run, /tmp), and prepareApp exposes only test/fixtures/agents: the bench
 * agent then runs unsandboxed, as the notes say.
 */
function agentSandbox(): "bwrap" | "none" {
  const real = fs.realpathSync.native(repoRoot);
  const hidden = ["/home", "/root", "/run", "/tmp", "/var/tmp"];
  return hidden.some((dir) => real === dir || real.startsWith(`${dir}/`)) ? "none" : "bwrap";
}

async function withCluster<T>(
  ctx: BenchContext,
  pg: HostsPostgres,
  params: { hosts: ClusterHost[]; maxRunning: number; agent: AppAgent },
  measure: (up: UpCluster) => Promise<T>,
): Promise<T> {
  const parentDir = path.join(ctx.root, "hosts");
  fs.mkdirSync(parentDir, { recursive: true });
  const cluster = await prepareCluster({
    hosts: params.hosts,
    agents: { quick: params.agent },
    maxRunning: params.maxRunning,
    maxRunningPerHost: PER_HOST,
    hostTtl: "30s",
    adminUrl: pg.adminUrl,
    parentDir,
    // The tests log at debug; an operator runs at info.
    env: { LOG_LEVEL: "info" },
  });
  live.add(cluster);
  let db: Db | undefined;
  try {
    db = await openDb(cluster.databaseUrl);
    const apps = new Map<string, AppProcess>();
    const startupMs = new Map<string, number>();
    const startFailures: string[] = [];
    // All at once, as an operator's `docker compose up` would; a host that exits before it listens is started once more, and the notes say so.
    const started = await Promise.allSettled(
      params.hosts.map(async (host) => {
        for (let attempt = 1; ; attempt++) {
          const t = performance.now();
          try {
            apps.set(host.id, await startHost(cluster, host.id));
            startupMs.set(host.id, performance.now() - t);
            return;
          } catch (error) {
            if (attempt >= 2) throw error;
            const lines = (error instanceof Error ? error.message : String(error)).split("\n");
            startFailures.push(`${host.id}: ${lines.slice(0, 2).join(" ").slice(0, 200)}`);
          }
        }
      }),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    // /healthz answers before every host has registered: wait for the rows.
    const ids = params.hosts.map((h) => h.id);
    await waitFor(async () => (await db!.host.count({ where: { id: { in: ids }, state: "alive" } })) === ids.length, "every host to register", 30_000);
    return await measure({ cluster, db, apps, startupMs, startFailures, issue: 0 });
  } finally {
    await db?.$disconnect().catch(() => undefined);
    await cleanupCluster(cluster);
    live.delete(cluster);
  }
}

async function waitFor<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`hosts: timed out after ${formatMs(timeoutMs)} waiting for ${what}`);
    await sleep(everyMs);
  }
}

function onThreads(numbers: number[]) {
  return { task: { run: { thread: { number: { in: numbers } } } } };
}

/** Opens issue `number` on the fake GitHub and sends `/orch dispatch` for it to `app`; resolves with when it was sent (ms since the epoch) and the 2xx's time. */
async function dispatch(up: UpCluster, app: AppProcess, number: number): Promise<{ sentAt: number; ackMs: number }> {
  up.cluster.github.threads.set(number, { state: "open", title: `Bench ${number}`, body: "" });
  const sentAt = Date.now();
  const t = performance.now();
  await app.deliver("issue_comment", issueCommentCreated({ owner: APP_OWNER, repo: APP_REPO, number, body: `/orch dispatch -- bench ${number}` }));
  return { sentAt, ackMs: performance.now() - t };
}

async function untilEnded(up: UpCluster, numbers: number[], timeoutMs = TERMINAL_WAIT_MS): Promise<void> {
  await waitFor(
    async () => (await up.db.attempt.count({ where: { ...onThreads(numbers), state: { notIn: ["queued", "running"] } } })) >= numbers.length,
    `${numbers.length} attempt(s) to end`,
    timeoutMs,
    50,
  );
}

/** Warn and error lines (pino level ≥ 40) the hosts logged, as `host: msg`. */
function hostProblems(up: UpCluster): string[] {
  const problems: string[] = [];
  for (const [id, app] of up.apps) {
    for (const line of app.output().split("\n")) {
      if (!line.startsWith("{")) {
        if (line.trim()) problems.push(`${id}: ${line.trim().slice(0, 160)}`);
        continue;
      }
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if ((entry.level ?? 0) >= 40) problems.push(`${id}: ${entry.msg ?? line.slice(0, 160)}`);
      } catch {
        problems.push(`${id}: ${line.slice(0, 160)}`);
      }
    }
  }
  return problems;
}

function summarizeProblems(problems: string[]): string {
  if (problems.length === 0) return "no warnings or errors";
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(p, (counts.get(p) ?? 0) + 1);
  return `${problems.length} warning/error line(s): ${[...counts].slice(0, 4).map(([p, n]) => `${n} × "${p}"`).join("; ")}`;
}

function startedAgain(failures: string[]): string {
  return failures.length === 0 ? "" : ` (**${failures.length} exited before listening and were started again**: ${failures.join("; ")})`;
}

interface ThroughputRun {
  workers: number;
  maxRunning: number;
  count: number;
  totalMs: number;
  sentMs: number;
  succeeded: number;
  states: Map<string, number>;
  /** Σ agent run time (its own clock), ms. */
  agentTotalMs: number;
  agentMs: number[];
  /** claimed → ended, per attempt. */
  attemptMs: number[];
  /** queued → claimed, per attempt. */
  waitMs: number[];
  /** First webhook sent → first attempt claimed. */
  firstClaimMs: number;
  /** An attempt's end → the next claim on its host, for ends while attempts were still queued. */
  handoffMs: number[];
  byHost: Map<string, number>;
  peakRunning: number;
  peakPerHost: number;
  peakAgents: number;
  samples: number;
  startupMs: number[];
  startFailures: string[];
  warmupHosts: number;
  pulls: number;
  problems: string[];
}

/** For each attempt that ended while others still waited: its end → the next claim on the same host (a slot handed on). */
function handoffs(attempts: { host: string | null; queuedAt: Date; startedAt: Date | null; endedAt: Date | null }[]): number[] {
  const gaps: number[] = [];
  for (const ended of attempts) {
    const end = ended.endedAt?.getTime();
    if (end === undefined || !ended.host) continue;
    const waiting = attempts.some((a) => a.queuedAt.getTime() < end && (a.startedAt?.getTime() ?? Infinity) > end);
    if (!waiting) continue;
    const next = Math.min(...attempts.filter((a) => a.host === ended.host && (a.startedAt?.getTime() ?? -1) >= end).map((a) => a.startedAt!.getTime()));
    if (Number.isFinite(next)) gaps.push(next - end);
  }
  return gaps;
}

/** (wall × max_running − Σ agent) ÷ N: the slot time each attempt used outside its agent. */
function orchPerAttemptMs(run: ThroughputRun): number {
  return (run.totalMs * run.maxRunning - run.agentTotalMs) / run.count;
}

function throughputOf(run: ThroughputRun): number {
  return run.count / (run.totalMs / 1000);
}

async function measureThroughput(ctx: BenchContext, pg: HostsPostgres, workers: number, agent: AppAgent): Promise<ThroughputRun> {
  const count = ctx.sizes.hostDispatches;
  const maxRunning = PER_HOST * workers;
  const hosts: ClusterHost[] = [{ id: "web", role: "web" }, ...Array.from({ length: workers }, (_, i): ClusterHost => ({ id: `worker-${i + 1}`, role: "worker" }))];
  return withCluster(ctx, pg, { hosts, maxRunning, agent }, async (up) => {
    const web = up.apps.get("web")!;
    // Warm-up: one dispatch per slot, at once (installation tokens, each worker's first clone, V8's first calls).
    const warm = Array.from({ length: maxRunning }, () => ++up.issue);
    await Promise.all(warm.map((number) => dispatch(up, web, number)));
    await untilEnded(up, warm);
    const warmed = await up.db.attempt.findMany({ where: onThreads(warm), select: { host: true } });
    const warmupHosts = new Set(warmed.map((a) => a.host)).size;

    const numbers = Array.from({ length: count }, () => ++up.issue);
    let peakRunning = 0;
    let peakPerHost = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const running = await up.db.attempt.groupBy({ by: ["host"], where: { ...onThreads(numbers), state: "running" }, _count: true });
        peakRunning = Math.max(peakRunning, running.reduce((sum, r) => sum + r._count, 0));
        peakPerHost = Math.max(peakPerHost, ...running.map((r) => r._count), 0);
        samples += 1;
        await sleep(50);
      }
    })();
    ctx.log(`hosts: ${count} dispatches, web host + ${workers} worker(s), max_running ${maxRunning} (${PER_HOST} per host)`);
    let started = Number.NaN;
    let sentMs = Number.NaN;
    try {
      const t = performance.now();
      for (const number of numbers) {
        const { sentAt } = await dispatch(up, web, number);
        if (Number.isNaN(started)) started = sentAt;
      }
      sentMs = performance.now() - t;
      await untilEnded(up, numbers);
    } finally {
      sampling = false;
      await sampler;
    }

    const attempts = await up.db.attempt.findMany({
      where: onThreads(numbers),
      select: { id: true, state: true, host: true, queuedAt: true, startedAt: true, endedAt: true, pullRequestNumber: true },
    });
    const lastEnd = Math.max(...attempts.map((a) => a.endedAt?.getTime() ?? Number.NaN));
    const times = new Map<number, { start: number; end: number }>();
    for (const host of hosts.slice(1)) for (const [id, t] of readAgentTimes(homeOf(up.cluster, host.id))) times.set(id, t);
    const measured = attempts.map((a) => times.get(a.id)).filter((t): t is { start: number; end: number } => t !== undefined);
    const agentMs = measured.map((t) => t.end - t.start);
    const states = new Map<string, number>();
    const byHost = new Map<string, number>();
    for (const a of attempts) {
      states.set(a.state, (states.get(a.state) ?? 0) + 1);
      byHost.set(a.host ?? "none", (byHost.get(a.host ?? "none") ?? 0) + 1);
    }
    return {
      workers,
      maxRunning,
      count,
      totalMs: lastEnd - started,
      sentMs,
      succeeded: attempts.filter((a) => a.state === "succeeded" && a.pullRequestNumber !== null).length,
      states,
      agentTotalMs: agentMs.reduce((sum, ms) => sum + ms, 0),
      agentMs,
      attemptMs: attempts.filter((a) => a.startedAt && a.endedAt).map((a) => a.endedAt!.getTime() - a.startedAt!.getTime()),
      waitMs: attempts.filter((a) => a.startedAt).map((a) => a.startedAt!.getTime() - a.queuedAt.getTime()),
      handoffMs: handoffs(attempts),
      firstClaimMs: Math.min(...attempts.map((a) => a.startedAt?.getTime() ?? Number.NaN)) - started,
      byHost,
      peakRunning,
      peakPerHost,
      peakAgents: maxOverlap(measured),
      samples,
      startupMs: [...up.startupMs.values()],
      startFailures: up.startFailures,
      warmupHosts,
      pulls: up.cluster.github.pulls.length,
      problems: hostProblems(up),
    };
  });
}

interface Probe {
  /** Request sent → the agent's first instruction. */
  toAgentMs: number;
  /** Request sent → its 2xx. */
  ackMs: number;
  /** Request sent → the attempt row's queuedAt (PostgreSQL's clock, same machine). */
  toQueuedMs: number;
  /** queuedAt → startedAt (the claim). */
  toClaimMs: number;
  /** Claim → the agent's first instruction (worktree, sandbox). */
  claimToAgentMs: number;
  host: string;
}

/** One dispatch on an idle cluster: sent, then waited for until GitHub has been told it ended. */
async function probe(up: UpCluster, app: AppProcess): Promise<Probe> {
  const number = ++up.issue;
  const { sentAt, ackMs } = await dispatch(up, app, number);
  const attempt = await waitFor(
    async () => {
      const row = await up.db.attempt.findFirst({ where: onThreads([number]), select: { id: true, state: true, reportedState: true, host: true, queuedAt: true, startedAt: true } });
      return row && !["queued", "running"].includes(row.state) && row.reportedState === row.state && row;
    },
    `the attempt on #${number} to end and be reported`,
    30_000,
    20,
  );
  const times = readAgentTimes(homeOf(up.cluster, attempt.host!)).get(attempt.id);
  if (!times || !attempt.startedAt) throw new Error(`hosts: the dispatch on #${number} ran no agent (attempt ${attempt.id} ${attempt.state})`);
  return {
    toAgentMs: times.start - sentAt,
    ackMs,
    toQueuedMs: attempt.queuedAt.getTime() - sentAt,
    toClaimMs: attempt.startedAt.getTime() - attempt.queuedAt.getTime(),
    claimToAgentMs: times.start - attempt.startedAt.getTime(),
    host: attempt.host!,
  };
}

function describeProbes(probes: Probe[]): string {
  const m = (pick: (p: Probe) => number) => formatMs(median(probes.map(pick)));
  return `2xx ${m((p) => p.ackMs)}, sent → queued ${m((p) => p.toQueuedMs)}, queued → claimed ${m((p) => p.toClaimMs)}, claimed → agent ${m((p) => p.claimToAgentMs)}`;
}

async function measureLatency(ctx: BenchContext, pg: HostsPostgres, agent: AppAgent) {
  const rounds = ctx.sizes.hostProbes;
  const across: ClusterHost[] = [{ id: "web", role: "web" }, { id: "worker-1", role: "worker" }];
  const single: ClusterHost[] = [{ id: "solo", role: "all" }];
  return withCluster(ctx, pg, { hosts: across, maxRunning: PER_HOST, agent }, (a) =>
    withCluster(ctx, pg, { hosts: single, maxRunning: PER_HOST, agent }, async (b) => {
      ctx.log(`hosts: ${rounds} dispatches one at a time to each of web host + worker and one ORCH_ROLE=all process (+1 warm-up each)`);
      const variants = { across: { up: a, app: a.apps.get("web")! }, single: { up: b, app: b.apps.get("solo")! } };
      const probes: Record<keyof typeof variants, Probe[]> = { across: [], single: [] };
      for (let round = -1; round < rounds; round++) {
        const order: (keyof typeof variants)[] = (round + 1) % 2 === 0 ? ["across", "single"] : ["single", "across"];
        for (const name of order) {
          const result = await probe(variants[name].up, variants[name].app);
          if (round >= 0) probes[name].push(result);
          // Let the attempt's last writes (status comment, worktree removal) pass before the next.
          await sleep(200);
        }
      }
      return {
        probes,
        startupMs: [...a.startupMs.values(), ...b.startupMs.values()],
        startFailures: [...a.startFailures, ...b.startFailures],
        problems: [...hostProblems(a), ...hostProblems(b)],
        unexpected: a.cluster.github.unexpected.length + b.cluster.github.unexpected.length,
      };
    }),
  );
}

export async function benchHosts(ctx: BenchContext): Promise<SectionResult> {
  const postgres = await startPostgres();
  if ("unavailable" in postgres) return { rows: [], notes: [`Not measured: PostgreSQL is unavailable (${postgres.unavailable}).`] };
  const onExit = () => {
    killLiveNow();
    postgres.stop();
  };
  process.once("exit", onExit);
  const sandbox = agentSandbox();
  const agent: AppAgent = { script: AGENT_SCRIPT, sandbox, timeout: "1m" };
  try {
    const runs: ThroughputRun[] = [];
    for (const workers of WORKER_COUNTS) runs.push(await measureThroughput(ctx, postgres, workers, agent));
    const latency = await measureLatency(ctx, postgres, agent);

    const rows: Row[] = [];
    const notes: string[] = [];
    const one = runs[0]!;
    for (const run of runs) {
      const ok =
        run.succeeded === run.count &&
        run.peakRunning <= run.maxRunning &&
        run.peakAgents <= run.maxRunning &&
        run.peakPerHost <= PER_HOST &&
        !run.byHost.has("web") &&
        !run.byHost.has("none");
      const value =
        `${formatMs(run.totalMs)}; ${throughputOf(run).toFixed(2)} attempts/s; orch ${formatMs(orchPerAttemptMs(run))} per attempt; ` +
        `${run.succeeded}/${run.count} succeeded`;
      const limits = `never more than ${PER_HOST} running per worker, ${run.maxRunning} in all, none on the web host`;
      if (run === one) {
        rows.push({
          section: "hosts",
          figure: `${run.count} dispatches of a quick agent (writes a file; push + draft PR each) through a web host + 1 worker, \`max_running: ${run.maxRunning}\``,
          value,
          floor: `the agent itself: median ${formatMs(median(run.agentMs))} per attempt`,
          ratio: formatRatio(orchPerAttemptMs(run) / median(run.agentMs)),
          goal: `all ${run.count} succeed, ${limits}; orch's time per attempt reported`,
          pass: ok,
        });
      } else {
        rows.push({
          section: "hosts",
          figure: `the same through a web host + ${run.workers} workers, \`max_running: ${run.maxRunning}\` (${PER_HOST} per host), same machine`,
          value,
          floor: `web host + 1 worker: ${throughputOf(one).toFixed(2)} attempts/s, orch ${formatMs(orchPerAttemptMs(one))} per attempt`,
          ratio: `${formatRatio(throughputOf(run) / throughputOf(one))} throughput`,
          goal: `all ${run.count} succeed, ${limits}; ratio reported (one machine)`,
          pass: ok,
        });
      }
    }
    const across = latency.probes.across.map((p) => p.toAgentMs);
    const single = latency.probes.single.map((p) => p.toAgentMs);
    const acrossP50 = median(across);
    rows.push({
      section: "hosts",
      figure: "comment → agent running across hosts (web host takes the webhook, a worker runs the agent; request sent → agent's first instruction)",
      value: `p50 ${formatMs(acrossP50)}, p95 ${formatMs(percentile(across, 95))}`,
      floor: `one process, \`ORCH_ROLE=all\`, same PostgreSQL: p50 ${formatMs(median(single))}, p95 ${formatMs(percentile(single, 95))}`,
      ratio: formatRatio(acrossP50 / median(single)),
      goal: `p50 < ${formatMs(ACROSS_P50_GOAL_MS)}`,
      pass: across.length === ctx.sizes.hostProbes && latency.probes.across.every((p) => p.host === "worker-1") && acrossP50 < ACROSS_P50_GOAL_MS,
    });

    notes.push(
      `All hosts are processes on this one machine (${os.availableParallelism()} cores), sharing it with PostgreSQL, the fake GitHub and the bench: ` +
        "more workers add slots but no CPU, so the 2- and 3-worker ratios show what the extra hosts cost, not how separate machines would scale.",
      `Throughput is timed from the first webhook sent to the last attempt's \`endedAt\` (the check run's last update and the status comment may follow); ` +
        `orch's time per attempt is (wall × max_running − Σ the agents' own run time) ÷ N, the slot time an attempt held outside its agent (queue wait while slots were busy included). ` +
        `Agent: bench/fixtures/agents/quick-commit.sh${sandbox === "none" ? ", unsandboxed (this repository lies under a folder the sandbox hides)" : ", in orch's sandbox"}; ` +
        "the remote is the small one test/helpers/cluster.ts makes (one README), so git's share is small; LOG_LEVEL=info.",
    );
    for (const run of runs) {
      notes.push(
        `web host + ${run.workers} worker${run.workers === 1 ? "" : "s"}: ${run.count} webhooks sent in ${formatMs(run.sentMs)}; attempts ${[...run.states].map(([s, n]) => `${n} ${s}`).join(", ")}, ` +
          `by host ${[...run.byHost].sort().map(([h, n]) => `${h} ${n}`).join(", ")}; ${run.pulls} pull requests (warm-up included). ` +
          `At most ${run.peakRunning} running in all and ${run.peakPerHost} on one host by orch's record (${run.samples} samples, every 50 ms), ` +
          `${run.peakAgents} agent(s) alive at one instant by their own clocks. ` +
          `Slots busy (Σ claimed → ended ÷ (wall × max_running)) ${(100 * run.attemptMs.reduce((sum, ms) => sum + ms, 0) / (run.totalMs * run.maxRunning)).toFixed(0)} %; ` +
          `first claim ${formatMs(run.firstClaimMs)} after the first webhook; an attempt's end → the next claim on its host (while others waited) median ${formatMs(median(run.handoffMs))}, ` +
          `p95 ${formatMs(percentile(run.handoffMs, 95))}, max ${formatMs(Math.max(...run.handoffMs))}. Per attempt: queued → claimed median ${formatMs(median(run.waitMs))} (p95 ${formatMs(percentile(run.waitMs, 95))}), claimed → ended median ${formatMs(median(run.attemptMs))}, ` +
          `the agent median ${formatMs(median(run.agentMs))}. Hosts started (spawn → /healthz) in ${run.startupMs.map(formatMs).join(", ")}; ` +
          `the warm-up round (${run.maxRunning} dispatches) ran on ${run.warmupHosts} of ${run.workers} worker${run.workers === 1 ? "" : "s"}. Hosts logged ${summarizeProblems(run.problems)}.`,
      );
    }
    notes.push(
      `Comment → agent running: ${across.length} dispatches to each, one at a time, alternating which goes first, each waited for until its check run showed the end, then 200 ms. ` +
        `Across hosts: ${across.map(formatMs).join(", ")}; split (medians): ${describeProbes(latency.probes.across)}. ` +
        `One process: ${single.map(formatMs).join(", ")}; split: ${describeProbes(latency.probes.single)}. ` +
        `Hosts started in ${latency.startupMs.map(formatMs).join(", ")}${startedAgain(latency.startFailures)}; they logged ${summarizeProblems(latency.problems)}; ` +
        `${latency.unexpected} request(s) the fake GitHub did not expect.`,
    );
    return { rows, notes };
  } finally {
    killLiveNow();
    postgres.stop();
    process.removeListener("exit", onExit);
  }
}
