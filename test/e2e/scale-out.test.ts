/**
 * Several hosts on one PostgreSQL: real orch processes (`node src/main.ts`,
 * as `npm start` runs it), each with its own ORCH_HOME, host id and role,
 * against the fake GitHub over HTTP and one bare remote. Webhooks go to the
 * web host only; the workers run the agents. What the tests count on is what
 * an operator would see: which host's processes run agents, the rows in the
 * shared database, the check runs and branches GitHub got.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import type { AttemptRecord } from "../../src/store/records.js";
import { issueCommentCreated } from "../fakes/events.js";
import { APP_OWNER, APP_REPO, type AppProcess } from "../helpers/app-process.js";
import { cleanupCluster, clusterOutput, homeOf, prepareCluster, startHost, type Cluster, type ClusterHost } from "../helpers/cluster.js";
import { listRemoteBranches } from "../helpers/git-remote.js";
import { readSandboxedPid, waitUntilAttemptGone, waitUntilGone } from "../helpers/processes.js";
import { waitFor } from "../helpers/wait-for.js";

const target = { owner: APP_OWNER, repo: APP_REPO };
const agents = { sleeper: "sleep.sh", quick: "short-work.sh", gated: "wait-for-go.sh" };
const WEB: ClusterHost = { id: "web-1", role: "web" };
const W1: ClusterHost = { id: "worker-1", role: "worker" };
const W2: ClusterHost = { id: "worker-2", role: "worker" };

let cluster: Cluster | undefined;

afterEach(async () => {
  const current = cluster;
  cluster = undefined;
  if (current) await cleanupCluster(current);
});

async function prepare(params: { hosts: ClusterHost[]; maxRunning?: number; maxRunningPerHost?: number; hostTtl?: string }) {
  const prepared = await prepareCluster({ agents, maxRunning: 4, hostTtl: "30s", ...params });
  cluster = prepared;
  onTestFailed(() => {
    process.stderr.write(`${clusterOutput(prepared)}\n`);
  });
  const apps = new Map<string, AppProcess>();
  await Promise.all(params.hosts.map(async (host) => apps.set(host.id, await startHost(prepared, host.id))));
  return { cluster: prepared, apps, web: apps.get(WEB.id)! };
}

async function attemptsOf(c: Cluster, number: number): Promise<AttemptRecord[]> {
  const thread = await c.store.findThread({ ...target, number });
  const run = thread ? await c.store.findRun({ threadId: thread.id }) : undefined;
  return run?.tasks[0]?.attempts ?? [];
}

function comment(number: number, body: string) {
  return issueCommentCreated({ ...target, number, body });
}

function checkRunOf(c: Cluster, attemptId: number) {
  return c.github.checkRuns.find((run) => run.external_id === String(attemptId));
}

/** Opens issue `number` and dispatches `agent` on it through the web host; resolves once attempt 1 runs with its check run recorded. */
async function dispatchOne(c: Cluster, web: AppProcess, number: number, agent: string) {
  c.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  await web.deliver("issue_comment", comment(number, `/orch dispatch ${agent}`));
  const attempt = await waitFor(async () => (await attemptsOf(c, number)).find((a) => a.state === "running" && a.pid), `attempt 1 on #${number} to run`);
  await waitFor(async () => (await c.store.findAttemptContext(attempt.id))?.attempt.checkRunId, "the check run to be recorded");
  return attempt;
}

/** The ids of the attempts whose processes run now under host `id`'s ORCH_HOME: what that host runs, seen from /proc. */
function attemptsRunningOn(c: Cluster, id: string): Set<string> {
  const prefix = `ORCH_ATTEMPT_DIR=${path.join(homeOf(c, id), "attempts")}${path.sep}`;
  const found = new Set<string>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string[];
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
    } catch {
      continue; // gone while we looked, or not ours to read
    }
    if (!environ.some((line) => line.startsWith(prefix))) continue;
    const attemptId = environ.find((line) => line.startsWith("ORCH_ATTEMPT_ID="));
    if (attemptId) found.add(attemptId);
  }
  return found;
}

describe("several hosts on one PostgreSQL", () => {
  it("spreads 20 simultaneous dispatches over the workers, runs none on the web host, and holds the limits across hosts", async () => {
    const { cluster: c, web, apps } = await prepare({ hosts: [WEB, W1, W2], maxRunning: 3, maxRunningPerHost: 2 });
    const numbers = Array.from({ length: 20 }, (_, i) => i + 1);
    for (const number of numbers) c.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });

    // Sample what each host runs, from its processes, while the 20 go through.
    const samples: { web: number; w1: number; w2: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ web: attemptsRunningOn(c, WEB.id).size, w1: attemptsRunningOn(c, W1.id).size, w2: attemptsRunningOn(c, W2.id).size });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    await Promise.all(numbers.map((number) => web.deliver("issue_comment", comment(number, "/orch dispatch quick"))));
    const ended = await waitFor(
      async () => {
        const all = (await Promise.all(numbers.map((n) => attemptsOf(c, n)))).flat();
        // The end is recorded before it is reported: wait for both.
        const reported = all.every((a) => a.state === "succeeded" && checkRunOf(c, a.id)?.history.at(-1)?.conclusion === "success");
        return all.length === 20 && reported && all;
      },
      "all 20 attempts to succeed and their check runs to say so",
      120_000,
    );
    sampling = false;
    await sampler;

    // The limits, as the processes showed them: 3 in all, 2 per host, and none on the web host.
    expect(samples.length).toBeGreaterThan(100);
    expect(Math.max(...samples.map((s) => s.w1 + s.w2))).toBe(3);
    expect(Math.max(...samples.map((s) => Math.max(s.w1, s.w2)))).toBe(2);
    expect(samples.every((s) => s.web === 0)).toBe(true);
    // Both workers took work; the web host took none.
    const byHost = new Map<string, number>();
    for (const attempt of ended) byHost.set(attempt.host!, (byHost.get(attempt.host!) ?? 0) + 1);
    expect([...byHost.keys()].sort()).toEqual([W1.id, W2.id]);
    expect(byHost.get(W1.id)! + byHost.get(W2.id)!).toBe(20);
    // And every one was pushed and reported.
    expect(c.github.pulls).toHaveLength(20);
    expect(c.github.unexpected).toEqual([]);

    // Every role answers /healthz and /metrics: the database's counts are the same on each host, the durations each worker's own.
    const scrape = async (id: string) => (await fetch(`${apps.get(id)!.url}/metrics`)).text();
    const durations = (text: string) => Number(/^orch_attempt_duration_seconds_count\{agent="quick",state="succeeded"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    const scrapes = await waitFor(
      async () => {
        const texts = new Map(await Promise.all([WEB, W1, W2].map(async ({ id }) => [id, await scrape(id)] as const)));
        return durations(texts.get(W1.id)!) + durations(texts.get(W2.id)!) === 20 && texts;
      },
      "the workers' scrapes to show the 20 attempts' durations",
    );
    for (const { id } of [WEB, W1, W2]) {
      const health = await fetch(`${apps.get(id)!.url}/healthz`);
      expect([id, health.status, await health.text()]).toEqual([id, 200, "ok"]);
      expect(scrapes.get(id)).toContain('orch_attempts{state="succeeded"} 20');
      expect(scrapes.get(id)).toContain('orch_running_attempts{host="worker-1"} 0');
    }
    expect(durations(scrapes.get(W1.id)!)).toBe(byHost.get(W1.id));
    expect(durations(scrapes.get(W2.id)!)).toBe(byHost.get(W2.id));
    expect(durations(scrapes.get(WEB.id)!)).toBe(0);
  }, 180_000);

  it("cancels and cleans up from the web host: the agent on the worker is killed, its worktree there removed", async () => {
    const { cluster: c, web } = await prepare({ hosts: [WEB, W1] });
    const attempt = await dispatchOne(c, web, 1, "sleeper");
    expect(attempt.host).toBe(W1.id);
    const ioDir = getAttemptFiles(homeOf(c, W1.id), attempt.id).ioDir;
    const agentPid = await readSandboxedPid({ file: path.join(ioDir, "agent.pid"), attemptId: attempt.id });
    const grandchildPid = await readSandboxedPid({ file: path.join(ioDir, "grandchild.pid"), attemptId: attempt.id });

    await web.deliver("issue_comment", comment(1, "/orch cancel"));
    expect(await waitUntilGone(agentPid, 10_000)).toBe(true);
    expect(await waitUntilGone(grandchildPid, 10_000)).toBe(true);
    await waitFor(async () => (await c.store.findAttemptContext(attempt.id))?.attempt.state === "cancelled", "the attempt to be cancelled");
    await waitFor(() => checkRunOf(c, attempt.id)?.history.at(-1)?.conclusion === "cancelled", "the check run to end cancelled");
    await waitFor(() => c.github.repliesOn(1).some((r) => r.body.includes("cancelled attempt 1 (`sleeper`) of `t1`.")), "the reply");
    expect((await listRemoteBranches(c.remote.barePath)).filter((b) => b.startsWith("orch/"))).toEqual([]);

    // The worktree is on the worker's disk: the web host asks the worker to remove it.
    const worktree = (await c.store.findAttemptContext(attempt.id))!.attempt.worktreePath!;
    expect(worktree.startsWith(homeOf(c, W1.id))).toBe(true);
    expect(fs.existsSync(worktree)).toBe(true);
    await web.deliver("issue_comment", comment(1, "/orch cleanup"));
    await waitFor(() => !fs.existsSync(worktree), "the worker to remove the worktree");
    await waitFor(async () => (await c.store.findAttemptContext(attempt.id))?.attempt.workspaceState === "cleaned", "the workspace to be recorded cleaned");
    await waitFor(() => c.github.repliesOn(1).some((r) => r.body.includes("Asked the hosts that hold them")), "the cleanup reply");
    expect(c.github.unexpected).toEqual([]);
  }, 90_000);

  it("marks a killed worker's attempt lost once it is silent past host_ttl, completes its check run, and retry runs it on the other worker", async () => {
    const { cluster: c, web, apps } = await prepare({ hosts: [WEB, W1, W2], hostTtl: "3s" });
    const attempt = await dispatchOne(c, web, 1, "sleeper");
    const dead = attempt.host!;
    const survivor = dead === W1.id ? W2.id : W1.id;
    await waitFor(() => c.github.statusCommentsOn(1)[0]?.body.includes("running"), "the status comment to show running");
    const copiedLog: string = await waitFor(async () => (await c.store.findLogTail(attempt.id)) ?? undefined, "the worker's copy of the log");

    await apps.get(dead)!.kill();
    // Its sandbox died with it.
    expect(await waitUntilAttemptGone(attempt.id)).toBe(true);
    // As if it died while publishing the status comment: its turn to publish is left held for minutes.
    const thread = (await c.store.findThread({ ...target, number: 1 }))!;
    await c.store.releaseStatusTurns({ hosts: [dead] }); // it may have died holding one
    await waitFor(() => {
      const now = new Date();
      return c.store.claimStatusTurn({ threadId: thread.id, host: dead, lease: "the killed worker", now, until: new Date(now.getTime() + 300_000) });
    }, "the status comment's turn, once no live host publishes it");
    const lost = await waitFor(
      async () => {
        const row = (await c.store.findAttemptContext(attempt.id))?.attempt;
        return row?.state === "lost" && row;
      },
      "a live host to declare the worker dead and its attempt lost",
      30_000,
    );
    expect(lost.summary).toContain(`host ${dead} stopped answering`);
    expect(lost.summary).toContain("/orch retry");
    expect(await c.store.findHost(dead)).toMatchObject({ state: "dead" });
    await waitFor(() => checkRunOf(c, attempt.id)?.history.at(-1)?.conclusion === "failure", "the check run to be completed");
    const checkRun = checkRunOf(c, attempt.id)!;
    expect(checkRun.output?.title).toBe("t1 attempt 1: lost");
    expect(checkRun.output?.summary).toContain(`host ${dead} stopped answering`);
    // Its log is on the dead host's disk: the check run shows the tail it copied to the database.
    expect(checkRun.output?.text).toContain(copiedLog.split("\n").at(-1));
    await waitFor(() => c.github.statusCommentsOn(1)[0]?.body.includes("❓ lost"), "the status comment to show lost");

    await web.deliver("issue_comment", comment(1, "/orch retry"));
    const retried = await waitFor(async () => (await attemptsOf(c, 1)).find((a) => a.number === 2 && a.state === "running"), "attempt 2 to run");
    expect(retried.host).toBe(survivor);
    expect(c.github.unexpected).toEqual([]);
  }, 90_000);

  it("a worker paused past host_ttl that comes back pushes nothing and reports nothing for the attempt it lost", async () => {
    const { cluster: c, web, apps } = await prepare({ hosts: [WEB, W1], hostTtl: "3s" });
    const attempt = await dispatchOne(c, web, 1, "gated");
    expect(attempt.host).toBe(W1.id);
    const worker = apps.get(W1.id)!;
    process.kill(worker.pid, "SIGSTOP");
    try {
      await waitFor(async () => (await c.store.findAttemptContext(attempt.id))?.attempt.state === "lost", "the paused worker's attempt to be lost", 30_000);
      await waitFor(() => checkRunOf(c, attempt.id)?.history.at(-1)?.conclusion === "failure", "the check run to be completed");
      // While orch is paused its agent finishes the work: a commit is ready to be pushed.
      fs.writeFileSync(path.join(getAttemptFiles(homeOf(c, W1.id), attempt.id).ioDir, "go"), "");
      expect(await waitUntilAttemptGone(attempt.id)).toBe(true);
    } finally {
      process.kill(worker.pid, "SIGCONT");
    }
    const reported = { history: checkRunOf(c, attempt.id)!.history.length, requests: c.github.requests.length };
    const worktree = (await c.store.findAttemptContext(attempt.id))!.attempt.worktreePath!;

    // It learns it lost the lease, and removes the worktree it left.
    await waitFor(() => !fs.existsSync(worktree), "the worker to remove the lost attempt's worktree", 20_000);
    await waitFor(async () => (await c.store.findHost(W1.id))?.state === "alive", "the worker to register again");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await listRemoteBranches(c.remote.barePath)).not.toContain(attempt.branch);
    expect(c.github.pulls).toEqual([]);
    expect(checkRunOf(c, attempt.id)!.history).toHaveLength(reported.history);
    const checkRunWrites = c.github.requests.slice(reported.requests).filter((r) => r.method !== "GET" && r.path.includes("/check-runs"));
    expect(checkRunWrites).toEqual([]);
    expect((await c.store.findAttemptContext(attempt.id))!.attempt).toMatchObject({ state: "lost", workspaceState: "cleaned" });
    expect(c.github.unexpected).toEqual([]);
  }, 90_000);
});
