/**
 * orch served the way `npm start` serves it, for the webhook figures: orch's
 * webhook server (src/github/webhook-server.ts: the intake, then Probot's
 * middleware) on 127.0.0.1 with orch's real app (src/app.ts), a SQLite
 * database, an ORCH_HOME whose cache is already warm, and Octokit pointed at
 * the fake GitHub served over HTTP on 127.0.0.1 (test/fakes/github-server.ts).
 * Webhooks go over HTTP, signed with the webhook secret as GitHub signs them.
 *
 * The same helper serves the floor: the same webhook server, intake and all,
 * with an app whose handler does nothing.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit, type ApplicationFunction } from "probot";
import { createApp } from "../src/app.js";
import { DEFAULT_CAPS, type AgentSpec, type ServerConfig } from "../src/config/server-config.js";
import { startWebhookServer } from "../src/github/webhook-server.js";
import type { Orch } from "../src/orch.js";
import { migrateDatabase, openDb, type Db } from "../src/store/db.js";
import { createStore, type Store } from "../src/store/store.js";
import { RepoCache } from "../src/workspace/repo-cache.js";
import { prepareContainment } from "../src/containment.js";
import { getAttemptFiles } from "../src/pipeline/attempt-files.js";
import { FakeGitHub } from "../test/fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../test/fakes/github-server.js";
import type { BenchRemote } from "./fixtures/make-repo.js";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const privateKey = fs.readFileSync(path.join(repoRoot, "test", "fixtures", "mock-cert.pem"), "utf8");
const STAMPED = path.join(repoRoot, "bench", "fixtures", "agents", "stamped.sh");
const SECRET = "bench-webhook-secret";

/** An agent entry that runs a test fixture agent under bench/fixtures/agents/stamped.sh. */
export function stampedAgent(name: string, fixture: string): AgentSpec {
  return {
    name,
    command: [STAMPED, path.join(repoRoot, "test", "fixtures", "agents", fixture), "{prompt}"],
    env: [],
    timeoutMs: 120_000,
    sandbox: "bwrap",
    network: true,
  };
}

export interface ProbotServer {
  /** Sends a signed webhook over HTTP; resolves with the status once the response has ended, and how long that took. */
  send(name: string, payload: unknown): Promise<{ status: number; ms: number; sentAt: number }>;
  stop(): Promise<void>;
}

export interface OrchServer extends ProbotServer {
  orch: Orch;
  /** orch's repository cache, for a benchmark to hold its fetches. */
  cache: RepoCache;
  store: Store;
  db: Db;
  github: FakeGitHubServer;
  home: string;
  /** Warn and error log lines orch wrote. */
  problems: string[];
  close(): Promise<void>;
}

function collectingLogger(lines: string[]): Logger {
  return pino(
    { level: "warn" },
    new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    }),
  );
}

/** orch's webhook server on 127.0.0.1 running `appFn`, its Octokit talking to `apiUrl`. */
export async function startAppServer(params: { appFn: ApplicationFunction; apiUrl: string; log: Logger }): Promise<ProbotServer> {
  const { appFn, apiUrl, log } = params;
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: SECRET,
    baseUrl: apiUrl,
    log,
    // The function form: Probot re-applies its own throttle options over an object.
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      baseUrl: apiUrl,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const server = await startWebhookServer({ probot, appFn, host: "127.0.0.1", port: 0 });
  const { port } = server;
  const sender = startSender(port);
  return {
    send(name, payload) {
      const body = JSON.stringify(payload);
      const signature = `sha256=${crypto.createHmac("sha256", SECRET).update(body).digest("hex")}`;
      return sender.send({ name, body, signature, delivery: crypto.randomUUID() });
    },
    async stop() {
      await sender.stop();
      await server.stop();
    },
  };
}

/**
 * The HTTP client lives in a worker thread, as GitHub lives elsewhere: a
 * client on orch's own event loop would see the response only once orch's
 * background work yields, and would time that work, not the 2xx.
 */
const SENDER_SOURCE = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const agent = new http.Agent({ keepAlive: false });
parentPort.on("message", ({ id, name, body, signature, delivery }) => {
  const sentAt = Date.now();
  const start = performance.now();
  const request = http.request({
    host: "127.0.0.1", port: workerData.port, path: "/api/github/webhooks", method: "POST", agent,
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "user-agent": "GitHub-Hookshot/bench",
      "x-github-event": name,
      "x-github-delivery": delivery,
      "x-hub-signature-256": signature,
    },
  }, (response) => {
    response.resume();
    response.on("end", () => parentPort.postMessage({ id, status: response.statusCode, ms: performance.now() - start, sentAt }));
  });
  request.on("error", (error) => parentPort.postMessage({ id, error: String(error) }));
  request.end(body);
});
`;

interface SendRequest {
  name: string;
  body: string;
  signature: string;
  delivery: string;
}

function startSender(port: number): { send(request: SendRequest): Promise<{ status: number; ms: number; sentAt: number }>; stop(): Promise<void> } {
  const worker = new Worker(SENDER_SOURCE, { eval: true, workerData: { port } });
  const pending = new Map<number, { resolve: (value: { status: number; ms: number; sentAt: number }) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  worker.on("message", (message: { id: number; status: number; ms: number; sentAt: number; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error));
    else waiter?.resolve({ status: message.status, ms: message.ms, sentAt: message.sentAt });
  });
  return {
    send(request) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, ...request });
      });
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/**
 * A whole orch on its own ORCH_HOME (under `dir`) and database, its cache of
 * `remote` fetched once beforehand, plus its fake GitHub.
 */
export async function startOrchServer(params: {
  dir: string;
  remote: BenchRemote;
  agent: AgentSpec;
  maxRunning: number;
}): Promise<OrchServer> {
  const { dir, remote, agent, maxRunning } = params;
  const home = path.join(dir, "home");
  fs.mkdirSync(home, { recursive: true });
  // "Cache present": the first fetch of a repository is a clone, which no figure here is about.
  const cache = new RepoCache({ home, gitBaseUrl: remote.gitBaseUrl });
  await cache.fetchBase({ owner: remote.owner, repo: remote.repo, ref: "refs/heads/main" });
  const databaseUrl = `file:${path.join(dir, "orch.db")}`;
  await migrateDatabase(databaseUrl);
  const db = await openDb(databaseUrl);
  const store = createStore({ db, provider: "sqlite" });
  const config: ServerConfig = {
    defaultAgent: agent.name,
    agents: { [agent.name]: agent },
    // per_repository at max_running: the bench has one repository, and max_running is the limit under test.
    concurrency: { maxRunning, maxRunningPerHost: maxRunning, perRepository: maxRunning, perAgent: {} },
    killGraceMs: 2_000,
    git: { authorName: "orch[bot]", authorEmail: "orch[bot]@users.noreply.github.com" },
    // The fixture agents live in this repository, which may lie under a folder every sandbox hides.
    sandbox: { hide: [], expose: [path.join(repoRoot, "bench", "fixtures", "agents"), path.join(repoRoot, "test", "fixtures", "agents")] },
    scale: { hostTtlMs: 60_000 },
    limits: DEFAULT_CAPS,
    council: {},
  };
  const cwd = path.join(dir, "cwd");
  fs.mkdirSync(cwd, { recursive: true });
  const { sandbox, redactor } = await prepareContainment({ config, env: process.env, databaseUrl, cwd });
  const github = await serveFakeGitHub(new FakeGitHub(remote.owner, remote.repo));
  const problems: string[] = [];
  let orch: Orch | undefined;
  const server = await startAppServer({
    apiUrl: github.apiUrl,
    log: collectingLogger(problems),
    appFn: createApp(
      { store, config, home, gitBaseUrl: remote.gitBaseUrl, host: "bench-host", env: process.env, sandbox, redactor, cache },
      (started) => (orch = started),
    ),
  });
  if (!orch) throw new Error("orch did not start");
  const started = orch;
  return {
    ...server,
    orch: started,
    cache,
    store,
    db,
    github,
    home,
    problems,
    async close() {
      await started.stop();
      await server.stop();
      await github.close();
      await store.close();
    },
  };
}

/** The floor: the same webhook server, its `issue_comment` handler a no-op. */
export async function startNoopServer(params: { apiUrl: string }): Promise<ProbotServer> {
  return startAppServer({
    apiUrl: params.apiUrl,
    log: collectingLogger([]),
    appFn: (app) => {
      app.on("issue_comment.created", async () => {});
    },
  });
}

/** `<home>/attempts/<id>/bench-agent.times` of every attempt that ran: start and end, ms since the epoch. */
export function readAgentTimes(home: string): Map<number, { start: number; end: number }> {
  const times = new Map<number, { start: number; end: number }>();
  const dir = path.join(home, "attempts");
  if (!fs.existsSync(dir)) return times;
  for (const id of fs.readdirSync(dir)) {
    const file = path.join(getAttemptFiles(home, Number(id)).ioDir, "bench-agent.times");
    if (!fs.existsSync(file)) continue;
    const [start, end] = fs.readFileSync(file, "utf8").trim().split(" ").map((ns) => Number(BigInt(ns) / 1_000n) / 1000);
    times.set(Number(id), { start: start!, end: end! });
  }
  return times;
}

/** The most intervals open at one instant. */
export function maxOverlap(intervals: Iterable<{ start: number; end: number }>): number {
  const events: [number, number][] = [];
  for (const { start, end } of intervals) events.push([start, 1], [end, -1]);
  // At equal times an end comes before a start: touching intervals do not overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of events) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}
