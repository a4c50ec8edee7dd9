/**
 * GitHub faults while reporting: the attempt's final state is recorded first
 * and is never lost; the report is retried by Octokit or reconciled later.
 */
import { afterEach, describe, expect, it } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { git } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function onlyAttempt(harness: Harness, number: number) {
  const thread = await harness.store.findThread({ ...target, number });
  return (await harness.store.findRun({ threadId: thread!.id }))!.tasks[0]!.attempts[0]!;
}

describe("GitHub faults while reporting an attempt", () => {
  it("a 502 while completing the check run is retried, and the check run ends success", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") }, retry: true });
    h.github.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 502, times: 1 });

    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch" }));

    const patches = h.github.requests.filter((r) => r.method === "PATCH" && /check-runs/.test(r.path));
    expect(patches).toHaveLength(2);
    expect(h.github.checkRuns[0]!.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(await onlyAttempt(h, 1)).toMatchObject({ state: "succeeded", reportedState: "succeeded" });
  });

  it("when completing keeps failing, the state is kept and the check runs are completed by the next reconcile", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    h.github.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 502, times: 1 });

    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 2, body: "/orch dispatch" }));

    expect(await onlyAttempt(h, 2)).toMatchObject({ state: "succeeded", reportedState: "running" });
    expect(h.github.checkRuns.map((r) => r.status)).toEqual(["in_progress"]);

    expect(await h.orch.reconcile()).toBe(1);

    const pushedHead = await git(h.remote.barePath, ["rev-parse", "refs/heads/orch/2/t1/a1"]);
    expect(h.github.checkRuns.map((r) => [r.head_sha, r.status, r.conclusion])).toEqual([
      [h.remote.headSha, "completed", "success"],
      [pushedHead, "completed", "success"],
    ]);
    expect(await onlyAttempt(h, 2)).toMatchObject({ reportedState: "succeeded" });
    expect(await h.orch.reconcile()).toBe(0);
  });

  it("a secondary rate limit on creating the check run: the attempt runs anyway and its check run is made at the end", async () => {
    h = await startHarness({ agents: { failing: fixtureAgent("fail.sh") } });
    h.github.failNext({
      method: "POST",
      path: /\/check-runs$/,
      status: 403,
      times: 1,
      headers: { "retry-after": "60", "x-ratelimit-remaining": "4000" },
    });

    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 3, body: "/orch dispatch" }));

    const attempt = await onlyAttempt(h, 3);
    expect(attempt).toMatchObject({ state: "failed", reportedState: "failed", checkRunId: expect.any(Number) });
    expect(h.github.checkRuns.map((r) => [r.head_sha, r.status, r.conclusion])).toEqual([[h.remote.headSha, "completed", "failure"]]);
    expect(h.github.statusCommentsOn(3)[0]!.body).toContain("❌ failed");
  });

  it("a check run GitHub made although orch never heard back is found and completed, not made twice", async () => {
    h = await startHarness({ agents: { failing: fixtureAgent("fail.sh") } });
    h.github.failNext({ method: "POST", path: /\/check-runs$/, status: 502, times: 1, afterApplying: true });

    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 4, body: "/orch dispatch" }));

    expect(h.github.checkRuns.map((r) => [r.status, r.conclusion])).toEqual([["completed", "failure"]]);
    expect(await onlyAttempt(h, 4)).toMatchObject({ state: "failed", reportedState: "failed", checkRunId: h.github.checkRuns[0]!.id });
  });
});
