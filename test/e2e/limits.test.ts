/**
 * Concurrency limits: attempts beyond max_running wait as queued and start
 * in the order they were asked for when a slot frees. (Per-repository and
 * per-agent limits are proven on both databases in src/store/store.test.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("max_running", () => {
  it("queues what does not fit and starts it in order when a slot frees", async () => {
    h = await startHarness({
      agents: { sleeper: fixtureAgent("sleep.sh"), committer: fixtureAgent("commit-file.sh") },
      concurrency: { maxRunning: 1 },
      killGraceMs: 200,
    });
    const harness = h;
    const attemptOf = async (number: number) => {
      const thread = await harness.store.findThread({ ...target, number });
      const run = thread ? await harness.store.findRun({ threadId: thread.id }) : undefined;
      return run?.tasks[0]?.attempts[0];
    };
    await harness.receive("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch sleeper" }));
    await harness.waitFor(async () => (await attemptOf(1))?.pid, "the first agent");
    await harness.receive("issue_comment", issueCommentCreated({ ...target, number: 2, body: "/orch dispatch committer" }));
    await harness.receive("issue_comment", issueCommentCreated({ ...target, number: 3, body: "/orch dispatch committer" }));
    await harness.waitFor(async () => (await attemptOf(3))?.state === "queued", "the third attempt to be queued");
    expect((await attemptOf(2))?.state).toBe("queued");
    await harness.waitFor(() => harness.github.statusCommentsOn(3)[0]?.body.includes("⏳ queued"), "a status comment that says queued");

    await harness.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch cancel" }));

    const second = (await attemptOf(2))!;
    const third = (await attemptOf(3))!;
    expect([second.state, third.state]).toEqual(["succeeded", "succeeded"]);
    // One at a time, in order: the third started only after the second had ended.
    expect(third.startedAt!.getTime()).toBeGreaterThanOrEqual(second.endedAt!.getTime());
  });
});
