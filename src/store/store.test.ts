import { describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";
import { RETRYABLE_STATES } from "./transitions.js";

const limits = { maxRunning: 4, maxRunningPerHost: 4, perRepository: 2, perAgent: {} };

describe.each(PROVIDERS)("store on %s", (provider) => {
  let nextThreadNumber = 1;

  const store = useTestStore(provider);

  async function dispatch(params: { repo?: string; agent?: string; tasks?: string[] } = {}) {
    const number = nextThreadNumber++;
    const thread = await store.upsertThread({
      installationId: 9_000_000_001,
      owner: "acme",
      repo: params.repo ?? "widgets",
      number,
      kind: "issue",
      title: `Issue ${number}`,
      url: `https://github.com/acme/widgets/issues/${number}`,
    });
    const run = await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: (params.tasks ?? ["t1"]).map((key) => ({
        key,
        prompt: `fix issue ${number}`,
        agent: params.agent ?? "codex",
        branch: `orch/${number}/${key}/a1`,
      })),
    });
    return { thread, run, attempt: run.tasks[0]!.attempts[0]! };
  }

  /** Ends every active attempt left by earlier tests, so each test starts with free slots. */
  async function endActiveAttempts() {
    for (const { attempt } of await store.listAttemptContexts({ states: ["queued", "running"] })) {
      await store.transitionAttempt({ attemptId: attempt.id, to: "cancelled" });
    }
  }

  it("records a thread once however often it is upserted, keeping GitHub's large ids", async () => {
    const key = { owner: "acme", repo: "once", number: 7 };
    const [a, b] = await Promise.all([
      store.upsertThread({ ...key, installationId: 9_000_000_001, kind: "issue", title: "t", url: "u" }),
      store.upsertThread({ ...key, installationId: 9_000_000_001, kind: "issue", title: "t", url: "u" }),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.installationId).toBe(9_000_000_001);
    await store.setStatusCommentId({ threadId: a.id, commentId: 2_345_678_901_234 });
    expect((await store.findThread(key))?.statusCommentId).toBe(2_345_678_901_234);
  });

  it("records a run with a queued first attempt per task", async () => {
    const { run, thread } = await dispatch({ tasks: ["t1", "t2"] });
    expect(run.state).toBe("active");
    expect(run.tasks.map((t) => [t.key, t.state, t.attempts.map((a) => [a.number, a.state, a.agent])])).toEqual([
      ["t1", "queued", [[1, "queued", "codex"]]],
      ["t2", "queued", [[1, "queued", "codex"]]],
    ]);
    const view = await store.getThreadView({ threadId: thread.id, maxRuns: 5 });
    expect(view.runs.map((r) => r.id)).toEqual([run.id]);
  });

  it("moves an attempt only along the transition table, and settles task and run", async () => {
    await endActiveAttempts();
    const { attempt, run, thread } = await dispatch();
    expect(await store.transitionAttempt({ attemptId: attempt.id, to: "succeeded" })).toBe(false);
    const claimed = await store.claimNextQueued({ host: "host-a", lease: "host-a-1", limits });
    expect(claimed?.attempt.id).toBe(attempt.id);
    expect(claimed?.attempt).toMatchObject({ state: "running", host: "host-a" });
    expect(await store.transitionAttempt({ attemptId: attempt.id, to: "running" })).toBe(false);
    expect(
      await store.transitionAttempt({ attemptId: attempt.id, to: "succeeded", progress: { exitCode: 0, checkRunId: 5_000_000_123 } }),
    ).toBe(true);
    expect(await store.transitionAttempt({ attemptId: attempt.id, to: "failed" })).toBe(false);
    const latest = await store.findRun({ threadId: thread.id });
    expect(latest?.id).toBe(run.id);
    expect(latest?.state).toBe("succeeded");
    expect(latest?.endedAt).toBeInstanceOf(Date);
    expect(latest?.tasks[0]).toMatchObject({ state: "succeeded" });
    expect(latest?.tasks[0]?.attempts[0]).toMatchObject({ exitCode: 0, checkRunId: 5_000_000_123 });
  });

  it("lets exactly one of 20 racing retries create the next attempt", async () => {
    await endActiveAttempts();
    const { attempt, thread } = await dispatch();
    await store.claimNextQueued({ host: "host-a", lease: "host-a-1", limits });
    await store.transitionAttempt({ attemptId: attempt.id, to: "failed" });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.createNextAttempt({
          taskId: attempt.taskId,
          allowedFrom: RETRYABLE_STATES,
          prompt: "fix it, again",
          feedback: `try ${i}`,
          requestedBy: "octocat",
          buildBranch: (n) => `orch/${thread.number}/t1/a${n}`,
        }),
      ),
    );
    expect(results.filter((r) => r.kind === "created")).toHaveLength(1);
    const run = await store.findRun({ threadId: thread.id });
    expect(run?.tasks[0]?.attempts.map((a) => [a.number, a.state, a.branch])).toEqual([
      [1, "failed", `orch/${thread.number}/t1/a1`],
      [2, "queued", `orch/${thread.number}/t1/a2`],
    ]);
    expect(run?.state).toBe("active");
    const refused = results.find((r) => r.kind === "refused");
    expect(refused?.previous?.number).toBe(2);
  });

  it("refuses a new attempt while the latest is not in an allowed state", async () => {
    const { attempt } = await dispatch();
    const result = await store.createNextAttempt({
      taskId: attempt.taskId,
      allowedFrom: RETRYABLE_STATES,
      prompt: "again",
      requestedBy: "octocat",
      buildBranch: (n) => `b${n}`,
    });
    expect(result).toMatchObject({ kind: "refused", previous: { number: 1, state: "queued" } });
  });

  it("claims queued attempts oldest first within the global, repository and agent limits", async () => {
    await endActiveAttempts();
    const tight = { maxRunning: 3, maxRunningPerHost: 3, perRepository: 2, perAgent: { claude: 1 } };
    const a = await dispatch({ repo: "one" });
    const b = await dispatch({ repo: "one" });
    const c = await dispatch({ repo: "one" }); // over per_repository
    const d = await dispatch({ repo: "two", agent: "claude" });
    const e = await dispatch({ repo: "three", agent: "claude" }); // over per_agent
    const claimed = [];
    for (let i = 0; i < 5; i++) claimed.push((await store.claimNextQueued({ host: "h", lease: "h-1", limits: tight }))?.attempt.id);
    expect(claimed).toEqual([a.attempt.id, b.attempt.id, d.attempt.id, undefined, undefined]);
    await store.transitionAttempt({ attemptId: a.attempt.id, to: "succeeded" });
    expect((await store.claimNextQueued({ host: "h", lease: "h-1", limits: tight }))?.attempt.id).toBe(c.attempt.id);
    expect((await store.claimNextQueued({ host: "h", lease: "h-1", limits: tight }))?.attempt.id).toBe(undefined);
    await store.transitionAttempt({ attemptId: d.attempt.id, to: "failed" });
    expect((await store.claimNextQueued({ host: "h", lease: "h-1", limits: tight }))?.attempt.id).toBe(e.attempt.id);
  });

  it("never claims one queued attempt twice when claims race", async () => {
    await endActiveAttempts();
    await dispatch({ repo: "race" });
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => store.claimNextQueued({ host: "h", lease: "h-1", limits: { ...limits, perRepository: 10 } })),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("records a delivery once, even ten at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.recordDelivery({ id: "d-123", event: "issue_comment" })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.recordDelivery({ id: "d-124", event: "issue_comment" })).toBe(true);
    expect(await store.pruneDeliveries({ before: new Date(Date.now() - 60_000) })).toBe(0);
    expect(await store.pruneDeliveries({ before: new Date(Date.now() + 60_000) })).toBeGreaterThanOrEqual(2);
    expect(await store.recordDelivery({ id: "d-123", event: "issue_comment" })).toBe(true);
  });

  it("moves a workspace none → allocated → cleaned, once", async () => {
    const { attempt } = await dispatch();
    expect(await store.transitionWorkspace({ attemptId: attempt.id, to: "allocated", worktreePath: "/x/1" })).toBe(true);
    expect(await store.transitionWorkspace({ attemptId: attempt.id, to: "allocated" })).toBe(false);
    expect(await store.transitionWorkspace({ attemptId: attempt.id, to: "cleaned" })).toBe(true);
    expect(await store.transitionWorkspace({ attemptId: attempt.id, to: "cleaned" })).toBe(false);
    expect((await store.findAttemptContext(attempt.id))?.attempt).toMatchObject({ workspaceState: "cleaned", worktreePath: "/x/1" });
  });
});
