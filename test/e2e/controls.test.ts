/**
 * The four controls (retry, reassign, cancel, cleanup) through every entry
 * point: comment, check-run button, label, closing the thread. Real agent
 * processes, real worktrees, real git remotes.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import type { AttemptRecord } from "../../src/store/records.js";
import { checkRunRequestedAction, closed, issueCommentCreated, labeled } from "../fakes/events.js";
import { git, listRemoteBranches } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";
import { isAlive, readSandboxedPid, waitUntilAttemptGone, waitUntilGone } from "../helpers/processes.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const agents = {
  sleeper: fixtureAgent("sleep.sh"),
  failing: fixtureAgent("fail.sh"),
  committer: fixtureAgent("commit-file.sh"),
};

async function start(overrides: Partial<Parameters<typeof startHarness>[0]> = {}): Promise<Harness> {
  h = await startHarness({ agents, defaultAgent: "committer", killGraceMs: 300, ...overrides });
  return h;
}

async function attemptsOf(harness: Harness, number: number): Promise<AttemptRecord[]> {
  const thread = await harness.store.findThread({ ...target, number });
  const run = thread ? await harness.store.findRun({ threadId: thread.id }) : undefined;
  return run?.tasks[0]?.attempts ?? [];
}

function comment(number: number, body: string, sender = "octocat") {
  return issueCommentCreated({ ...target, number, body, sender });
}

/** Dispatches a sleeping agent and waits until it and its grandchild run. */
async function startSleeper(harness: Harness, number: number) {
  harness.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  await harness.receive("issue_comment", comment(number, "/orch dispatch sleeper"));
  const attempt = await harness.waitFor(async () => (await attemptsOf(harness, number)).find((a) => a.state === "running" && a.pid), "the agent to start");
  const dir = getAttemptFiles(harness.home, attempt.id).ioDir;
  // Written inside the sandbox: pids of its own namespace, mapped to the host's.
  const grandchildPid = await readSandboxedPid({ file: path.join(dir, "grandchild.pid"), attemptId: attempt.id });
  const agentPid = await readSandboxedPid({ file: path.join(dir, "agent.pid"), attemptId: attempt.id });
  await harness.waitFor(() => harness.github.checkRuns.find((run) => run.external_id === String(attempt.id)), "the check run");
  return { attempt, agentPid, grandchildPid };
}

async function expectCancelled(
  harness: Harness,
  params: { attemptId: number; agentPid: number; grandchildPid: number; buttons?: string[] },
) {
  expect(await waitUntilGone(params.agentPid)).toBe(true);
  expect(await waitUntilGone(params.grandchildPid)).toBe(true);
  expect(await waitUntilAttemptGone(params.attemptId)).toBe(true);
  const recorded = await harness.store.findAttemptContext(params.attemptId);
  expect(recorded?.attempt.state).toBe("cancelled");
  const checkRun = harness.github.checkRuns.find((run) => run.external_id === String(params.attemptId));
  expect(checkRun?.history.at(-1)).toEqual({ status: "completed", conclusion: "cancelled" });
  expect(checkRun?.actions?.map((a) => a.identifier)).toEqual(params.buttons ?? ["retry", "cleanup"]);
}

describe("cancel", () => {
  it("by comment: the running agent's whole process group is killed and the attempt is cancelled", async () => {
    const harness = await start();
    const { attempt, agentPid, grandchildPid } = await startSleeper(harness, 1);
    expect(isAlive(agentPid)).toBe(true);
    const inProgress = harness.github.checkRuns.find((run) => run.external_id === String(attempt.id));
    expect(inProgress?.actions?.map((a) => a.identifier)).toEqual(["cancel"]);

    await harness.deliver("issue_comment", comment(1, "/orch cancel"));

    await expectCancelled(harness, { attemptId: attempt.id, agentPid, grandchildPid });
    expect(harness.github.repliesOn(1).at(-1)?.body).toMatch(/^@octocat cancelled attempt 1 \(`sleeper`\) of `t1`\./);
    expect((await harness.store.findAttemptContext(attempt.id))?.run.state).toBe("cancelled");
    expect(harness.github.statusCommentsOn(1)[0]!.body).toContain("⏹️ cancelled");
  });

  it("by the Cancel button, answered on the thread", async () => {
    const harness = await start();
    const { attempt, agentPid, grandchildPid } = await startSleeper(harness, 2);

    await harness.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: attempt.id, identifier: "cancel" }));

    await expectCancelled(harness, { attemptId: attempt.id, agentPid, grandchildPid });
    const reply = harness.github.repliesOn(2).at(-1)!.body;
    expect(reply).toContain("cancelled attempt 1 (`sleeper`) of `t1`.");
    expect(reply).toContain('cancel button on check run "orch / t1 / attempt 1"');
  });

  it("by the orch:cancel label, which orch then removes", async () => {
    const harness = await start();
    const { attempt, agentPid, grandchildPid } = await startSleeper(harness, 3);
    const event = labeled({ ...target, number: 3, label: "orch:cancel" });

    await harness.deliver(event.name, event.payload);

    await expectCancelled(harness, { attemptId: attempt.id, agentPid, grandchildPid });
    expect(harness.github.removedLabels).toEqual([{ issueNumber: 3, name: "orch:cancel" }]);
    expect(harness.github.repliesOn(3).at(-1)!.body).toMatch(/cancelled 1 attempt of run \d+\. I removed the `orch:cancel` label\./);
  });

  it("by closing the issue, which also removes the worktree", async () => {
    const harness = await start();
    const { attempt, agentPid, grandchildPid } = await startSleeper(harness, 4);
    const event = closed({ ...target, number: 4 });

    await harness.deliver(event.name, event.payload);

    // Cleaned up too, so the check run no longer offers "Clean up".
    await expectCancelled(harness, { attemptId: attempt.id, agentPid, grandchildPid, buttons: ["retry"] });
    const recorded = (await harness.store.findAttemptContext(attempt.id))!.attempt;
    expect(recorded.workspaceState).toBe("cleaned");
    expect(fs.existsSync(recorded.worktreePath!)).toBe(false);
    expect(harness.github.repliesOn(4).at(-1)!.body).toContain("Closing this issue cancelled 1 active attempt.");
  });

  it("cancels a queued attempt before it ever starts, and --run cancels the whole run", async () => {
    const harness = await start({ concurrency: { maxRunning: 1 } });
    const running = await startSleeper(harness, 5);
    harness.github.threads.set(6, { state: "open", title: "Issue 6", body: "" });
    await harness.receive("issue_comment", comment(6, "/orch dispatch sleeper"));
    await harness.waitFor(async () => (await attemptsOf(harness, 6))[0]?.state === "queued", "a queued attempt");

    await harness.receive("issue_comment", comment(6, "/orch cancel --run"));
    await harness.waitFor(() => harness.github.repliesOn(6).length > 0, "the reply");
    const [queued] = await attemptsOf(harness, 6);
    expect(queued).toMatchObject({ state: "cancelled", summary: "cancelled by @octocat", workspaceState: "none", pid: null });
    expect(harness.github.repliesOn(6)[0]!.body).toMatch(/cancelled 1 attempt of run \d+\./);

    await harness.deliver("issue_comment", comment(5, "/orch cancel"));
    await expectCancelled(harness, { attemptId: running.attempt.id, agentPid: running.agentPid, grandchildPid: running.grandchildPid });
    // The cancelled attempt never started, even once a slot was free.
    expect((await attemptsOf(harness, 6))[0]).toMatchObject({ state: "cancelled", startedAt: null });
    expect(harness.github.checkRuns.some((run) => run.external_id === String(queued!.id))).toBe(false);
  });

  it("says there is nothing to cancel once the attempt has ended", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(7, "/orch dispatch failing"));
    await harness.deliver("issue_comment", comment(7, "/orch cancel"));
    expect(harness.github.repliesOn(7).at(-1)!.body).toContain("nothing to cancel: `t1`'s latest is attempt 1 (`failing`, failed).");
  });
});

describe("retry", () => {
  it("by comment: a new attempt with the same agent, a new branch and worktree, and the feedback in its prompt", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(10, "/orch dispatch failing -- fix the parser"));
    const [first] = await attemptsOf(harness, 10);
    expect(first!.state).toBe("failed");

    await harness.deliver("issue_comment", comment(10, "/orch retry -- the parser chokes on tabs\nsee line 3"));

    const [, second] = await attemptsOf(harness, 10);
    expect(second).toMatchObject({ number: 2, agent: "failing", state: "failed", branch: "orch/10/t1/a2", feedback: "the parser chokes on tabs\nsee line 3" });
    expect(second!.worktreePath).not.toBe(first!.worktreePath);
    expect(fs.existsSync(second!.worktreePath!)).toBe(true);
    const prompt = fs.readFileSync(getAttemptFiles(harness.home, second!.id).promptFile, "utf8");
    expect(prompt).toContain("Instructions from @octocat, a maintainer:\nfix the parser");
    expect(prompt).toContain("Attempt 1 (agent failing) ended failed.");
    expect(prompt).toContain("Feedback from @octocat, a maintainer:\nthe parser chokes on tabs\nsee line 3");
    expect(await git(harness.cacheGit(), ["branch", "--list", "orch/10/*", "--format=%(refname:short)"])).toBe("orch/10/t1/a1\norch/10/t1/a2");
    const checkRuns = harness.github.checkRuns.filter((run) => run.name.startsWith("orch / t1"));
    expect(checkRuns.map((run) => [run.name, run.conclusion])).toEqual([
      ["orch / t1 / attempt 1", "failure"],
      ["orch / t1 / attempt 2", "failure"],
    ]);
    expect(harness.github.repliesOn(10).at(-1)!.body).toMatch(/queued attempt 2 of `t1` with `failing` on branch `orch\/10\/t1\/a2`, with your feedback\./);
    expect(harness.github.statusCommentsOn(10)).toHaveLength(1);
  });

  it("by the Retry button on the check run", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(11, "/orch dispatch failing"));
    const [first] = await attemptsOf(harness, 11);
    harness.github.threads.set(11, { state: "open", title: "Issue 11", body: "" });

    await harness.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: first!.id, identifier: "retry" }));

    expect((await attemptsOf(harness, 11)).map((a) => [a.number, a.agent, a.state])).toEqual([
      [1, "failing", "failed"],
      [2, "failing", "failed"],
    ]);
    expect(harness.github.repliesOn(11).at(-1)!.body).toContain("queued attempt 2 of `t1`");
  });

  it("refuses a task that is still running or has succeeded, naming its state", async () => {
    const harness = await start();
    await startSleeper(harness, 12);
    await harness.receive("issue_comment", comment(12, "/orch retry"));
    await harness.waitFor(() => harness.github.repliesOn(12).length > 0, "the reply");
    expect(harness.github.repliesOn(12)[0]!.body).toContain("`t1` is still active: attempt 1 (`sleeper`, running). Retry applies once it has ended; to stop it, `/orch cancel t1`.");
    await harness.deliver("issue_comment", comment(12, "/orch cancel"));

    await harness.deliver("issue_comment", comment(13, "/orch dispatch committer"));
    await harness.deliver("issue_comment", comment(13, "/orch retry"));
    expect(harness.github.repliesOn(13).at(-1)!.body).toContain("`t1`'s latest is attempt 1 (`committer`, succeeded); retry applies to a failed, blocked, timed-out, lost or cancelled task.");
    expect(await attemptsOf(harness, 13)).toHaveLength(1);
  });

  it("names the candidates when the thread has no run, or the task does not exist", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(14, "/orch retry"));
    expect(harness.github.repliesOn(14).at(-1)!.body).toContain("there is no orch run on this thread yet. Start one with `/orch dispatch`.");
    await harness.deliver("issue_comment", comment(14, "/orch dispatch failing"));
    await harness.deliver("issue_comment", comment(14, "/orch retry t2"));
    expect(harness.github.repliesOn(14).at(-1)!.body).toMatch(/run \d+ has no task `t2`; its tasks: `t1`\./);
  });
});

describe("reassign", () => {
  it("by comment: a new attempt with another agent, which succeeds and opens a PR", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(20, "/orch dispatch failing"));

    await harness.deliver("issue_comment", comment(20, "/orch reassign committer -- try a smaller change"));

    const attempts = await attemptsOf(harness, 20);
    expect(attempts.map((a) => [a.number, a.agent, a.state, a.branch])).toEqual([
      [1, "failing", "failed", "orch/20/t1/a1"],
      [2, "committer", "succeeded", "orch/20/t1/a2"],
    ]);
    expect(await listRemoteBranches(harness.remote.barePath)).toContain("orch/20/t1/a2");
    expect(harness.github.pulls.map((p) => p.head)).toEqual(["orch/20/t1/a2"]);
    expect(fs.readFileSync(getAttemptFiles(harness.home, attempts[1]!.id).promptFile, "utf8")).toContain("try a smaller change");
  });

  it("by the Reassign button, to the default agent", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(21, "/orch dispatch failing"));
    const [first] = await attemptsOf(harness, 21);
    const checkRun = harness.github.checkRuns.find((run) => run.external_id === String(first!.id))!;
    expect(checkRun.actions?.map((a) => a.identifier)).toEqual(["retry", "reassign", "cleanup"]);
    harness.github.threads.set(21, { state: "open", title: "Issue 21", body: "" });

    await harness.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: first!.id, identifier: "reassign" }));

    expect((await attemptsOf(harness, 21)).map((a) => [a.agent, a.state])).toEqual([
      ["failing", "failed"],
      ["committer", "succeeded"],
    ]);
  });

  it("lists the known agents for an unknown one, and refuses the same agent or a wrong state", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(22, "/orch dispatch failing"));
    await harness.deliver("issue_comment", comment(22, "/orch reassign nobody"));
    expect(harness.github.repliesOn(22).at(-1)!.body).toContain("there is no agent `nobody` on this server. Known agents: `committer` (default), `failing`, `sleeper`.");
    await harness.deliver("issue_comment", comment(22, "/orch reassign failing"));
    expect(harness.github.repliesOn(22).at(-1)!.body).toContain("`t1`'s latest attempt already used `failing`; for another go with it, `/orch retry t1`");
    expect(await attemptsOf(harness, 22)).toHaveLength(1);

    await harness.deliver("issue_comment", comment(23, "/orch dispatch committer"));
    await harness.deliver("issue_comment", comment(23, "/orch reassign failing"));
    expect(harness.github.repliesOn(23).at(-1)!.body).toContain("`t1`'s latest is attempt 1 (`committer`, succeeded); reassign applies to a failed or blocked task.");
  });
});

describe("cleanup", () => {
  it("by comment: the worktree goes, the branch stays in the cache and on the remote; twice is harmless", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(30, "/orch dispatch committer"));
    const [attempt] = await attemptsOf(harness, 30);
    expect(fs.existsSync(attempt!.worktreePath!)).toBe(true);

    await harness.deliver("issue_comment", comment(30, "/orch cleanup"));

    expect(fs.existsSync(attempt!.worktreePath!)).toBe(false);
    expect((await attemptsOf(harness, 30))[0]!.workspaceState).toBe("cleaned");
    expect(await git(harness.cacheGit(), ["rev-parse", "--verify", "refs/heads/orch/30/t1/a1"])).toMatch(/^[0-9a-f]{40}$/);
    expect(await listRemoteBranches(harness.remote.barePath)).toContain("orch/30/t1/a1");
    expect(await git(harness.cacheGit(), ["worktree", "list", "--porcelain"])).not.toContain(attempt!.worktreePath!);
    expect(harness.github.repliesOn(30).at(-1)!.body).toContain("Removed the worktree of t1 attempt 1; the branches stay, in orch's cache and on GitHub.");
    const checkRun = harness.github.checkRuns.find((run) => run.external_id === String(attempt!.id) && run.head_sha === harness.remote.headSha)!;
    expect(checkRun.actions?.map((a) => a.identifier)).toEqual([]);

    await harness.deliver("issue_comment", comment(30, "/orch cleanup"));
    expect(harness.github.repliesOn(30).at(-1)!.body).toContain("Nothing to clean up in `t1`: no ended attempt still has a worktree.");
  });

  it("by the Clean up button", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(31, "/orch dispatch failing"));
    const [attempt] = await attemptsOf(harness, 31);
    harness.github.threads.set(31, { state: "open", title: "Issue 31", body: "" });

    await harness.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: attempt!.id, identifier: "cleanup" }));

    expect(fs.existsSync(attempt!.worktreePath!)).toBe(false);
    expect((await attemptsOf(harness, 31))[0]!.workspaceState).toBe("cleaned");
  });

  it("leaves a running attempt alone and says so; --run cleans every ended attempt", async () => {
    const harness = await start();
    await harness.deliver("issue_comment", comment(32, "/orch dispatch failing"));
    await harness.deliver("issue_comment", comment(32, "/orch retry"));
    await harness.deliver("issue_comment", comment(32, "/orch cleanup --run"));
    expect(harness.github.repliesOn(32).at(-1)!.body).toContain("Removed the worktree of t1 attempt 1, t1 attempt 2;");

    const { attempt } = await startSleeper(harness, 33);
    await harness.receive("issue_comment", comment(33, "/orch cleanup"));
    await harness.waitFor(() => harness.github.repliesOn(33).length > 0, "the reply");
    expect(harness.github.repliesOn(33)[0]!.body).toContain("Left t1 attempt 1 alone because it is still active; `/orch cancel` stops it first.");
    expect(fs.existsSync(attempt.worktreePath!)).toBe(true);
    await harness.deliver("issue_comment", comment(33, "/orch cancel"));
  });
});
