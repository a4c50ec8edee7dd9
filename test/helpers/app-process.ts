/**
 * The real orch as a child process, for tests that must kill it the hard way
 * (`kill -9`) and start it again: `node --import tsx src/main.ts`, with its
 * own temporary working directory (so no `.env` is read), a SQLite database,
 * ORCH_HOME, a server config file and a bare git remote in a temp root, and
 * Probot pointed at a FakeGitHub served over HTTP (github-server.ts).
 *
 *     const github = await serveFakeGitHub(new FakeGitHub(OWNER, REPO));
 *     const setup = await prepareApp({ github, agents: { sleeper: "sleep.sh" } });
 *     const app = await startApp(setup);           // resolves once GET /healthz answers
 *     await app.deliver("issue_comment", payload); // signed like GitHub's
 *     await app.kill();                            // SIGKILL, nothing else
 *     const again = await startApp(setup);         // same env, a new port
 *     await cleanupApp(setup);                     // kills what is left, removes the temp root
 *
 * Webhooks go over HTTP with a real signature; the test reads the same
 * database with src/store and the fake's recorded state.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FakeGitHubServer } from "../fakes/github-server.js";
import { createRemote, type Remote } from "./git-remote.js";
import { freePort } from "./free-port.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = path.join(REPO_ROOT, "src", "main.ts");
const AGENTS_DIR = path.join(REPO_ROOT, "test", "fixtures", "agents");
const PRIVATE_KEY = fs.readFileSync(path.join(REPO_ROOT, "test", "fixtures", "mock-cert.pem"), "utf8");
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export const APP_OWNER = "acme";
export const APP_REPO = "widgets";
export const APP_WEBHOOK_SECRET = "restart-test-secret-0123456789";
const WEBHOOK_SECRET = APP_WEBHOOK_SECRET;
export const APP_PRIVATE_KEY = PRIVATE_KEY;
/** Fixed, so a restarted orch recognises the attempts the killed one ran. */
const HOST_ID = "restart-host";

/** Variables copied from the test's environment; everything else is set here. */
const INHERITED_ENV = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR", "TZ"];

export interface AppSetup {
  root: string;
  /** The child's working directory: empty, so no `.env` or `orch.config.yml` is picked up. */
  cwd: string;
  /** ORCH_HOME. */
  home: string;
  databaseUrl: string;
  configPath: string;
  remote: Remote;
  github: FakeGitHubServer;
  /** The child's environment, except PORT (each start gets a free one). */
  env: Record<string, string>;
  /** Every process started on this setup, newest last. */
  processes: AppProcess[];
}

/** A fixture agent of test/fixtures/agents, by script name, or with its registry settings. */
export type AppAgent = string | { script: string; sandbox?: "bwrap" | "none"; env?: string[]; timeout?: string };

/**
 * Makes the temp root and everything the app needs there. `agents` maps a
 * registry name to a script in test/fixtures/agents; the first is the default.
 * Agents run in orch's sandbox unless their entry says `sandbox: none`.
 */
export async function prepareApp(params: {
  github: FakeGitHubServer;
  agents: Record<string, AppAgent>;
  maxRunning?: number;
  /** Extra environment for the app (and so for the agents that list the names). */
  env?: Record<string, string>;
  /** Where the temp root goes (default os.tmpdir()); see visible-dir.ts for layouts the sandbox must hide itself. */
  parentDir?: string;
  /** Also give the app its private key as a file (PRIVATE_KEY_PATH), at `<root>/keys/app.pem`. */
  keyFile?: boolean;
  /** One host of several (test/helpers/cluster.ts): their shared database and remote, and this host's id and role. */
  host?: { databaseUrl: string; remote: Remote; id: string; role: "all" | "web" | "worker" };
  /** More lines for orch.config.yml (top-level keys not written here, e.g. `scale:`). */
  config?: string[];
  /** concurrency.max_running_per_host. */
  maxRunningPerHost?: number;
}): Promise<AppSetup> {
  const root = fs.mkdtempSync(path.join(params.parentDir ?? os.tmpdir(), "orch-app-"));
  const cwd = path.join(root, "cwd");
  const home = path.join(root, "home");
  fs.mkdirSync(cwd);
  const remote =
    params.host?.remote ??
    (await createRemote({ root: path.join(root, "remotes"), owner: APP_OWNER, repo: APP_REPO, files: { "README.md": "# widgets\n" } }));
  const databaseUrl = params.host?.databaseUrl ?? `file:${path.join(root, "orch.db")}`;
  const configPath = path.join(root, "orch.config.yml");
  const names = Object.keys(params.agents);
  fs.writeFileSync(
    configPath,
    [
      `default_agent: ${names[0]}`,
      "agents:",
      ...names.flatMap((name) => {
        const raw = params.agents[name]!;
        const agent = typeof raw === "string" ? { script: raw } : raw;
        return [
          `  ${name}:`,
          `    command: ${JSON.stringify([path.join(AGENTS_DIR, agent.script), "{prompt}"])}`,
          `    timeout: ${agent.timeout ?? "5m"}`,
          ...(agent.sandbox ? [`    sandbox: ${agent.sandbox}`] : []),
          ...(agent.env ? [`    env: ${JSON.stringify(agent.env)}`] : []),
        ];
      }),
      // The fixture agents live in this repository, which may lie under a folder every sandbox hides (/tmp, /root).
      "sandbox:",
      `  expose: ${JSON.stringify([AGENTS_DIR])}`,
      "concurrency:",
      `  max_running: ${params.maxRunning ?? 4}`,
      `  per_repository: ${params.maxRunning ?? 4}`,
      ...(params.maxRunningPerHost ? [`  max_running_per_host: ${params.maxRunningPerHost}`] : []),
      "kill_grace: 1s",
      ...(params.config ?? []),
      "",
    ].join("\n"),
  );
  const inherited = Object.fromEntries(INHERITED_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));
  const env: Record<string, string> = {
    ...inherited,
    NODE_ENV: "test",
    APP_ID: "123",
    PRIVATE_KEY,
    WEBHOOK_SECRET,
    HOST: "127.0.0.1",
    GHE_HOST: params.github.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "debug",
    LOG_FORMAT: "json",
    DATABASE_URL: databaseUrl,
    ORCH_HOME: home,
    ORCH_CONFIG: configPath,
    ORCH_GIT_BASE_URL: remote.url,
    ORCH_HOST_ID: params.host?.id ?? HOST_ID,
    ...(params.host ? { ORCH_ROLE: params.host.role } : {}),
    TSX_TSCONFIG_PATH: path.join(REPO_ROOT, "tsconfig.json"),
    ...params.env,
  };
  if (params.keyFile) {
    fs.mkdirSync(path.join(root, "keys"), { mode: 0o700 });
    fs.writeFileSync(path.join(root, "keys", "app.pem"), PRIVATE_KEY, { mode: 0o600 });
    env.PRIVATE_KEY_PATH = path.join(root, "keys", "app.pem");
  }
  return { root, cwd, home, databaseUrl, configPath, remote, github: params.github, env, processes: [] };
}

export class AppProcess {
  /** stdout and stderr, interleaved as they came. */
  private readonly chunks: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => this.chunks.push(chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => this.chunks.push(chunk.toString("utf8")));
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.chunks.join("");
  }

  /** Delivers a webhook the way GitHub does (signed, over HTTP); throws unless it is answered 2xx. */
  async deliver(name: string, payload: unknown, deliveryId: string = crypto.randomUUID()): Promise<void> {
    const body = JSON.stringify(payload);
    const signature = crypto.createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex");
    const response = await fetch(`${this.url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": name,
        "x-github-delivery": deliveryId,
        "x-hub-signature-256": `sha256=${signature}`,
      },
      body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`webhook ${name} answered ${response.status}: ${text}`);
  }

  /** `kill -9` the app itself (not its process group: agents and git must fend for themselves). */
  async kill(): Promise<void> {
    if (this.isRunning) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** Starts `node --import tsx src/main.ts` on `setup` and resolves once it answers GET /healthz (which a worker serves too). */
export async function startApp(setup: AppSetup, timeoutMs = 30_000): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN], {
    cwd: setup.cwd,
    env: { ...setup.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so cleanup can take any git it left behind with it.
    detached: true,
  });
  const app = new AppProcess(child, port);
  setup.processes.push(app);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!app.isRunning) {
      const { code, signal } = await app.exited;
      throw new Error(`orch exited (${signal ?? `code ${code}`}) before it listened:\n${app.output()}`);
    }
    try {
      const response = await fetch(`${app.url}/healthz`);
      if (response.ok && (await response.text()) === "ok") return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.kill();
      throw new Error(`orch did not answer /healthz within ${timeoutMs} ms:\n${app.output()}`);
    }
    await sleep(100);
  }
}

/**
 * Kills every app process of the setup (and its process group), then every
 * agent process group left running under ORCH_HOME, then removes the temp root.
 */
export async function cleanupApp(setup: AppSetup): Promise<void> {
  for (const app of setup.processes) {
    if (app.isRunning) {
      signalGroup(app.pid, "SIGKILL");
      await app.kill();
    }
  }
  killLeftoverAgents(setup.home);
  fs.rmSync(setup.root, { recursive: true, force: true });
}

/**
 * SIGKILLs every process still working for one of this setup's attempts:
 * its environment names an attempt folder under ORCH_HOME (sandboxed agents
 * end with orch; agents run with `sandbox: none` and what they started may
 * not), so a recycled pid is never touched.
 */
export function killLeftoverAgents(home: string): void {
  if (!fs.existsSync(home)) return;
  const prefix = `ORCH_ATTEMPT_DIR=${path.join(fs.realpathSync.native(home), "attempts")}${path.sep}`;
  const plainPrefix = `ORCH_ATTEMPT_DIR=${path.join(home, "attempts")}${path.sep}`;
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const environ = readOrEmpty(`/proc/${pid}/environ`).split("\0");
    if (!environ.some((line) => line.startsWith(prefix) || line.startsWith(plainPrefix))) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "latin1");
  } catch {
    return "";
  }
}

