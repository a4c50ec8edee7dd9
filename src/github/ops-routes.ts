/**
 * The operator's routes beside the webhook, on every role's port (the
 * worker's too):
 *
 *     GET /healthz   200 "ok", or 503 with one "<check>: <what is wrong>" line
 *                    per failing check (health/health-check.ts); with
 *                    `Accept: application/json`, the whole report as JSON
 *     GET /metrics   Prometheus text format (metrics/metrics.ts)
 *
 * HEAD is answered like GET, without the body. Anything else is left to the
 * next handler.
 */
import type http from "node:http";
import type { Registry } from "prom-client";
import type { HealthCheck, HealthReport } from "../health/health-check.js";
import type { HttpRoute } from "./webhook-server.js";

export function createOpsRoutes(params: { health: Pick<HealthCheck, "check">; registry: Registry }): HttpRoute {
  const { health, registry } = params;
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

function wantsJson(request: http.IncomingMessage): boolean {
  return /\bapplication\/json\b/i.test(request.headers.accept ?? "");
}

function send(request: http.IncomingMessage, response: http.ServerResponse, status: number, contentType: string, body: string): void {
  // A poller must never see a cached answer.
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(request.method === "HEAD" ? undefined : body);
}
