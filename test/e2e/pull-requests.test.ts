/**
 * Pull-request threads and the dispatch label: an attempt starts from the
 * pull request's head, reports its check run there, and proposes its work
 * back to the head branch.
 */
import { afterEach, describe, expect, it } from "vitest";
import { closed, issueCommentCreated, labeled, reviewCommentCreated } from "../fakes/events.js";
import { git } from "../helpers/git-remote.js";
import { createPullRef } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a pull-request thread", () => {
  it("starts from the PR head, shows its check run on the PR, and opens its PR against the head branch", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    const harness = h;
    const prHead = await createPullRef({ barePath: harness.remote.barePath, number: 5 });
    await git(harness.remote.barePath, ["update-ref", "refs/heads/feature", prHead]);
    harness.github.threads.set(5, { state: "open", title: "Add feature", body: "", headRef: "feature", headSha: prHead, baseRef: "main" });

    await harness.deliver("issue_comment", issueCommentCreated({ ...target, number: 5, body: "/orch dispatch", isPullRequest: true, title: "Add feature" }));

    const thread = await harness.store.findThread({ ...target, number: 5 });
    const run = await harness.store.findRun({ threadId: thread!.id });
    expect(thread!.kind).toBe("pull_request");
    expect(run).toMatchObject({ baseRef: "refs/pull/5/head", prBase: "feature" });
    expect(run!.tasks[0]!.attempts[0]).toMatchObject({ state: "succeeded", baseSha: prHead });
    expect(harness.github.checkRuns.find((r) => r.head_sha === prHead)).toMatchObject({ name: "orch / t1 / attempt 1", conclusion: "success" });
    expect(harness.github.pulls).toEqual([expect.objectContaining({ head: "orch/5/t1/a1", base: "feature" })]);
    expect(harness.github.pulls[0]!.body).toContain("Follow-up to #5.");
  });

  it("proposes work on a fork's pull request to its base branch", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    const harness = h;
    const prHead = await createPullRef({ barePath: harness.remote.barePath, number: 6 });
    harness.github.threads.set(6, { state: "open", title: "From a fork", body: "", headRef: "patch-1", headSha: prHead, headRepo: "someone/widgets", baseRef: "main" });

    await harness.deliver("issue_comment", issueCommentCreated({ ...target, number: 6, body: "/orch dispatch", isPullRequest: true }));

    expect(harness.github.pulls).toEqual([expect.objectContaining({ head: "orch/6/t1/a1", base: "main" })]);
  });
});

describe("a pull-request review comment", () => {
  it("is a command like any comment, acknowledged with a reaction on the review comment", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    const harness = h;
    const prHead = await createPullRef({ barePath: harness.remote.barePath, number: 7 });
    harness.github.threads.set(7, { state: "open", title: "Review me", body: "", headRef: "review-me", headSha: prHead });
    const payload = reviewCommentCreated({ ...target, number: 7, body: "Looks off.\n/orch dispatch -- handle the empty list" });

    await harness.deliver("pull_request_review_comment", payload);

    expect(harness.github.reactions).toEqual([{ commentId: payload.comment.id, content: "eyes" }]);
    expect(harness.github.requests.some((r) => r.path.endsWith(`/pulls/comments/${payload.comment.id}/reactions`))).toBe(true);
    expect(harness.github.pulls).toEqual([expect.objectContaining({ head: "orch/7/t1/a1", base: "review-me" })]);
  });
});

describe("the orch:dispatch label", () => {
  it("dispatches with the default agent, then orch removes the label", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh"), other: fixtureAgent("fail.sh") }, defaultAgent: "committer" });
    const harness = h;
    const event = labeled({ ...target, number: 8, label: "orch:dispatch" });

    await harness.deliver(event.name, event.payload);

    const thread = await harness.store.findThread({ ...target, number: 8 });
    const attempt = (await harness.store.findRun({ threadId: thread!.id }))!.tasks[0]!.attempts[0]!;
    expect(attempt).toMatchObject({ agent: "committer", state: "succeeded" });
    expect(harness.github.removedLabels).toEqual([{ issueNumber: 8, name: "orch:dispatch" }]);
    expect(harness.github.pulls).toHaveLength(1);
  });

  it("does nothing for other labels or for threads orch never saw being closed", async () => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    const harness = h;
    const bug = labeled({ ...target, number: 9, label: "bug" });
    await harness.deliver(bug.name, bug.payload);
    const close = closed({ ...target, number: 9, isPullRequest: true });
    await harness.deliver(close.name, close.payload);
    // Only the repository's config was read (to learn its label names); nothing was done.
    expect(harness.github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /app/installations/4242/access_tokens",
      "GET /repos/acme/widgets/contents/.github/orch.yml",
      "GET /repos/acme/.github/contents/.github/orch.yml",
    ]);
    expect(harness.github.comments).toEqual([]);
  });
});
