import { describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";

const limits = { maxRunning: 10, maxRunningPerHost: 10, perRepository: 10, perAgent: {} };

describe.each(PROVIDERS)("a council's judge in the store on %s", (provider) => {
  let nextNumber = 1;

  const store = useTestStore(provider);

  /** A council of two whose attempts both succeeded with a pushed head: it waits for a pick. */
  async function endedCouncil() {
    // What an earlier test left queued must not take this council's claims.
    for (const { attempt } of await store.listAttemptContexts({ states: ["queued", "running"] })) {
      await store.transitionAttempt({ attemptId: attempt.id, to: "cancelled" });
    }
    const number = nextNumber++;
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "judge", number, kind: "issue", title: "t", url: "u" });
    const branch = (n: number) => `orch/${number}/t1/a${n}`;
    const run = await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: [{ key: "t1", prompt: "p", agent: "alpha", branch: branch(1), mode: "council", council: [{ agent: "alpha", branch: branch(1) }, { agent: "beta", branch: branch(2) }], judge: "referee" }],
    });
    for (const _ of [1, 2]) {
      const claimed = (await store.claimNextQueued({ host: "h", lease: "h-1", limits }))!;
      await store.transitionAttempt({ attemptId: claimed.attempt.id, to: "succeeded", progress: { headSha: "a".repeat(40) } });
    }
    const task = run.tasks[0]!;
    const view = async () => (await store.findRun({ threadId: thread.id, runId: run.id }))!.tasks[0]!;
    return { task, thread, run, view, buildBranch: (n: number) => `orch/${number}/t1/a${n}` };
  }

  it("lets exactly one of several racing claims judge, and only that claim record", async () => {
    const { task, view } = await endedCouncil();
    expect((await view()).state).toBe("picking");
    const claims = await Promise.all(["x", "y", "z"].map((lease) => store.claimJudging({ taskId: task.id, host: `host-${lease}`, lease, order: [2, 1] })));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = ["x", "y", "z"][claims.indexOf(true)]!;
    const loser = ["x", "y", "z"].find((lease) => lease !== winner)!;
    expect(await store.recordJudgement({ taskId: task.id, lease: loser, order: [2, 1], state: "failed", note: "no" })).toBe(false);
    expect(await store.recordJudgement({ taskId: task.id, lease: winner, order: [2, 1], state: "ranked", ranking: [{ attempt: 2, reason: "best" }, { attempt: 1, reason: "next" }] })).toBe(true);
    expect((await view()).judge).toMatchObject({ agent: "referee", state: "ranked", order: [2, 1], ranking: [{ attempt: 2, reason: "best" }, { attempt: 1, reason: "next" }], note: null });
    // Ranked: nobody claims it again.
    expect(await store.claimJudging({ taskId: task.id, host: "h", lease: "again", order: [1, 2] })).toBe(false);
    await store.recordAutoPick({ taskId: task.id, lease: winner, attempt: 2 });
    expect((await view()).judge.autoPicked).toBe(2);
  });

  it("makes the ranking stale when the council runs again, so a judge of the old attempts cannot record", async () => {
    const { task, view, buildBranch } = await endedCouncil();
    expect(await store.claimJudging({ taskId: task.id, host: "h", lease: "old", order: [1, 2] })).toBe(true);
    const retry = await store.createNextAttempt({ taskId: task.id, allowedFrom: ["succeeded"], prompt: "p", requestedBy: "octocat", buildBranch });
    expect(retry.kind).toBe("created");
    expect((await view()).judge).toMatchObject({ state: "none", order: [], ranking: [], lease: null });
    expect(await store.recordJudgement({ taskId: task.id, lease: "old", order: [1, 2], state: "ranked", ranking: [] })).toBe(false);
    // Not while the retry runs.
    expect(await store.claimJudging({ taskId: task.id, host: "h", lease: "early", order: [1, 2] })).toBe(false);
  });

  it("puts back a stopped host's judging, for another claim", async () => {
    const { task, view } = await endedCouncil();
    expect(await store.claimJudging({ taskId: task.id, host: "gone", lease: "l1", order: [1, 2] })).toBe(true);
    expect(await store.findCouncilsToJudge()).not.toContainEqual(expect.objectContaining({ taskId: task.id }));
    expect(await store.releaseJudging({ host: "elsewhere" })).toEqual([]);
    expect(await store.releaseJudging({ host: "gone" })).toEqual([task.id]);
    expect((await view()).judge.state).toBe("none");
    expect(await store.findCouncilsToJudge()).toContainEqual(expect.objectContaining({ taskId: task.id }));
    expect(await store.recordJudgement({ taskId: task.id, lease: "l1", order: [1, 2], state: "failed", note: "late" })).toBe(false);
    expect(await store.claimJudging({ taskId: task.id, host: "h", lease: "l2", order: [2, 1] })).toBe(true);
  });
});
