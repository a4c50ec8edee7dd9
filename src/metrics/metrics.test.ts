/**
 * /metrics as Prometheus reads it (registry.metrics(), the text the route
 * serves), over a real database on each provider: the attempt gauges are
 * the database's counts at scrape time, the histograms and the counter what
 * was recorded, the process metrics prefixed orch_.
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";
import { createMetrics } from "./metrics.js";

const limits = { maxRunning: 10, maxRunningPerHost: 10, perRepository: 10, perAgent: {} };

describe.each(PROVIDERS)("orch's metrics on %s", (provider) => {
  let nextNumber = 1;

  const store = useTestStore(provider);

  async function queueOne(): Promise<void> {
    const number = nextNumber++;
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "widgets", number, kind: "issue", title: "t", url: "u" });
    await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: [{ key: "t1", prompt: "p", agent: "codex", branch: `orch/${number}/t1/a1` }],
    });
  }

  /** The sample lines of the scrape (no # HELP / # TYPE), for the metrics named. */
  async function scrape(registry: Registry, ...names: string[]): Promise<string[]> {
    const text = await registry.metrics();
    return text.split("\n").filter((line) => names.some((name) => line.startsWith(`${name}{`) || line.startsWith(`${name} `)));
  }

  it("counts attempts by state, queued and running per host from the database at each scrape", async () => {
    const registry = new Registry();
    createMetrics({ registry, store, defaultMetrics: false });
    await store.registerHost({ id: "idle-host", role: "worker", incarnation: "i0", now: new Date() });
    for (let i = 0; i < 3; i += 1) await queueOne();
    await store.claimNextQueued({ host: "w1", lease: "l1", limits });

    expect(await scrape(registry, "orch_attempts", "orch_queued_attempts", "orch_running_attempts")).toEqual([
      'orch_attempts{state="queued"} 2',
      'orch_attempts{state="running"} 1',
      'orch_attempts{state="succeeded"} 0',
      'orch_attempts{state="failed"} 0',
      'orch_attempts{state="blocked"} 0',
      'orch_attempts{state="cancelled"} 0',
      'orch_attempts{state="timed_out"} 0',
      'orch_attempts{state="lost"} 0',
      'orch_attempts{state="superseded"} 0',
      "orch_queued_attempts 2",
      'orch_running_attempts{host="idle-host"} 0',
      'orch_running_attempts{host="w1"} 1',
    ]);

    // The next scrape reads again: nothing is cached.
    await queueOne();
    expect(await scrape(registry, "orch_queued_attempts")).toEqual(["orch_queued_attempts 3"]);
  });

  it("serves what this process recorded, and prom-client's process metrics prefixed orch_", async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    metrics.attemptEnded({ agent: "codex", state: "succeeded", seconds: 42 });
    metrics.workspaceAllocated(0.2);
    metrics.githubRequestFailed(502);
    metrics.githubRequestFailed(502);
    metrics.githubRequestFailed(404);

    const lines = await scrape(
      registry,
      "orch_attempt_duration_seconds_count",
      "orch_attempt_duration_seconds_sum",
      "orch_workspace_allocation_seconds_count",
      "orch_github_request_errors_total",
    );
    expect(lines).toEqual([
      'orch_attempt_duration_seconds_sum{agent="codex",state="succeeded"} 42',
      'orch_attempt_duration_seconds_count{agent="codex",state="succeeded"} 1',
      "orch_workspace_allocation_seconds_count 1",
      'orch_github_request_errors_total{status="502"} 2',
      'orch_github_request_errors_total{status="404"} 1',
    ]);
    expect(await registry.metrics()).toMatch(/^orch_process_resident_memory_bytes \d+$/m);
    // Without a store there is nothing to count the attempts from.
    expect(await scrape(registry, "orch_attempts")).toEqual([]);
  });
});
