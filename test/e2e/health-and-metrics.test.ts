/**
 * /healthz and /metrics of the real app (`node --import tsx src/main.ts`,
 * test/helpers/app-process.ts), read over HTTP as a supervisor and a
 * Prometheus server with ORCH_METRICS_TOKEN would: after one dispatch runs to its end, the scrape
 * shows the attempt in the database's counts, its duration and its
 * workspace's allocation, and the GitHub error the fake answered on the way.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, cleanupApp, prepareApp, startApp, type AppProcess, type AppSetup } from "../helpers/app-process.js";

const target = { owner: APP_OWNER, repo: APP_REPO };
const METRICS_TOKEN = "scrape-".repeat(6);
let server: FakeGitHubServer;
let setup: AppSetup;
let app: AppProcess;

beforeAll(async () => {
  server = await serveFakeGitHub(new FakeGitHub(APP_OWNER, APP_REPO));
  setup = await prepareApp({ github: server, agents: { quick: "short-work.sh" }, env: { ORCH_GITHUB_THROTTLE: "off", ORCH_METRICS_TOKEN: METRICS_TOKEN } });
  app = await startApp(setup);
});
afterAll(async () => {
  if (setup) await cleanupApp(setup);
  await server?.close();
});

async function scrape(): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

/** The scrape's sample lines for `name` (its own series, with or without labels). */
function samples(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe("health and metrics, whole app", () => {
  beforeEach(() => {
    onTestFailed(() => void process.stderr.write(`--- orch output ---\n${app.output()}\n`));
  });

  it("serves /metrics only to the bearer of ORCH_METRICS_TOKEN", async () => {
    const refused = await fetch(`${app.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain("orch_");
    expect((await scrape()).status).toBe(200);
  });

  it("answers /healthz with 200 ok, and the checks as JSON when asked", async () => {
    const plain = await fetch(`${app.url}/healthz`);
    expect([plain.status, await plain.text()]).toEqual([200, "ok"]);
    const json = await fetch(`${app.url}/healthz`, { headers: { accept: "application/json" } });
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({
      status: "ok",
      checks: { database: { ok: true }, migrations: { ok: true }, heartbeat: { ok: true } },
    });
  });

  it("after a dispatch ends, /metrics shows it in the counts, the duration and allocation histograms, and the GitHub error on the way", async () => {
    server.github.threads.set(1, { state: "open", title: "Issue 1", body: "" });
    // orch reacts to the comment first; a refusal there is logged and the dispatch goes on.
    server.github.failNext({ method: "POST", path: /\/issues\/comments\/\d+\/reactions$/, status: 422, times: 1 });
    await app.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch quick" }));

    const deadline = Date.now() + 30_000;
    let text = "";
    while (samples(text, "orch_attempt_duration_seconds_count").length === 0) {
      if (Date.now() > deadline) throw new Error(`the attempt's end never showed on /metrics:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = (await scrape()).text;
    }
    const { status, type } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);

    expect(samples(text, "orch_attempts")).toContain('orch_attempts{state="succeeded"} 1');
    expect(samples(text, "orch_attempts").filter((line) => !line.endsWith(" 0"))).toEqual(['orch_attempts{state="succeeded"} 1']);
    expect(samples(text, "orch_queued_attempts")).toEqual(["orch_queued_attempts 0"]);
    expect(samples(text, "orch_running_attempts")).toEqual(['orch_running_attempts{host="restart-host"} 0']);
    expect(samples(text, "orch_attempt_duration_seconds_count")).toEqual(['orch_attempt_duration_seconds_count{agent="quick",state="succeeded"} 1']);
    expect(samples(text, "orch_workspace_allocation_seconds_count")).toEqual(["orch_workspace_allocation_seconds_count 1"]);
    // The config reader's 404s (no .github/orch.yml here, nor in the owner's .github repository) are answers, not errors.
    expect(samples(text, "orch_github_request_errors_total")).toEqual(['orch_github_request_errors_total{status="422"} 1']);
    expect(text).toMatch(/^orch_process_resident_memory_bytes \d+$/m);
    expect(server.github.pulls).toHaveLength(1);
  });
});
