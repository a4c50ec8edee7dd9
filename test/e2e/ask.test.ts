/**
 * `/orch ask` through the whole app: the real agent process in its sandbox
 * with the checkout read-only, real git, the recording fake GitHub.
 */
import { afterEach, describe, expect, it } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { listRemoteBranches } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("/orch ask", () => {
  it("gives the agent a read-only checkout, pushes nothing, and posts its answer as the reply", async () => {
    harness = await startHarness({ agents: { asker: fixtureAgent("asker.sh") } });
    const h = harness;
    h.github.threads.set(5, { state: "open", title: "How is this laid out?", body: "" });
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 5, body: "/orch ask -- what does the README say?" }));

    const thread = await h.store.findThread({ ...target, number: 5 });
    const [task] = (await h.store.findRun({ threadId: thread!.id }))!.tasks;
    const [attempt] = task!.attempts;
    expect(task!.mode).toBe("ask");
    expect(attempt).toMatchObject({ state: "succeeded", summary: "The README has one heading, widgets.", headSha: null, pullRequestNumber: null, costUsd: 0.05 });
    // The write failed inside the sandbox, and nothing reached the remote.
    const [reply] = h.github.repliesOn(5);
    expect(reply!.body).toContain("@octocat `asker` answered (t1 attempt 1):\n\n> The README has one heading, widgets.");
    expect(reply!.body).toContain("asker: the checkout is read-only");
    expect(reply!.body).not.toContain("WROTE");
    expect(reply!.body).toContain("From a read-only checkout; nothing was pushed. Usage: $0.05.");
    expect((await listRemoteBranches(h.remote.barePath)).filter((b) => b.startsWith("orch/"))).toEqual([]);
    expect(h.github.pulls).toEqual([]);
    const checkRun = h.github.checkRuns.find((run) => run.external_id === String(attempt!.id))!;
    expect(checkRun.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(h.github.statusCommentsOn(5)[0]!.body).toContain("a question: the answer is a reply");
  });

  it("refuses an ask without a question, saying how to write one", async () => {
    harness = await startHarness({ agents: { asker: fixtureAgent("asker.sh") } });
    const h = harness;
    h.github.threads.set(6, { state: "open", title: "t", body: "" });
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 6, body: "/orch ask" }));
    expect(h.github.repliesOn(6).at(-1)!.body).toContain("`ask` needs a question after `--`, like `/orch ask -- where is the retry limit set?`.");
    expect(await h.store.findThread({ ...target, number: 6 })).toBeUndefined();
  });
});
