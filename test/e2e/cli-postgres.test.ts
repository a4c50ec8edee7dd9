/**
 * `npx orch` on a PostgreSQL installation of several hosts: the operator
 * runs it on the web host, whose ORCH_HOME holds nothing of the attempt,
 * while a worker runs the agent. cancel must reach that worker through the
 * hosts' queue, and a retry's attempt must be taken by a worker at once.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import type { AttemptRecord } from "../../src/store/records.js";
import { issueCommentCreated } from "../fakes/events.js";
import { APP_OWNER, APP_REPO, type AppProcess } from "../helpers/app-process.js";
import { orch, processesOf, waitFor } from "../helpers/cli-process.js";
import { cleanupCluster, clusterOutput, homeOf, prepareCluster, startHost, type Cluster } from "../helpers/cluster.js";
import { listRemoteBranches } from "../helpers/git-remote.js";

const target = { owner: APP_OWNER, repo: APP_REPO };

describe("orch's command line on PostgreSQL, beside a web host and a worker", () => {
  let cluster: Cluster;
  let web: AppProcess;

  beforeAll(async () => {
    cluster = await prepareCluster({
      hosts: [
        { id: "web-1", role: "web" },
        { id: "worker-1", role: "worker" },
      ],
      agents: { waiter: "wait-for-go.sh" },
      maxRunning: 2,
      hostTtl: "30s",
    });
    [web] = await Promise.all([startHost(cluster, "web-1"), startHost(cluster, "worker-1")]);
  });
  afterAll(async () => {
    if (cluster) await cleanupCluster(cluster);
  });

  /** As the operator on the web host: its folder and .env. */
  const run = (...args: string[]) => {
    const setup = cluster.setups.get("web-1")!;
    return orch(args, { cwd: setup.cwd, env: setup.env });
  };

  async function attemptsOn(number: number): Promise<AttemptRecord[]> {
    const thread = await cluster.store.findThread({ ...target, number });
    const found = thread ? await cluster.store.findRun({ threadId: thread.id }) : undefined;
    return found?.tasks[0]?.attempts ?? [];
  }

  it("cancel stops the worker's agent, and retry's attempt is started by a worker and pushed", async () => {
    onTestFailed(() => void process.stderr.write(`${clusterOutput(cluster)}\n`));
    cluster.github.threads.set(1, { state: "open", title: "Issue 1", body: "" });
    await web.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch waiter" }));
    const first = await waitFor(async () => (await attemptsOn(1)).find((a) => a.state === "running" && a.pid), "attempt 1 to run");
    expect(first.host).toBe("worker-1");
    const workerHome = homeOf(cluster, "worker-1");
    await waitFor(() => processesOf(workerHome, first.id).length > 0, "the agent's processes on the worker");

    const list = await run("attempts", "--state", "running");
    expect(list.stdout).toMatch(new RegExp(`^${first.id}\\s+acme/widgets#1\\s+t1/a1\\s+waiter\\s+running\\s+worker-1\\s`, "m"));

    const cancelled = await run("cancel", String(first.id));
    expect(cancelled).toEqual({
      code: 0,
      stdout: `Cancelled attempt ${first.id} (acme/widgets#1 t1/a1, waiter): cancelled. Its check run and the thread's status comment say so.\n`,
      stderr: "",
    });
    await waitFor(() => processesOf(workerHome, first.id).length === 0, "the agent's processes on the worker to be gone");
    const checkRun = await waitFor(
      () => cluster.github.checkRuns.find((c) => c.external_id === String(first.id) && c.status === "completed"),
      "the check run to complete",
    );
    expect(checkRun.conclusion).toBe("cancelled");
    expect(checkRun.output?.summary).toContain("cancelled by the operator");

    const retried = await run("retry", String(first.id));
    expect(retried).toMatchObject({ code: 0, stderr: "", stdout: expect.stringContaining("The running orch starts it when a slot is free.") });
    const second = await waitFor(async () => (await attemptsOn(1)).find((a) => a.number === 2 && a.state === "running" && a.pid), "attempt 2's agent to run on a worker");
    expect(second.host).toBe("worker-1");
    fs.writeFileSync(path.join(getAttemptFiles(workerHome, second.id).ioDir, "go"), "");
    await waitFor(async () => (await attemptsOn(1)).find((a) => a.number === 2 && a.state === "succeeded"), "attempt 2 to succeed", 30_000);
    expect(await listRemoteBranches(cluster.remote.barePath)).toContain("orch/1/t1/a2");
    expect(cluster.github.repliesOn(1).map((reply) => reply.body.split("\n")[0])).toEqual(
      expect.arrayContaining(["The operator cancelled attempt 1 (`waiter`) of `t1`.", "The operator queued attempt 2 of `t1` with `waiter` on branch `orch/1/t1/a2`. The status comment follows it."]),
    );

    // The worktrees are the worker's: cleanup from the web host asks it to remove them.
    const cleaned = await run("cleanup", "--older-than", "0s");
    expect(cleaned).toMatchObject({ code: 0, stderr: "" });
    // Each line says removed (the worker was quick) or asked worker-1 to remove it.
    expect(cleaned.stdout.split("\n").filter((line) => /^ {2}(removed|asked worker-1 to remove): attempt /.test(line))).toHaveLength(2);
    await waitFor(async () => (await attemptsOn(1)).every((a) => a.workspaceState !== "allocated"), "the worker to remove both worktrees");
    expect(fs.existsSync(second.worktreePath ?? path.join(workerHome, "worktrees", String(second.id)))).toBe(false);
    expect(cluster.github.unexpected).toEqual([]);
  }, 120_000);
});
