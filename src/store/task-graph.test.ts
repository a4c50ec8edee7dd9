import { describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";
import pino from "pino";
import { startWaitingTasks } from "../pipeline/recover.js";
import { deriveRunState } from "./transitions.js";

const limits = { maxRunning: 10, maxRunningPerHost: 10, perRepository: 10, perAgent: {} };

describe.each(PROVIDERS)("task graphs on %s", (provider) => {
  let nextNumber = 1;

  const store = useTestStore(provider);

  /** Ends what earlier tests left queued or running, so claims take this test's attempts. */
  async function endActive() {
    for (const { attempt } of await store.listAttemptContexts({ states: ["queued", "running"] })) {
      await store.transitionAttempt({ attemptId: attempt.id, to: "cancelled" });
    }
  }

  async function dispatchList(tasks: { key: string; after?: string[] }[]) {
    const number = nextNumber++;
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "graphs", number, kind: "issue", title: "t", url: "u" });
    const run = await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: tasks.map((task) => ({ ...task, prompt: `do ${task.key}`, agent: "codex", branch: `orch/${number}/${task.key}/a1` })),
    });
    const buildBranch = (key: string) => `orch/${number}/${key}/a1`;
    return { run, thread, buildBranch };
  }

  /** Claims the next queued attempt (it must be `key`'s) and ends it succeeded, with a pushed head. */
  async function succeed(key: string) {
    const claimed = (await store.claimNextQueued({ host: "h", lease: "h-1", limits }))!;
    expect(claimed.task.key).toBe(key);
    await store.transitionAttempt({ attemptId: claimed.attempt.id, to: "succeeded", progress: { headSha: "a".repeat(40) } });
    return claimed;
  }

  it("queues only the tasks that wait for nothing, and starts a dependent once, based on its dependency's branch", async () => {
    await endActive();
    const { run, thread, buildBranch } = await dispatchList([{ key: "t1" }, { key: "t2", after: ["t1"] }, { key: "t3", after: ["t1", "t2"] }]);
    expect(run.tasks.map((t) => [t.key, t.state, t.attempts.length])).toEqual([
      ["t1", "queued", 1],
      ["t2", "pending", 0],
      ["t3", "pending", 0],
    ]);
    expect(await store.startReadyTasks({ runId: run.id, buildBranch })).toEqual([]);

    await succeed("t1");
    const started = await Promise.all(Array.from({ length: 5 }, () => store.startReadyTasks({ runId: run.id, buildBranch })));
    expect(started.flat().map((a) => a.branch)).toEqual([buildBranch("t2")]);
    const after = (await store.findRun({ threadId: thread.id }))!;
    expect(after.state).toBe("active");
    expect(after.tasks[1]).toMatchObject({ state: "queued", baseRef: `refs/heads/${buildBranch("t1")}`, mergeRefs: [], prBase: buildBranch("t1") });
    expect(after.tasks[2]).toMatchObject({ state: "pending", baseRef: null });

    await succeed("t2");
    await store.startReadyTasks({ runId: run.id, buildBranch });
    const last = (await store.findRun({ threadId: thread.id }))!.tasks[2]!;
    // Several dependencies: the first one's branch with the others merged in, and the PR to the run's base.
    expect(last).toMatchObject({ state: "queued", baseRef: `refs/heads/${buildBranch("t1")}`, mergeRefs: [`refs/heads/${buildBranch("t2")}`], prBase: null });
  });

  it("starts at the next reconcile a task whose dependency succeeded on a host that died before starting it", async () => {
    await endActive();
    const { run, thread } = await dispatchList([{ key: "t1" }, { key: "t2", after: ["t1"] }]);
    await succeed("t1");
    // Nothing called startReadyTasks: the run is still active, with t2 waiting.
    expect(await store.findRunsWithWaitingTasks()).toContainEqual({ runId: run.id, threadNumber: thread.number });
    expect(await startWaitingTasks({ store, log: pino({ level: "silent" }) })).toBeGreaterThanOrEqual(1);
    const [, t2] = (await store.findRun({ threadId: thread.id }))!.tasks;
    expect(t2!.attempts.map((a) => [a.number, a.state, a.branch])).toEqual([[1, "queued", `orch/${thread.number}/t2/a1`]]);
    expect(await store.findRunsWithWaitingTasks()).not.toContainEqual({ runId: run.id, threadNumber: thread.number });
  });

  it("leaves a task waiting behind a failed one, and the run not active, until that one is retried", async () => {
    await endActive();
    const { run, thread, buildBranch } = await dispatchList([{ key: "t1" }, { key: "t2", after: ["t1"] }]);
    const claimed = (await store.claimNextQueued({ host: "h", lease: "h-1", limits }))!;
    await store.transitionAttempt({ attemptId: claimed.attempt.id, to: "failed" });
    expect(await store.startReadyTasks({ runId: run.id, buildBranch })).toEqual([]);
    expect((await store.findRun({ threadId: thread.id }))!.state).toBe("failed");
    await store.createNextAttempt({ taskId: claimed.task.id, allowedFrom: ["failed"], prompt: "again", requestedBy: "octocat", buildBranch: (n) => `orch/x/t1/a${n}` });
    expect((await store.findRun({ threadId: thread.id }))!.state).toBe("active");
  });
});

describe("deriveRunState", () => {
  const task = (key: string, state: Parameters<typeof deriveRunState>[0][number]["state"], after: string[] = []) => ({ key, state, after });
  it.each([
    ["a task about to start (its dependency succeeded)", [task("t1", "succeeded"), task("t2", "pending", ["t1"])], "active"],
    ["a task waiting behind a running one", [task("t1", "running"), task("t2", "pending", ["t1"])], "active"],
    ["a task waiting behind a failed one", [task("t1", "failed"), task("t2", "pending", ["t1"])], "failed"],
    ["a task waiting behind a cancelled one", [task("t1", "cancelled"), task("t2", "pending", ["t1"])], "cancelled"],
    ["every task succeeded", [task("t1", "succeeded"), task("t2", "succeeded", ["t1"])], "succeeded"],
  ] as const)("%s", (_, tasks, state) => {
    expect(deriveRunState(tasks)).toBe(state);
  });
});
