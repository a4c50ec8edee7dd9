/**
 * The operator's routes as an HTTP client sees them, on a real server:
 * /metrics behind ORCH_METRICS_TOKEN when it is set, /healthz never.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createOpsRoutes } from "./ops-routes.js";

const TOKEN = "t0ken-".repeat(8);
let server: http.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(metricsToken?: string): Promise<string> {
  const registry = new Registry();
  new Counter({ name: "orch_test_total", help: "a counter", registers: [registry] }).inc();
  const route = createOpsRoutes({ health: { check: async () => ({ ok: true, checks: [] }) }, registry, metricsToken });
  server = http.createServer((request, response) => {
    void route(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe("/metrics", () => {
  it("is open without ORCH_METRICS_TOKEN", async () => {
    const url = await serve();
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("orch_test_total 1");
  });

  it.each([
    { name: "no Authorization", headers: {} as Record<string, string> },
    { name: "a wrong token", headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } },
    { name: "the token as Basic", headers: { authorization: `Basic ${TOKEN}` } },
    { name: "the token with something after it", headers: { authorization: `Bearer ${TOKEN} extra` } },
  ])("with ORCH_METRICS_TOKEN, refuses $name with 401 and shows nothing", async ({ headers }) => {
    const url = await serve(TOKEN);
    const response = await fetch(`${url}/metrics`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="orch metrics"');
    const body = await response.text();
    expect(body).toBe("/metrics needs the bearer token this host has in ORCH_METRICS_TOKEN (Authorization: Bearer <token>)\n");
    expect(body).not.toContain(TOKEN);
  });

  it("with ORCH_METRICS_TOKEN, serves the scrape to its bearer; /healthz still needs nothing", async () => {
    const url = await serve(TOKEN);
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("orch_test_total 1");
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok"]);
  });
});
