/**
 * A whole orch for end-to-end tests: a real Probot receiving real webhook
 * payloads, a real database (SQLite or PostgreSQL), a real bare git remote
 * (file://), real agent processes from test/fixtures/agents, and the fake
 * GitHub API (nock, network disabled). Logs are kept in `logs`.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/app.js";
import { DEFAULT_CAPS, type AgentSpec, type ServerConfig } from "../../src/config/server-config.js";
import type { Orch } from "../../src/orch.js";
import type { Provider } from "../../src/store/db.js";
import { createStore, type Store } from "../../src/store/store.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { createDatabaseUrl } from "./databases.js";
import { createRemote, type Remote } from "./git-remote.js";
import { migrateDatabase, openDb } from "../../src/store/db.js";
import { prepareContainment } from "../../src/containment.js";
import { waitFor } from "./wait-for.js";

export const AGENTS_DIR = fileURLToPath(new URL("../fixtures/agents/", import.meta.url));
const privateKey = fs.readFileSync(fileURLToPath(new URL("../fixtures/mock-cert.pem", import.meta.url)), "utf8");

export const OWNER = "acme";
export const REPO = "widgets";

/** A registry entry for a fixture agent script, run in orch's sandbox like any agent. */
export function fixtureAgent(script: string, overrides: Partial<AgentSpec> = {}): Omit<AgentSpec, "name"> {
  return { command: [path.join(AGENTS_DIR, script), "{prompt}"], env: [], timeoutMs: 60_000, sandbox: "bwrap", network: true, ...overrides };
}

export interface Harness {
  probot: Probot;
  orch: Orch;
  store: Store;
  github: FakeGitHub;
  remote: Remote;
  root: string;
  home: string;
  /** orch's working directory as its sandboxes see it (it holds a `.env`). */
  cwd: string;
  databaseUrl: string;
  logs: string[];
  /** The bare cache of the test repository, for git assertions. */
  cacheGit(): string;
  /** Delivers a webhook the way GitHub would, then waits until orch has done all the work it caused. */
  deliver(name: string, payload: unknown, deliveryId?: string): Promise<void>;
  /** Delivers a webhook and returns once it is answered, leaving orch's background work running. */
  receive(name: string, payload: unknown, deliveryId?: string): Promise<void>;
  /** Polls until `check` returns something truthy (or throws after the timeout). */
  waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(params: {
  agents: Record<string, Omit<AgentSpec, "name">>;
  defaultAgent?: string;
  provider?: Provider;
  concurrency?: Partial<ServerConfig["concurrency"]>;
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Keep Octokit's retry plugin on (as in production), with short waits. */
  retry?: boolean;
  /** More paths every sandbox hides (`sandbox.hide`). */
  hide?: string[];
  /** More folders shown again read-only (`sandbox.expose`), e.g. a real CLI installed in this repository. */
  expose?: string[];
  /**
   * An empty folder to keep everything in, removed by close(); default a fresh
   * one under os.tmpdir(). Codex CLI refuses a HOME under its TMPDIR (/tmp in
   * the sandbox) for its own sandbox's helper, so its tests put ORCH_HOME elsewhere.
   */
  root?: string;
  /** The server's `council.judge`: one of `agents`. */
  judge?: string;
  /** Stands in for the judge's random shuffle of a council's candidates (a test controls the order). */
  shuffle?: <T>(items: readonly T[]) => T[];
}): Promise<Harness> {
  const root = params.root ?? fs.mkdtempSync(path.join(os.tmpdir(), "orch-e2e-"));
  const home = path.join(root, "home");
  const cwd = path.join(root, "cwd");
  fs.mkdirSync(home);
  fs.mkdirSync(cwd);
  fs.writeFileSync(path.join(cwd, ".env"), "WEBHOOK_SECRET=harness-dotenv-secret\n");
  const remote = await createRemote({ root: path.join(root, "remotes"), owner: OWNER, repo: REPO, files: { "README.md": "# widgets\n" } });
  const databaseUrl = await createDatabaseUrl(params.provider ?? "sqlite", root);
  await migrateDatabase(databaseUrl);
  const provider = params.provider ?? "sqlite";
  const store = createStore({ db: await openDb(databaseUrl), provider });
  const agents = Object.fromEntries(Object.entries(params.agents).map(([name, spec]) => [name, { name, ...spec }]));
  const config: ServerConfig = {
    defaultAgent: params.defaultAgent ?? Object.keys(agents)[0]!,
    agents,
    concurrency: {
      maxRunning: 4,
      perRepository: 4,
      perAgent: {},
      ...params.concurrency,
      maxRunningPerHost: params.concurrency?.maxRunningPerHost ?? params.concurrency?.maxRunning ?? 4,
    },
    killGraceMs: params.killGraceMs ?? 500,
    git: { authorName: "orch[bot]", authorEmail: "orch[bot]@users.noreply.github.com" },
    // The fixture agents live in this repository, which may lie under a folder every sandbox hides (/tmp, /root).
    sandbox: { hide: params.hide ?? [], expose: [AGENTS_DIR, ...(params.expose ?? [])] },
    scale: { hostTtlMs: 60_000 },
    limits: DEFAULT_CAPS,
    council: params.judge === undefined ? {} : { judge: params.judge },
  };
  const env = { ...process.env, ...params.env };
  const containment = await prepareContainment({ config, env, databaseUrl, cwd });

  nock.disableNetConnect();
  const github = new FakeGitHub(OWNER, REPO).start();
  const logs: string[] = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    }),
  );
  const probot = new Probot({
    appId: 123,
    privateKey,
    log,
    // The function form: Probot re-applies its own throttle options over an object (see shared/notes).
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: params.retry ? { enabled: true, retryAfterBaseValue: 20 } : { enabled: false },
      throttle: { enabled: false },
    })),
  });
  let orch: Orch | undefined;
  await probot.load(
    createApp(
      {
        store,
        config,
        home,
        gitBaseUrl: remote.url,
        host: "test-host",
        env,
        sandbox: containment.sandbox,
        redactor: containment.redactor,
        ...(params.shuffle ? { shuffle: params.shuffle } : {}),
      },
      (started) => (orch = started),
    ),
  );
  if (!orch) throw new Error("orch did not start");
  const started = orch;
  return {
    probot,
    orch: started,
    store,
    github,
    remote,
    root,
    home,
    cwd,
    databaseUrl,
    logs,
    cacheGit: () => path.join(home, "repos", OWNER, `${REPO}.git`),
    async deliver(name, payload, deliveryId = crypto.randomUUID()) {
      await probot.receive({ id: deliveryId, name, payload } as Parameters<Probot["receive"]>[0]);
      await started.whenIdle();
    },
    async receive(name, payload, deliveryId = crypto.randomUUID()) {
      await probot.receive({ id: deliveryId, name, payload } as Parameters<Probot["receive"]>[0]);
    },
    waitFor: (check, what, timeoutMs = 20_000) => waitFor(check, what, timeoutMs, 25),
    async close() {
      await started.stop();
      await store.close();
      github.stop();
      nock.enableNetConnect();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
