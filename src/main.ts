/**
 * `npm start`: reads .env, loads the agent registry, checks that agents can
 * be sandboxed, opens and migrates the database, then serves the webhooks: orch's intake in front of Probot
 * (src/github/serve-app.ts), or, with no APP_ID yet, Probot's setup page that
 * registers the app from app.yml. Every role also serves /healthz and
 * /metrics (src/github/ops-routes.ts) on its port.
 */
import fs from "node:fs";
import { Registry } from "prom-client";
import { createApp } from "./app.js";
import { ConfigError } from "./config/config-error.js";
import { loadServerConfig } from "./config/server-config.js";
import { prepareContainment } from "./containment.js";
import { createOpsRoutes } from "./github/ops-routes.js";
import { serveApp, serveWorker } from "./github/serve-app.js";
import { HealthCheck } from "./health/health-check.js";
import { createMetrics } from "./metrics/metrics.js";
import { controlSocketPath } from "./queue/control-socket.js";
import { createLocalQueue } from "./queue/local-queue.js";
import { createPgQueue } from "./queue/pg-queue.js";
import type { Orch } from "./orch.js";
import { readSettings } from "./settings.js";
import { listCommittedMigrations, migrateDatabase, openDb } from "./store/db.js";
import { createStore } from "./store/store.js";

async function main(): Promise<void> {
  if (fs.existsSync(".env")) process.loadEnvFile(".env");
  const settings = readSettings(process.env);
  const config = loadServerConfig(settings.configPath);
  if (settings.isExampleConfig) {
    console.warn(
      `orch: no orch.config.yml here, so the agents of ${settings.configPath} are used. Copy it to orch.config.yml (or set ORCH_CONFIG) and adjust it.`,
    );
  }
  // Before anything else: a host that cannot sandbox agents does not start (see containment.ts).
  const { sandbox, redactor, warnings } = await prepareContainment({ config, env: process.env, databaseUrl: settings.databaseUrl });
  for (const warning of warnings) console.warn(warning);
  await migrateDatabase(settings.databaseUrl);
  // Hosts sharing PostgreSQL hand each other work through it; one SQLite process keeps it in memory,
  // and hears the operator's `npx orch` on a socket in ORCH_HOME.
  const queue =
    settings.databaseProvider === "postgresql"
      ? createPgQueue({ connectionString: settings.databaseUrl, host: settings.host })
      : createLocalQueue({ socketPath: controlSocketPath(settings.home) });
  const store = createStore({ db: await openDb(settings.databaseUrl), provider: settings.databaseProvider, onQueued: queue.onQueued });
  fs.mkdirSync(settings.home, { recursive: true });
  // This process's one metrics registry: everything that records or serves a metric is handed it.
  const registry = new Registry();
  const metrics = createMetrics({ registry, store, log: consoleLog });

  let orch: Orch | undefined;
  const app = createApp(
    {
      store,
      config,
      home: settings.home,
      gitBaseUrl: settings.gitBaseUrl,
      host: settings.host,
      role: settings.role,
      queue,
      env: process.env,
      sandbox,
      redactor,
      metrics,
      ...(settings.pageSecret ? { page: { publicUrl: settings.publicUrl, secret: settings.pageSecret } } : {}),
    },
    (started) => (orch = started),
  );
  const health = new HealthCheck({
    store,
    committedMigrations: listCommittedMigrations(settings.databaseProvider),
    heartbeat: () => orch?.lastHeartbeat(),
    log: consoleLog,
  });
  const serve = { routes: createOpsRoutes({ health, registry, metricsToken: settings.metricsToken }), onGitHubError: metrics.githubRequestFailed };
  await (settings.role === "worker" ? serveWorker(app, serve) : serveApp(app, serve));

  const shutdown = async (signal: string) => {
    console.warn(`orch: ${signal}, stopping agents and exiting`);
    await orch?.stop();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

/** For /healthz and /metrics, which start before the app's logger: lines like main's own warnings. */
const consoleLog = {
  warn: (fields: { err?: unknown }, message: string) =>
    console.warn(`orch: ${message}${fields.err === undefined ? "" : ` (${fields.err instanceof Error ? fields.err.message.replace(/\s+/g, " ").trim() : String(fields.err)})`}`),
  info: (message: string) => console.warn(`orch: ${message}`),
};

// An operator's mistake (a bad config file, DATABASE_URL or ORCH_GIT_BASE_URL, no sandbox) is
// a ConfigError whose lines say what is wrong and what would be right; a stack would bury them.
main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
