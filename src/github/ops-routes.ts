/**
 * The operator's routes beside the webhook, on every role's port (the
 * worker's too):
 *
 *     GET /healthz   200 "ok", or 503 with one "<check>: <what is wrong>" line
 *                    per failing check (health/health-check.ts); with
 *                    `Accept: application/json`, the whole report as JSON
 *     GET /metrics   Prometheus text format (metrics/metrics.ts); with
 *                    ORCH_METRICS_TOKEN set, only for `Authorization: Bearer
 *                    <token>` (else 401)
 *
 * HEAD is answered like GET, without the body. Anything else is left to the
 * next handler.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import type { Registry } from "prom-client";
import type { HealthCheck, HealthReport } from "../health/health-check.js";
import type { HttpRoute } from "./webhook-server.js";

export function createOpsRoutes(params: { health: Pick<HealthCheck, "check">; registry: Registry; metricsToken?: string | undefined }): HttpRoute {
  const { health, registry, metricsToken } = params;
  return async (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const route = (request.url ?? "").split("?")[0];
    if (route === "/healthz") {
      const report = await health.check();
      const status = report.ok ? 200 : 503;
      if (wantsJson(request)) send(request, response, status, "application/json; charset=utf-8", JSON.stringify(toJson(report)));
      else send(request, response, status, "text/plain; charset=utf-8", renderPlain(report));
      return true;
    }
    if (route === "/metrics") {
      if (metricsToken !== undefined && !hasBearer(request, metricsToken)) {
        response.setHeader("www-authenticate", 'Bearer realm="orch metrics"');
        send(request, response, 401, "text/plain; charset=utf-8", "/metrics needs the bearer token this host has in ORCH_METRICS_TOKEN (Authorization: Bearer <token>)\n");
        return true;
      }
      send(request, response, 200, registry.contentType, await registry.metrics());
      return true;
    }
    return false;
  };
}

/** "ok", or the failing checks, one a line: "database: no answer from the database within 2000 ms". */
function renderPlain(report: HealthReport): string {
  if (report.ok) return "ok";
  return `${report.checks
    .filter((check) => !check.ok)
    .map((check) => `${check.name}: ${check.detail}`)
    .join("\n")}\n`;
}

/** {"status":"unhealthy","checks":{"database":{"ok":true,"detail":"answered in 2 ms"},…}} */
function toJson(report: HealthReport) {
  return {
    status: report.ok ? "ok" : "unhealthy",
    checks: Object.fromEntries(report.checks.map((check) => [check.name, { ok: check.ok, detail: check.detail }])),
  };
}

/** `Authorization: Bearer <token>`, compared in constant time (as digests, so the length leaks nothing either). */
function hasBearer(request: http.IncomingMessage, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
  if (given === undefined) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function wantsJson(request: http.IncomingMessage): boolean {
  return /\bapplication\/json\b/i.test(request.headers.accept ?? "");
}

function send(request: http.IncomingMessage, response: http.ServerResponse, status: number, contentType: string, body: string): void {
  // A poller must never see a cached answer.
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(request.method === "HEAD" ? undefined : body);
}
