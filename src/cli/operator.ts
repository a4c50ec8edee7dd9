/**
 * What the operator's command line works with: the settings, config and
 * database `npm start` uses, the same redactor, and, for the verbs that act,
 * the same pipeline pieces (cancel-attempt.ts, cleanup-attempt.ts, the
 * verbs of src/commands/verbs/) with an AttemptReporter that talks to GitHub
 * as the app (rest-octokit.ts).
 *
 * The command line runs no agent and holds no attempt, so whatever a running
 * server must do goes to it (server-channel.ts): on SQLite over the local
 * queue's socket in ORCH_HOME, on PostgreSQL over the hosts' pg-boss queue.
 * When no server listens, cancel and cleanup act in the store (and on this
 * machine's worktrees) directly, and a retry's attempt waits, queued, for the
 * server to come up.
 */
import fs from "node:fs";
import path from "node:path";
import { pino, type Logger } from "pino";
import type { AttemptControls, VerbDeps } from "../commands/verb.js";
import { createAttemptButtons } from "../commands/verbs/buttons.js";
import { loadServerConfig, type ServerConfig } from "../config/server-config.js";
import { createServerRedactor } from "../containment.js";
import { createInstallationOctokits, readAppCredentials, type CredentialsProblem } from "../github/rest-octokit.js";
import { createGitHubFactory, type ThreadClient } from "../github/thread-client.js";
import { AttemptReporter } from "../pipeline/attempt-reporter.js";
import { Background } from "../pipeline/background.js";
import { cancelAttempt } from "../pipeline/cancel-attempt.js";
import { cleanupAttempt } from "../pipeline/cleanup-attempt.js";
import type { ThreadAddress } from "../pipeline/ports.js";
import type { Redactor } from "../secrets/redactor.js";
import { readSettings, type Settings } from "../settings.js";
import { openDb } from "../store/db.js";
import { createStore, type Store } from "../store/store.js";
import { createAttemptUrl } from "../web/page-token.js";
import { RepoCache } from "../workspace/repo-cache.js";
import { CliError } from "./cli-error.js";
import { openServerChannel, type ServerChannel } from "./server-channel.js";

/**
 * The host id the command line acts as. Host ids are letters, digits, `_`
 * and `-` (settings.ts), so this one is never a real host's: everything an
 * attempt's host must do is routed to that host, never done here by mistake.
 */
export const OPERATOR_HOST = "(operator)";

/** What the operator is called in summaries and replies. */
export const OPERATOR = "the operator";

export interface ReadOnlyOperator {
  settings: Settings;
  config: ServerConfig;
  store: Store;
  redactor: Redactor;
  log: Logger;
  close(): Promise<void>;
}

export interface ActingOperator extends ReadOnlyOperator {
  /** GitHub for one thread, as the app's installation; every request passes the redactor. */
  github: (thread: ThreadAddress) => ThreadClient;
  reporter: AttemptReporter;
  /** What the verbs get: the same controls as the server's, reaching it where it must act. */
  verbDeps: VerbDeps;
  /** Whether the wake-ups the verbs sent so far reached a running server (none sent: true). */
  whenWoken(): Promise<boolean>;
  channel: ServerChannel;
}

/** Reads the settings and config (`env` already holds .env), and opens the database. */
export async function openOperator(params: { env: NodeJS.ProcessEnv; cwd: string }): Promise<ReadOnlyOperator> {
  const { settings, config, redactor, log } = readBasics(params);
  const store = createStore({ db: await openDb(settings.databaseUrl), provider: settings.databaseProvider });
  return { settings, config, store, redactor, log, close: () => store.close() };
}

/** What every verb reads first: settings, config, the redactor that knows orch's secrets, a logger. */
function readBasics(params: { env: NodeJS.ProcessEnv; cwd: string }) {
  const { env, cwd } = params;
  const settings = readSettings(env, cwd);
  const config = loadServerConfig(settings.configPath);
  assertDatabaseExists(settings, cwd);
  const redactor = createServerRedactor({ config, env, databaseUrl: settings.databaseUrl });
  return { settings, config, redactor, log: createCliLogger(env, redactor) };
}

/**
 * As openOperator, plus GitHub (the app's credentials are required: an
 * action that cannot report would leave GitHub showing a stale state) and
 * the channel to the running server.
 */
export async function openActingOperator(params: { env: NodeJS.ProcessEnv; cwd: string }): Promise<ActingOperator> {
  const { env, cwd } = params;
  const credentials = readAppCredentials(env, cwd);
  if ("kind" in credentials) throw new CliError(describeCredentialsProblem(credentials));
  const { settings, config, redactor, log } = readBasics(params);
  const channel = await openServerChannel({ settings, log });
  const store = createStore({ db: await openDb(settings.databaseUrl), provider: settings.databaseProvider, onQueued: channel.onQueued });
  const background = new Background();
  const github = createGitHubFactory(createInstallationOctokits({ credentials, env }), redactor);
  // Check runs it reports link the attempt page as the server's do.
  const attemptUrl = settings.pageSecret ? createAttemptUrl({ publicUrl: settings.publicUrl, secret: settings.pageSecret }) : undefined;
  const reporter = new AttemptReporter({
    store,
    github,
    buttons: createAttemptButtons({ agentCount: Object.keys(config.agents).length }),
    home: settings.home,
    host: OPERATOR_HOST,
    background,
    log,
    ...(attemptUrl ? { attemptUrl } : {}),
  });
  const cache = new RepoCache({ home: settings.home, gitBaseUrl: settings.gitBaseUrl });
  const route = channel.route;
  // The command line holds no agent: its "scheduler" has nothing to abort.
  const scheduler = { cancel: () => false };
  const wakes: Promise<boolean>[] = [];
  const attempts: AttemptControls = {
    wake: () => {
      const woken = channel.wake().catch((error: unknown) => {
        log.warn({ err: error }, "could not wake the server");
        return false;
      });
      wakes.push(woken);
      void background.track(woken);
    },
    cancel: (context, reason) => cancelAttempt({ store, reporter, scheduler, host: OPERATOR_HOST, route }, { context, reason }),
    whenSettled: async () => {},
    cleanup: (context) => cleanupAttempt({ store, cache, reporter, host: OPERATOR_HOST, route }, { context }),
    pick: async () => ({ kind: "refused", why: "pick is not available from the command line; comment `/orch pick` on the thread" }),
    verify: async () => {
      throw new CliError("verify is not available from the command line; comment `/orch verify` on the thread");
    },
    refreshStatus: (threadId) => reporter.refreshStatus(threadId),
    refreshStatusNow: (threadId) => reporter.refreshStatusNow(threadId),
  };
  return {
    settings,
    config,
    store,
    redactor,
    log,
    github,
    reporter,
    channel,
    verbDeps: { store, config, attempts, log },
    whenWoken: async () => (await Promise.all(wakes)).every(Boolean),
    close: async () => {
      await background.whenIdle();
      await cache.whenIdle();
      await channel.close();
      await store.close();
    },
  };
}

/** One line that says what to set: the command line's version of doctor's advice. */
export function describeCredentialsProblem(problem: CredentialsProblem): string {
  switch (problem.kind) {
    case "no_app_id":
      return "APP_ID is not set, so orch cannot report to GitHub. Run this in orch's folder (where .env is), or run `npx orch doctor` to see what is missing.";
    case "no_private_key":
      return "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set, so orch cannot report to GitHub. Run this in orch's folder (where .env is), or run `npx orch doctor`.";
    case "bad_private_key":
      return `the app's private key cannot be used: ${problem.why}`;
  }
}

/**
 * A SQLite file that does not exist would be created empty by opening it;
 * the operator most likely runs the command in the wrong folder.
 */
function assertDatabaseExists(settings: Settings, cwd: string): void {
  if (settings.databaseProvider !== "sqlite") return;
  const file = settings.databaseUrl.slice("file:".length).replace(/\?.*$/, "");
  if (file === ":memory:") return;
  if (!fs.existsSync(path.resolve(cwd, file))) {
    throw new CliError(
      `there is no database at ${settings.databaseUrl}: run this in orch's folder (where .env is), set DATABASE_URL to the server's, or start orch once with \`npm start\` to create it.`,
    );
  }
}

/** Warnings and errors of the pipeline pieces, one readable line each on stderr (LOG_LEVEL=debug for more). */
function createCliLogger(env: NodeJS.ProcessEnv, redactor: Redactor): Logger {
  const level = env.ORCH_CLI_LOG_LEVEL || "warn";
  return pino(
    { level, base: null, timestamp: false },
    {
      write(line: string) {
        try {
          const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          process.stderr.write(redactor.redactKnown(`orch: ${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""}\n`));
        } catch {
          process.stderr.write(redactor.redactKnown(line));
        }
      },
    },
  );
}
