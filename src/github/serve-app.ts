/**
 * What `npm start` serves, read from the environment as Probot's `run(app)`
 * reads it: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET,
 * WEBHOOK_PATH, GHE_HOST, GHE_PROTOCOL, LOG_*, SENTRY_DSN, REDIS_URL, HOST
 * (default localhost) and PORT (default 3000). With an app id and a key it
 * serves orch's webhook server (webhook-server.ts); without them it leaves
 * everything to `run(app)`: its setup page that registers the app from
 * app.yml, or, under NODE_ENV=production, its error.
 */
import fs from "node:fs";
import { parseEnv } from "node:util";
import { createProbot, run, type ApplicationFunction, type Options, type Probot } from "probot";
import { startWebhookServer, type WebhookServer } from "./webhook-server.js";

/** Resolves once the server listens; undefined in setup mode. */
export async function serveApp(appFn: ApplicationFunction): Promise<WebhookServer | undefined> {
  // run() lays .env over the environment before it reads its options; so do we, so they resolve as before.
  if (fs.existsSync(".env")) Object.assign(process.env, parseEnv(fs.readFileSync(".env", "utf8")));
  const env = process.env;
  let probot: Probot;
  try {
    probot = createProbot({
      env,
      // run()'s defaults where createProbot's differ: level info, JSON in production.
      overrides: {
        // Probot's type leaves out "silent", which its pino logger (and run()) accept.
        logLevel: (env.LOG_LEVEL || "info") as Options["logLevel"],
        logFormat: env.LOG_FORMAT ? (env.LOG_FORMAT === "pretty" ? "pretty" : "json") : env.NODE_ENV === "production" ? "json" : "pretty",
      },
    });
  } catch {
    // Probot's constructor throws only for a missing app id or private key: setup mode.
    await run(appFn);
    return undefined;
  }
  await probot.ready();
  probot.log.info(`Running Probot v${probot.version} (Node.js: ${process.versions.node})`);
  if (env.WEBHOOK_PROXY_URL) {
    probot.log.warn(
      `WEBHOOK_PROXY_URL is set, but orch's server does not start a smee client; run \`npx smee-client --url ${env.WEBHOOK_PROXY_URL} --target http://localhost:${env.PORT || 3000}${probot.webhookPath}\` beside it.`,
    );
  }
  return startWebhookServer({ probot, appFn, host: env.HOST || "localhost", port: Number(env.PORT) || 3000 });
}
