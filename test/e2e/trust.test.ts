/**
 * Who may command orch, and the repository's own config: only the right
 * people, for comments, buttons and labels alike; a bad config file is
 * reported and the defaults keep working.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkRunRequestedAction, issueCommentCreated, labeled } from "../fakes/events.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const agents = { committer: fixtureAgent("commit-file.sh"), failing: fixtureAgent("fail.sh") };

async function runsOn(harness: Harness, number: number) {
  const thread = await harness.store.findThread({ ...target, number });
  return thread ? (await harness.store.getThreadView({ threadId: thread.id, maxRuns: 10 })).runs : [];
}

describe("who may command", () => {
  it("refuses a comment from someone with less than write permission, politely, and does nothing", async () => {
    h = await startHarness({ agents });
    h.github.permissions.set("drive-by", "read");
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch", sender: "drive-by" }));

    expect(await runsOn(h, 1)).toEqual([]);
    expect(h.github.checkRuns).toEqual([]);
    const [reply] = h.github.repliesOn(1);
    expect(reply!.body).toMatch(/^@drive-by sorry, only people with write permission \(or higher\) on this repository can command orch, and yours is read\. Nothing was done\./);
  });

  it("refuses a button press and a label from someone without permission", async () => {
    h = await startHarness({ agents });
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 2, body: "/orch dispatch failing" }));
    const [attempt] = (await runsOn(h, 2))[0]!.tasks[0]!.attempts;
    h.github.permissions.set("triager", "triage");
    h.github.threads.set(2, { state: "open", title: "Issue 2", body: "" });

    await h.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: attempt!.id, identifier: "retry", sender: "triager" }));
    const cancel = labeled({ ...target, number: 2, label: "orch:cancel", sender: "triager" });
    await h.deliver(cancel.name, cancel.payload);
    const dispatch = labeled({ ...target, number: 2, label: "orch:dispatch", sender: "triager" });
    await h.deliver(dispatch.name, dispatch.payload);

    const runs = await runsOn(h, 2);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.tasks[0]!.attempts).toHaveLength(1);
    const refusals = h.github.repliesOn(2).map((c) => c.body);
    expect(refusals).toHaveLength(3);
    for (const body of refusals) expect(body).toMatch(/^@triager sorry, only people with write permission/);
  });

  it("lets a repository lower or raise the bar with min_permission", async () => {
    h = await startHarness({ agents });
    h.github.repoConfig = "min_permission: admin\n";
    h.github.permissions.set("writer", "write");
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 3, body: "/orch dispatch", sender: "writer" }));
    expect(h.github.repliesOn(3)[0]!.body).toContain("only people with admin permission (or higher)");
    expect(await runsOn(h, 3)).toEqual([]);
  });
});

describe(".github/orch.yml", () => {
  it("picks the default agent, draft setting and label names", async () => {
    h = await startHarness({ agents, defaultAgent: "failing" });
    h.github.repoConfig = "default_agent: committer\ndraft_pull_requests: false\nlabels:\n  dispatch: agent please\n";
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 4, body: "/orch dispatch" }));
    expect((await runsOn(h, 4))[0]!.tasks[0]!.attempts[0]).toMatchObject({ agent: "committer", state: "succeeded" });
    expect(h.github.pulls[0]).toMatchObject({ draft: false });

    const event = labeled({ ...target, number: 5, label: "agent please" });
    await h.deliver(event.name, event.payload);
    expect(await runsOn(h, 5)).toHaveLength(1);
    expect(h.github.removedLabels).toEqual([{ issueNumber: 5, name: "agent please" }]);
    // The default name means nothing once renamed.
    const old = labeled({ ...target, number: 6, label: "orch:dispatch" });
    await h.deliver(old.name, old.payload);
    expect(await runsOn(h, 6)).toEqual([]);
  });

  it("names the bad keys of an invalid file in a reply, and keeps working with the defaults", async () => {
    h = await startHarness({ agents, defaultAgent: "committer" });
    h.github.repoConfig = "default_agnet: failing\nmin_permission: everyone\ndraft_pull_requests: maybe\n";
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 7, body: "/orch dispatch" }));

    const [warning] = h.github.repliesOn(7);
    expect(warning!.body).toContain("`.github/orch.yml` is invalid, so orch is using its defaults until it is fixed:");
    expect(warning!.body).toContain("unknown key `default_agnet` (did you mean `default_agent`?)");
    expect(warning!.body).toContain("`min_permission`: expected one of read, triage, write, maintain, admin");
    expect(warning!.body).toContain("`draft_pull_requests`: expected true or false");
    expect((await runsOn(h, 7))[0]!.tasks[0]!.attempts[0]).toMatchObject({ agent: "committer", state: "succeeded" });
  });

  it("refuses an agent the server does not have, and says which it has", async () => {
    h = await startHarness({ agents, defaultAgent: "committer" });
    h.github.repoConfig = "default_agent: rm-rf\n";
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 8, body: "/orch dispatch" }));
    expect(h.github.repliesOn(8)[0]!.body).toContain("`default_agent`: `rm-rf` is not an agent on this server; known agents: `committer`, `failing`");
    expect((await runsOn(h, 8))[0]!.tasks[0]!.attempts[0]!.agent).toBe("committer");
  });

  it("reports a file that is not YAML", async () => {
    h = await startHarness({ agents });
    h.github.repoConfig = "labels: [unclosed\n";
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 9, body: "/orch help" }));
    const bodies = h.github.repliesOn(9).map((c) => c.body);
    expect(bodies[0]).toContain("- it is not valid YAML");
    expect(bodies[1]).toContain("here is what orch understands");
  });
});
