/**
 * Every end is final: files an agent leaves to block or mislead orch, a
 * cancel that lands after the agent exited, a push the remote refuses, a step
 * that throws. Each ends the attempt in a final state with its check run
 * completed, and says why.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import type { AttemptRecord } from "../../src/store/records.js";
import { issueCommentCreated } from "../fakes/events.js";
import { listRemoteBranches } from "../helpers/git-remote.js";
import { AGENTS_DIR, fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";
import { waitUntilAttemptGone } from "../helpers/processes.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function latestAttempt(harness: Harness, number: number): Promise<AttemptRecord | undefined> {
  const thread = await harness.store.findThread({ ...target, number });
  const run = thread ? await harness.store.findRun({ threadId: thread.id }) : undefined;
  return run?.tasks[0]?.attempts.at(-1);
}

function checkRunOf(harness: Harness, attemptId: number) {
  return harness.github.checkRuns.find((run) => run.external_id === String(attemptId));
}

const odd = (mode: string) => fixtureAgent("odd-result.sh", { command: [path.join(AGENTS_DIR, "odd-result.sh"), mode] });

describe("files the agent leaves to block or mislead orch", () => {
  it.each([
    { name: "a FIFO", mode: "fifo", reason: "the result file is not a regular file" },
    { name: "a directory", mode: "directory", reason: "the result file is not a regular file" },
    { name: "a link to /etc/passwd", mode: "symlink", reason: "the result file is a symbolic link; write a regular file" },
  ])("$name at the result file: read without blocking or following, the attempt ends, its check run completes", async ({ mode, reason }) => {
    h = await startHarness({ agents: { odd: odd(mode) } });
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch" }));

    const attempt = await latestAttempt(h, 1);
    expect(attempt).toMatchObject({ state: "succeeded", summary: `changes committed (ignored an invalid result file: ${reason})` });
    expect(checkRunOf(h, attempt!.id)?.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(await listRemoteBranches(h.remote.barePath)).toContain("orch/1/t1/a1");
  });
});

describe("a cancel after the agent exited", () => {
  it("ends the attempt cancelled: nothing is pushed, no pull request, the check run completes", async () => {
    h = await startHarness({ agents: { many: fixtureAgent("many-files.sh", { command: [path.join(AGENTS_DIR, "many-files.sh"), "40000"] }) } });
    const harness = h;
    await harness.receive("issue_comment", issueCommentCreated({ ...target, number: 2, body: "/orch dispatch" }));
    const attempt = await harness.waitFor(async () => {
      const latest = await latestAttempt(harness, 2);
      return latest?.pid ? latest : undefined;
    }, "the agent to start");
    const log = getAttemptFiles(harness.home, attempt.id).logFile;
    // The agent has exited (orch wrote its footer); orch is committing its 40,000 files.
    await harness.waitFor(() => fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("[orch] exited with code 0"), "the agent to exit", 60_000);

    await harness.deliver("issue_comment", issueCommentCreated({ ...target, number: 2, body: "/orch cancel" }));

    const ended = await latestAttempt(harness, 2);
    expect(ended).toMatchObject({ state: "cancelled", headSha: null, pullRequestNumber: null });
    expect(await listRemoteBranches(harness.remote.barePath)).toEqual(["main"]);
    expect(harness.github.pulls).toEqual([]);
    expect(checkRunOf(harness, attempt.id)?.history.at(-1)).toEqual({ status: "completed", conclusion: "cancelled" });
    expect(await waitUntilAttemptGone(attempt.id)).toBe(true);
  }, 90_000);
});

describe("a push the remote refuses", () => {
  it.each([
    {
      name: "a ruleset",
      hook: "echo 'error: GH013: Repository rule violations found for refs/heads/orch/3/t1/a1.' >&2; echo '- Cannot create ref due to creations being restricted.' >&2",
      reason: /^GitHub refused the push of orch\/3\/t1\/a1: a branch protection rule or repository ruleset refused the branch \(GitHub said: .*GH013: Repository rule violations/,
    },
    {
      name: "the workflows permission",
      hook: "echo '! [remote rejected] orch/3/t1/a1 -> orch/3/t1/a1 (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)' >&2",
      reason: /^GitHub refused the push of orch\/3\/t1\/a1: the changes touch a file in \.github\/workflows, which this GitHub App may not change without the workflows permission/,
    },
  ])("by $name says GitHub's reason on the check run, with secrets redacted", async ({ hook, reason }) => {
    h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    const leaked = `ghp_${"R".repeat(20)}${"7".repeat(16)}`;
    fs.writeFileSync(path.join(h.remote.barePath, "hooks", "pre-receive"), `#!/bin/sh\n${hook}\necho 'token seen: ${leaked}' >&2\nexit 1\n`, { mode: 0o755 });

    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 3, body: "/orch dispatch" }));

    const attempt = await latestAttempt(h, 3);
    expect(attempt?.state).toBe("failed");
    expect(attempt?.summary).toMatch(reason);
    expect(attempt?.summary).not.toContain(leaked);
    const run = checkRunOf(h, attempt!.id)!;
    expect(run.history.at(-1)).toEqual({ status: "completed", conclusion: "failure" });
    expect(run.output?.summary).toContain("GitHub refused the push");
    expect(JSON.stringify(h.github.requests.map((r) => r.body))).not.toContain(leaked);
    expect(h.github.pulls).toEqual([]);
  });
});

describe("a step that throws", () => {
  it("still completes the check run, with the step and the reason", async () => {
    h = await startHarness({ agents: { waiter: fixtureAgent("wait-for-go.sh") } });
    const harness = h;
    await harness.receive("issue_comment", issueCommentCreated({ ...target, number: 4, body: "/orch dispatch" }));
    const attempt = await harness.waitFor(async () => {
      const latest = await latestAttempt(harness, 4);
      return latest?.pid && checkRunOf(harness, latest.id) ? latest : undefined;
    }, "the agent to run with its check run");
    // The remote vanishes while the agent works: the push cannot happen.
    fs.renameSync(harness.remote.barePath, `${harness.remote.barePath}.gone`);
    fs.writeFileSync(path.join(getAttemptFiles(harness.home, attempt.id).ioDir, "go"), "");
    await harness.orch.whenIdle();

    const ended = await latestAttempt(harness, 4);
    expect(ended).toMatchObject({ state: "failed", summary: "orch could not push the branch: git failed (the server log has the details)" });
    expect(checkRunOf(harness, attempt.id)?.history.at(-1)).toEqual({ status: "completed", conclusion: "failure" });
    expect(harness.github.statusCommentsOn(4)[0]!.body).toContain("❌ failed");
  });
});
