/**
 * Racing controls: a comment and a button press for the same retry, the same
 * webhook twice, twenty at once. Exactly one new attempt, on both databases.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkRunRequestedAction, issueCommentCreated } from "../fakes/events.js";
import { PROVIDERS } from "../helpers/databases.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(PROVIDERS)("racing retries on %s", (provider) => {
  it("20 retries at once (comments and button presses) start exactly one new attempt", async () => {
    h = await startHarness({ provider, agents: { sleeper: fixtureAgent("sleep.sh") }, killGraceMs: 200 });
    const harness = h;
    harness.github.threads.set(1, { state: "open", title: "Issue 1", body: "" });
    const attempts = async () => {
      const thread = await harness.store.findThread({ ...target, number: 1 });
      const run = thread ? await harness.store.findRun({ threadId: thread.id }) : undefined;
      return run?.tasks[0]?.attempts ?? [];
    };
    // Attempt 1 runs and is cancelled, so the task may be retried.
    await harness.receive("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch" }));
    await harness.waitFor(async () => (await attempts())[0]?.pid, "attempt 1 to start");
    await harness.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch cancel" }));
    const [first] = await attempts();
    expect(first!.state).toBe("cancelled");

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? harness.receive("issue_comment", issueCommentCreated({ ...target, number: 1, body: `/orch retry -- try ${i}` }))
          : harness.receive("check_run", checkRunRequestedAction({ ...target, attemptId: first!.id, identifier: "retry" })),
      ),
    );
    await harness.waitFor(() => harness.github.repliesOn(1).length >= 21, "an answer to every retry", 30_000);

    const after = await attempts();
    expect(after.map((a) => a.number)).toEqual([1, 2]);
    const answers = harness.github.repliesOn(1).slice(1).map((c) => c.body);
    expect(answers.filter((body) => body.includes("queued attempt 2 of `t1`"))).toHaveLength(1);
    // The others lost: a comment to the guarded insert ("still active"), a button either to
    // that or, once attempt 2 exists, to its own check: it belongs to attempt 1, no longer the latest.
    const lost = answers.filter(
      (body) => body.includes("`t1` is still active: attempt 2") || body.includes("that button is on the check run of attempt 1 of `t1`, whose latest is now attempt 2"),
    );
    expect(lost).toHaveLength(19);

    await harness.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch cancel" }));
  });
});
