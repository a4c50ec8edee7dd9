/**
 * What `npm start` serves, read from the environment as Probot's `run(app)`
 * reads it: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET,
 * WEBHOOK_PATH, GHE_HOST, GHE_PROTOCOL, LOG_*, SENTRY_DSN, REDIS_URL, HOST
 * (default localhost) and PORT (default 3000). With an app id and a key it
 * serves orch's webhook server (webhook-server.ts); without them it leaves
 * everything to `run(app)`: its setup page that registers the app from
 * app.yml (and makes a smee.io channel for it), or, under NODE_ENV=production,
 * its error. WEBHOOK_PROXY_URL forwards a smee channel's webhooks to the
 * webhook route, as under Probot's own server. A worker serves no webhooks at
 * all (serveWorker). `ServeOptions` adds main.ts's /healthz and /metrics
 * to either server, and the GitHub error counter to its Octokit.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseEnv } from "node:util";
import { createProbot, run, type ApplicationFunction, type Options, type Probot } from "probot";
import { SmeeClient } from "smee-client";
import { ConfigError } from "../config/config-error.js";
import { octokitFromEnv } from "./probot-octokit.js";
import { startWebhookServer, type HttpRoute, type WebhookServer } from "./webhook-server.js";

export interface ServeOptions {
  /** Routes beside the webhook, and a worker's only ones (ops-routes.ts: /healthz, /metrics). */
  routes?: HttpRoute;
  /** Told the HTTP status of every GitHub request that fails (probot-octokit.ts). */
  onGitHubError?: (status: number | undefined) => void;
}

/** Resolves once the server listens; undefined in setup mode. */
export async function serveApp(appFn: ApplicationFunction, options: ServeOptions = {}): Promise<WebhookServer | undefined> {
  loadDotEnv();
  const probot = makeProbot(options);
  if (!probot) {
    // No app id or private key yet: Probot's setup page, which makes a smee channel for the new app.
    await run(appFn, { SmeeClient });
    return undefined;
  }
  await probot.ready();
  probot.log.info(`Running Probot v${probot.version} (Node.js: ${process.versions.node})`);
  const env = process.env;
  const server = await startWebhookServer({ probot, appFn, host: env.HOST || "localhost", port: Number(env.PORT) || 3000, routes: options.routes });
  return env.WEBHOOK_PROXY_URL ? withWebhookProxy(server, { source: env.WEBHOOK_PROXY_URL, path: probot.webhookPath, log: probot.log }) : server;
}

/**
 * Development with Probot's conventions: WEBHOOK_PROXY_URL names a smee.io
 * channel (or any smee server) whose events are forwarded to the webhook
 * route, as Probot's own server does. The payloads still pass the intake's
 * size limit and signature check: smee forwards GitHub's headers unchanged.
 */
async function withWebhookProxy(server: WebhookServer, params: { source: string; path: string; log: Probot["log"] }): Promise<WebhookServer> {
  const log = params.log.child({ name: "smee" });
  const target = `http://127.0.0.1:${server.port}${params.path}`;
  let smee: SmeeClient;
  try {
    smee = new SmeeClient({ source: params.source, target, logger: smeeLogger(log) });
  } catch {
    await server.stop();
    throw new ConfigError("WEBHOOK_PROXY_URL", [
      `WEBHOOK_PROXY_URL: expected the http(s) address of a smee channel, like https://smee.io/AbCd1234; got ${JSON.stringify(params.source)}`,
    ]);
  }
  // A channel that cannot be reached now is retried by the client; the app serves meanwhile.
  smee.start().catch((error: unknown) => log.warn(`could not connect to ${params.source} yet: ${String(error instanceof Error ? error.message : error)}`));
  return {
    ...server,
    stop: async () => {
      await smee.stop();
      await server.stop();
    },
  };
}

/** smee-client logs like console (a message, then details); pino wants the details first. */
function smeeLogger(log: Probot["log"]): Pick<Console, "info" | "error"> {
  return {
    info: (message: unknown) => log.info(String(message)),
    error: (message: unknown, detail?: unknown) =>
      log.error(detail === undefined ? String(message) : `${String(message)}: ${detail instanceof Error ? detail.message : JSON.stringify(detail)}`),
  };
}

/**
 * A worker (ORCH_ROLE=worker): the app, with Probot's GitHub App
 * credentials for its API calls, but no webhook route; it serves only
 * `options.routes` (main.ts: /healthz and /metrics) on HOST:PORT, and a
 * plain `GET /healthz` 200 without them.
 */
export async function serveWorker(appFn: ApplicationFunction, options: ServeOptions = {}): Promise<WebhookServer> {
  loadDotEnv();
  const probot = makeProbot(options);
  if (!probot) {
    throw new ConfigError("APP_ID", [
      "ORCH_ROLE=worker needs the GitHub App's APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), as the web host has them: it reports its attempts to GitHub itself.",
    ]);
  }
  await probot.ready();
  await appFn(probot, { cwd: process.cwd(), addHandler: () => undefined });
  const env = process.env;
  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (options.routes && (await options.routes(request, response))) return;
    if (request.method === "GET" && (request.url ?? "").split("?")[0] === "/healthz") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    response.writeHead(404).end();
  };
  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      probot.log.error({ err: error }, `${request.method} ${request.url} failed`);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: env.HOST || "localhost", port: Number(env.PORT) || 3000 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  probot.log.info(`Worker listening on ${url} (GET /healthz${options.routes ? " and /metrics" : ""} only)`);
  return {
    http: server,
    port: address.port,
    url,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** run() lays .env over the environment before it reads its options; so do we, so they resolve as before. */
function loadDotEnv(): void {
  if (fs.existsSync(".env")) Object.assign(process.env, parseEnv(fs.readFileSync(".env", "utf8")));
}

/** Probot from the environment; undefined without an app id or private key. */
function makeProbot(options: ServeOptions): Probot | undefined {
  const env = process.env;
  const Octokit = octokitFromEnv(env, { onRequestError: options.onGitHubError });
  try {
    return createProbot({
      env,
      // run()'s defaults where createProbot's differ: level info, JSON in production.
      overrides: {
        // Probot's type leaves out "silent", which its pino logger (and run()) accept.
        logLevel: (env.LOG_LEVEL || "info") as Options["logLevel"],
        logFormat: env.LOG_FORMAT ? (env.LOG_FORMAT === "pretty" ? "pretty" : "json") : env.NODE_ENV === "production" ? "json" : "pretty",
        Octokit,
      },
    });
  } catch {
    // Probot's constructor throws only for a missing app id or private key.
    return undefined;
  }
}
