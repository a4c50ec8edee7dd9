/**
 * `orch doctor`: what a new installation gets wrong, one line per check,
 * each failure with what to do about it. ✓ fine, ! works but worth a look,
 * ✗ orch will not work until it is fixed. The checks run in the order a
 * newcomer meets them, and the last line repeats the first thing to do.
 *
 * Nothing here changes anything: the database is not created or migrated,
 * no GitHub state is touched (GET /app only), the sandbox probe is the one
 * `npm start` runs.
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../config/config-error.js";
import { loadServerConfig, type ServerConfig } from "../config/server-config.js";
import { createAppOctokit, apiBaseUrl, readAppCredentials } from "../github/rest-octokit.js";
import { checkSandbox } from "../sandbox/check-sandbox.js";
import { findExecutable } from "../sandbox/find-executable.js";
import { collectKnownSecrets } from "../secrets/collect-known-secrets.js";
import { Redactor } from "../secrets/redactor.js";
import { readSettings, type Settings } from "../settings.js";
import { findPendingMigrations } from "../store/db.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckResult {
  status: CheckStatus;
  /** What was found, for every status. */
  text: string;
  /** What to do; for warn and fail. */
  fix?: string;
}

const MARK: Record<CheckStatus, string> = { ok: "✓", warn: "!", fail: "✗" };
/** How long a network check waits (GitHub, ORCH_PUBLIC_URL). */
const NETWORK_TIMEOUT_MS = 10_000;

export interface DoctorIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  out(text: string): void;
}

/** Runs every check and prints it as it completes; resolves the exit code: 0 when nothing failed, else 1. */
export async function runDoctor(io: DoctorIo): Promise<number> {
  const results: CheckResult[] = [];
  const { env, cwd } = io;
  // An error from the database driver or GitHub could quote a URL with its password, or a key: never print orch's secrets.
  const redactor = new Redactor({ known: collectKnownSecrets({ env, agentEnvNames: [], ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}) }) });
  const report = (result: CheckResult) => {
    results.push(result);
    io.out(redactor.redactKnown(`${MARK[result.status]} ${result.text}${result.fix ? ` — ${result.fix}` : ""}`));
  };
  const setupUrl = `http://localhost:${env.PORT || "3000"}`;

  if (!fs.existsSync(path.join(cwd, ".env")) && !env.APP_ID) {
    report({ status: "warn", text: `no .env in ${cwd}`, fix: `on a new installation, \`npm start\` and ${setupUrl} make one (or run this in orch's folder)` });
  }

  // The GitHub App first: on a new installation, registering it is the first step, and it writes .env.
  for (const result of await checkApp(env, cwd, setupUrl)) report(result);
  report(
    env.WEBHOOK_SECRET?.trim()
      ? { status: "ok", text: "WEBHOOK_SECRET is set" }
      : {
          status: "fail",
          text: "no WEBHOOK_SECRET: orch cannot check that webhooks come from GitHub",
          fix: `set it to the GitHub App's webhook secret in .env (registering the app through \`npm start\` and ${setupUrl} writes it)`,
        },
  );
  for (const result of await checkPublicUrl(env)) report(result);

  let settings: Settings | undefined;
  try {
    settings = readSettings(env, cwd);
    report({ status: "ok", text: `settings: ${settings.databaseProvider} database, ORCH_HOME ${settings.home}, host ${settings.host} (${settings.role})` });
  } catch (error) {
    report({ status: "fail", text: `settings: ${messageOf(error)}` });
  }
  const config = settings ? checkConfig(settings, report) : undefined;
  if (config) {
    for (const agent of Object.values(config.agents)) report(checkAgentCommand({ name: agent.name, program: agent.command[0] ?? "", env, cwd }));
    report(await checkSandboxWorks(config, env));
  }
  report(checkGit(env, cwd));
  if (settings) report(await checkDatabase(settings, cwd));

  const failures = results.filter((result) => result.status === "fail");
  if (failures.length === 0) {
    io.out(results.some((result) => result.status === "warn") ? "No problems; look at the ! lines when you can." : "All checks passed.");
    return 0;
  }
  const first = failures[0]!;
  io.out(redactor.redactKnown(`${failures.length === 1 ? "1 problem" : `${failures.length} problems`}. Next: ${first.fix ?? first.text}`));
  return 1;
}

function checkConfig(settings: Settings, report: (result: CheckResult) => void): ServerConfig | undefined {
  if (settings.isExampleConfig && !fs.existsSync(settings.configPath)) {
    report({
      status: "fail",
      text: `config: no orch.config.yml in ${path.dirname(settings.configPath)}, and no orch.config.example.yml either: is this orch's folder?`,
      fix: "run `npx orch doctor` in orch's folder, or set ORCH_CONFIG to your config file",
    });
    return undefined;
  }
  if (settings.isExampleConfig) {
    report({
      status: "warn",
      text: `no orch.config.yml, so the example's agents are used (${path.basename(settings.configPath)})`,
      fix: "cp orch.config.example.yml orch.config.yml and keep the agents you have installed",
    });
  }
  if (!fs.existsSync(settings.configPath)) {
    report({
      status: "fail",
      text: `config: there is no file at ${settings.configPath} (ORCH_CONFIG)`,
      fix: "cp orch.config.example.yml to it, or point ORCH_CONFIG at your config file",
    });
    return undefined;
  }
  try {
    const config = loadServerConfig(settings.configPath);
    const names = Object.keys(config.agents);
    report({ status: "ok", text: `config ${settings.configPath} is valid: ${names.length === 1 ? "1 agent" : `${names.length} agents`} (${names.join(", ")}), default ${config.defaultAgent}` });
    return config;
  } catch (error) {
    // A ConfigError's lines name every bad key; one line here, the first problem with a count.
    const lines = messageOf(error)
      .split("\n")
      .filter(Boolean)
      .map((line) => (line.startsWith(`${settings.configPath}: `) ? line.slice(settings.configPath.length + 2) : line));
    report({
      status: "fail",
      text: `config ${settings.configPath}: ${lines.slice(0, 3).join("; ")}${lines.length > 3 ? `; and ${lines.length - 3} more` : ""}`,
      fix: "fix those keys (orch.config.example.yml shows each one)",
    });
    return undefined;
  }
}

function checkAgentCommand(params: { name: string; program: string; env: NodeJS.ProcessEnv; cwd: string }): CheckResult {
  const { name, program, env, cwd } = params;
  const found = program.includes("/") ? (fs.existsSync(path.resolve(cwd, program)) ? path.resolve(cwd, program) : undefined) : findExecutable(program, env.PATH, cwd);
  if (found) return { status: "ok", text: `agent ${name}: ${found}` };
  return {
    status: "fail",
    text: `agent ${name}: its command ${JSON.stringify(program)} is not ${program.includes("/") ? "there" : "on PATH"}`,
    fix: `install it (docs/agents.md says how), or change or remove agents.${name} in the config`,
  };
}

async function checkSandboxWorks(config: ServerConfig, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const sandboxed = Object.values(config.agents).filter((agent) => agent.sandbox === "bwrap");
  const unsandboxed = Object.values(config.agents).filter((agent) => agent.sandbox === "none").map((agent) => agent.name);
  if (sandboxed.length === 0) {
    return { status: "warn", text: `sandbox: no agent uses it (sandbox: none on ${unsandboxed.join(", ")})`, fix: "remove `sandbox: none` unless each agent runs in a container of its own" };
  }
  const check = await checkSandbox(env.ORCH_BWRAP ? { bwrap: env.ORCH_BWRAP } : {});
  if (!check.ok) return { status: "fail", text: "sandbox: agents cannot be sandboxed here", fix: check.problem };
  if (unsandboxed.length) {
    return { status: "warn", text: `sandbox: bubblewrap ${check.version} works (${check.bwrap}), but ${unsandboxed.join(", ")} run without it`, fix: "remove `sandbox: none` unless they run in a container of their own" };
  }
  return { status: "ok", text: `sandbox: bubblewrap ${check.version} works (${check.bwrap})` };
}

function checkGit(env: NodeJS.ProcessEnv, cwd: string): CheckResult {
  const git = findExecutable("git", env.PATH, cwd);
  return git ? { status: "ok", text: `git: ${git}` } : { status: "fail", text: "git is not on PATH", fix: "install git (apt-get install git)" };
}

async function checkDatabase(settings: Settings, cwd: string): Promise<CheckResult> {
  const { databaseUrl, databaseProvider } = settings;
  // Never the URL itself: a PostgreSQL one may hold a password.
  const name = databaseProvider === "sqlite" ? databaseUrl : "PostgreSQL (DATABASE_URL)";
  if (databaseProvider === "sqlite") {
    const file = databaseUrl.slice("file:".length).replace(/\?.*$/, "");
    if (file !== ":memory:" && !fs.existsSync(path.resolve(cwd, file))) {
      return { status: "warn", text: `database ${name} does not exist yet`, fix: "`npm start` creates and migrates it" };
    }
  }
  let pending: string[];
  try {
    pending = await findPendingMigrations(databaseUrl);
  } catch (error) {
    return {
      status: "fail",
      text: `database ${name} cannot be reached: ${firstLine(messageOf(error))}`,
      fix: databaseProvider === "postgresql" ? "check DATABASE_URL's host, port, user and password, and that the server runs" : "check DATABASE_URL and the file's permissions",
    };
  }
  if (pending.length) {
    return {
      status: "fail",
      text: `database ${name} lacks ${pending.length === 1 ? "1 migration" : `${pending.length} migrations`} (${pending.length > 3 ? `${pending[0]} … ${pending.at(-1)}` : pending.join(", ")})`,
      fix: "`npm run db:deploy`, or `npm start`, which applies them",
    };
  }
  return { status: "ok", text: `database ${name} is reachable and migrated` };
}

async function checkApp(env: NodeJS.ProcessEnv, cwd: string, setupUrl: string): Promise<CheckResult[]> {
  const credentials = readAppCredentials(env, cwd);
  const register = `run \`npm start\`, open ${setupUrl} and register the GitHub App; Probot writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env`;
  if ("kind" in credentials) {
    switch (credentials.kind) {
      case "no_app_id":
        return [{ status: "fail", text: "no APP_ID", fix: register }];
      case "no_private_key":
        return [
          { status: "ok", text: `APP_ID is ${env.APP_ID}` },
          { status: "fail", text: "no private key (PRIVATE_KEY or PRIVATE_KEY_PATH)", fix: "generate one on the GitHub App's settings page and set PRIVATE_KEY_PATH to the .pem file in .env" },
        ];
      case "bad_private_key":
        return [
          { status: "ok", text: `APP_ID is ${env.APP_ID}` },
          { status: "fail", text: `the private key cannot be used: ${credentials.why}`, fix: "set PRIVATE_KEY to the .pem file's whole text, or PRIVATE_KEY_PATH to the file" },
        ];
    }
  }
  const baseUrl = apiBaseUrl(env);
  try {
    const octokit = createAppOctokit({ credentials, env });
    const { data } = await octokit.request("GET /app", { request: { signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS) } });
    const app = data as { id?: number; slug?: string; name?: string } | null;
    if (app && String(app.id) !== credentials.appId) {
      return [{ status: "fail", text: `GitHub says the private key belongs to app ${app.id}, but APP_ID is ${credentials.appId}`, fix: "set APP_ID to the id on the app's settings page" }];
    }
    return [{ status: "ok", text: `GitHub (${baseUrl}) accepts the app's credentials: ${app?.slug ?? app?.name ?? "the app"} (APP_ID ${credentials.appId})` }];
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401 || status === 403) {
      return [
        {
          status: "fail",
          text: `GitHub (${baseUrl}) refused the app's credentials (${status}): APP_ID ${credentials.appId} and the private key do not belong together, or the key was revoked`,
          fix: "generate a new private key on the app's settings page, or fix APP_ID",
        },
      ];
    }
    return [
      {
        status: "fail",
        text: `could not ask GitHub (${baseUrl}) about the app: ${status ? `it answered ${status}` : firstLine(messageOf(error))}`,
        fix: env.GHE_HOST ? "check GHE_HOST and GHE_PROTOCOL, and that this machine reaches it" : "check that this machine reaches api.github.com (a proxy? HTTPS_PROXY)",
      },
    ];
  }
}

/** ORCH_PUBLIC_URL: where GitHub's links and webhooks reach orch; read here from the environment directly. */
async function checkPublicUrl(env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const health = await checkPublicHealth(env);
  if (health.status !== "ok" || !env.ORCH_PUBLIC_URL) return [health];
  return [health, await checkPublicMetrics(env.ORCH_PUBLIC_URL.trim())];
}

/** /metrics names hosts and agents: behind ORCH_PUBLIC_URL it should ask for ORCH_METRICS_TOKEN (or the proxy should keep it in). */
async function checkPublicMetrics(publicUrl: string): Promise<CheckResult> {
  const metrics = new URL("metrics", publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`);
  try {
    const response = await fetch(metrics, { signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS), redirect: "manual" });
    await response.body?.cancel();
    if (response.status !== 200) return { status: "ok", text: `ORCH_PUBLIC_URL's /metrics is not open to anyone (it answered ${response.status})` };
    return {
      status: "warn",
      text: `ORCH_PUBLIC_URL's ${metrics.href} answers anyone (it names hosts and agents)`,
      fix: "set ORCH_METRICS_TOKEN (`openssl rand -hex 32`) and give Prometheus the same as its bearer token, or keep /metrics in at the proxy",
    };
  } catch {
    return { status: "ok", text: "ORCH_PUBLIC_URL's /metrics does not answer from here" };
  }
}

async function checkPublicHealth(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const raw = env.ORCH_PUBLIC_URL?.trim();
  const fix = "set ORCH_PUBLIC_URL in .env to the address GitHub and browsers reach orch at, like https://orch.example.com (check runs link to its attempt pages)";
  // Optional: without it, check runs and the status comment link the thread instead of the attempt page.
  if (!raw) return { status: "warn", text: "no ORCH_PUBLIC_URL, so check runs link the thread, not orch's attempt pages", fix };
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    return { status: "fail", text: `ORCH_PUBLIC_URL is not an http(s) address: ${JSON.stringify(raw.slice(0, 80))}`, fix };
  }
  const healthz = new URL("healthz", url.href.endsWith("/") ? url.href : `${url.href}/`);
  try {
    const response = await fetch(healthz, { signal: AbortSignal.timeout(NETWORK_TIMEOUT_MS), redirect: "manual" });
    if (response.ok) return { status: "ok", text: `ORCH_PUBLIC_URL ${url.origin}${url.pathname.replace(/\/$/, "")} answers /healthz` };
    return { status: "fail", text: `ORCH_PUBLIC_URL's ${healthz.href} answered ${response.status}`, fix: "point it at orch itself (not a page in front of it), and check the proxy in between" };
  } catch (error) {
    return {
      status: "fail",
      text: `ORCH_PUBLIC_URL's ${healthz.href} does not answer: ${firstLine(causeOf(error))}`,
      fix: "start orch (`npm start`) and check that the address reaches it from here",
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof ConfigError || error instanceof Error ? error.message : String(error);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? messageOf(error);
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.slice(0, 200);
}
