/**
 * orch's HTTP server: a plain node:http server in place of Probot's `Server`,
 * so that the intake (webhook-intake.ts) is the first thing to see a webhook.
 * Probot's `Server` puts its webhook middleware first, and that middleware
 * reads the whole body before anything can look at its size.
 *
 *     POST <webhookPath>   the intake, then Probot's middleware (createNodeMiddleware)
 *     `routes`             the caller's own (main.ts: /healthz and /metrics, ops-routes.ts)
 *     GET  /ping           200 PONG, as Probot's Server answers
 *     GET  /healthz        200 ok, unless `routes` answered it
 *     anything else        Probot's middleware (handlers an app added), else 404
 *
 * The app and its `context` are Probot's, unchanged: `createNodeMiddleware`
 * loads `appFn` into `probot` exactly as Probot's `Server` does.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, type ApplicationFunction, type Probot } from "probot";
import { createWebhookIntake, MAX_WEBHOOK_PAYLOAD_BYTES } from "./webhook-intake.js";

/** Answers the request and resolves true, or leaves it alone and resolves false. */
export type HttpRoute = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<boolean>;

export interface WebhookServer {
  /** The listening server (for tests that watch its sockets). */
  http: http.Server;
  port: number;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
}

/** Loads `appFn` into `probot` and listens on `host`:`port` (0: any free port). */
export async function startWebhookServer(params: {
  probot: Probot;
  appFn: ApplicationFunction;
  host: string;
  port: number;
  /** Default: the probot's own (WEBHOOK_PATH, else /api/github/webhooks). */
  webhookPath?: string;
  maxPayloadBytes?: number;
  /** Tried after the webhook intake, before everything else. */
  routes?: HttpRoute;
}): Promise<WebhookServer> {
  const { probot, appFn, host, port } = params;
  const webhookPath = params.webhookPath ?? probot.webhookPath;
  const maxPayloadBytes = params.maxPayloadBytes ?? MAX_WEBHOOK_PAYLOAD_BYTES;
  const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: webhookPath });
  const log = probot.log.child({ name: "http" });
  const intake = createWebhookIntake({
    path: webhookPath,
    maxPayloadBytes,
    verify: (payload, signature) => probot.webhooks.verify(payload, signature),
    deliver: async (request, response) => middleware(request, response),
    log,
  });

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = Date.now();
    response.once("finish", () => log.info(`${request.method} ${request.url} ${response.statusCode} - ${Date.now() - started}ms`));
    try {
      if (await intake(request, response)) return;
      if (params.routes && (await params.routes(request, response))) return;
      const route = request.method === "GET" ? (request.url ?? "").split("?")[0] : undefined;
      if (route === "/ping") {
        response.writeHead(200, { "content-type": "text/plain" }).end("PONG");
        return;
      }
      if (route === "/healthz") {
        response.writeHead(200, { "content-type": "text/plain" }).end("ok");
        return;
      }
      await middleware(request, response, () => {
        response.writeHead(404).end();
      });
    } catch (error) {
      log.error({ err: error }, `${request.method} ${request.url} failed`);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    }
  };

  const server = http.createServer((request, response) => void handle(request, response));
  // Node answers `Expect: 100-continue` by itself, inviting any body; invite only one that fits.
  server.on("checkContinue", (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (!(Number(request.headers["content-length"]) > maxPayloadBytes)) response.writeContinue();
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") error.message = `Port ${port} is already in use. You can define the PORT environment variable to use a different port.`;
      reject(error);
    };
    server.once("error", onError);
    server.listen({ host, port }, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const printableHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${printableHost}:${address.port}`;
  probot.log.info(`Listening on ${url}`);
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
