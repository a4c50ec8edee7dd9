import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import { INSTALLATION_TOKEN } from "../fakes/fake-github.js";
import { issueCommentCreated } from "../fakes/events.js";
import { git, listRemoteBranches, readFileAtRef } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";
import { waitUntilAttemptGone, waitUntilGone } from "../helpers/processes.js";

const target = { owner: OWNER, repo: REPO };
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function latestAttempt(h: Harness, number: number) {
  const thread = await h.store.findThread({ ...target, number });
  const run = thread ? await h.store.findRun({ threadId: thread.id }) : undefined;
  return run?.tasks[0]?.attempts.at(-1);
}

describe("/orch dispatch", () => {
  it("runs the agent in its own worktree, pushes its commit, opens a draft PR and reports success", async () => {
    harness = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh") } });
    const h = harness;
    h.github.threads.set(7, { state: "open", title: "Fix the README", body: "typo" });

    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 7, body: "/orch dispatch -- keep it short", title: "Fix the README" }));

    // The remote has the attempt's branch with the agent's commit on top of main.
    const branch = "orch/7/t1/a1";
    expect(await listRemoteBranches(h.remote.barePath)).toContain(branch);
    const prompt = await readFileAtRef(h.remote.barePath, `refs/heads/${branch}`, "orch-agent.txt");
    expect(prompt).toMatch(/^You are a coding agent working on the GitHub repository acme\/widgets/);
    // orch commits the files the agent left as one commit of its own; the agent's own commits stay in its throwaway repository.
    expect(await git(h.remote.barePath, ["log", "--format=%s", `main..${branch}`])).toBe("orch: t1 attempt 1");

    // The PR was opened from that branch onto the default branch, as a draft that links the issue.
    expect(h.github.pulls).toHaveLength(1);
    expect(h.github.pulls[0]).toMatchObject({ head: branch, base: "main", draft: true });
    expect(h.github.pulls[0]!.title).toBe("Fix the README (orch t1, attempt 1)");
    expect(h.github.pulls[0]!.body).toContain("Closes #7.");

    // The check run was created in progress on main's head, then completed success with a summary.
    const baseRun = h.github.checkRuns.find((run) => run.head_sha === h.remote.headSha);
    expect(baseRun).toMatchObject({ name: "orch / t1 / attempt 1", external_id: expect.any(String) });
    expect(baseRun!.history[0]).toEqual({ status: "in_progress", conclusion: undefined });
    expect(baseRun!.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(baseRun!.output?.summary).toContain("**Agent:** `committer`");
    expect(baseRun!.output?.summary).toContain(`**Branch:** \`${branch}\``);
    expect(baseRun!.output?.summary).toMatch(/\*\*Duration:\*\* \d+\.\ds/);
    expect(baseRun!.output?.text).toContain("commit-file: committed orch-agent.txt");
    expect(baseRun!.actions?.map((a) => a.identifier)).toEqual(["cleanup"]);
    // ...and reported on the pushed head too, so it shows in the attempt's own PR.
    const pushedHead = await git(h.remote.barePath, ["rev-parse", `refs/heads/${branch}`]);
    expect(h.github.checkRuns.find((run) => run.head_sha === pushedHead)).toMatchObject({ status: "completed", conclusion: "success" });

    // One status comment, created once, then edited in place; it shows the PR.
    const statusComments = h.github.statusCommentsOn(7);
    expect(statusComments).toHaveLength(1);
    expect(statusComments[0]!.edits).toBeGreaterThan(0);
    expect(statusComments[0]!.body).toContain("✅ succeeded");
    expect(statusComments[0]!.body).toContain(`#${h.github.pulls[0]!.number}`);
    expect(h.github.reactions).toEqual([{ commentId: expect.any(Number), content: "eyes" }]);
    expect(h.github.repliesOn(7)).toEqual([]);

    // The attempt row says succeeded and remembers what it made.
    const attempt = await latestAttempt(h, 7);
    expect(attempt).toMatchObject({
      state: "succeeded",
      agent: "committer",
      branch,
      baseSha: h.remote.headSha,
      headSha: pushedHead,
      workspaceState: "allocated",
      exitCode: 0,
      host: "test-host",
      pullRequestNumber: h.github.pulls[0]!.number,
    });
    expect(attempt!.startedAt).toBeInstanceOf(Date);
    expect(attempt!.endedAt).toBeInstanceOf(Date);
    expect(fs.existsSync(path.join(attempt!.worktreePath!, "orch-agent.txt"))).toBe(true);
    expect(h.github.tokenExchanges).toBe(1);
    expect(h.github.unexpected).toEqual([]);

    // The prompt marks the issue text as untrusted and holds the instructions.
    const promptFile = fs.readFileSync(getAttemptFiles(h.home, attempt!.id).promptFile, "utf8");
    expect(promptFile).toContain("Instructions from @octocat, a maintainer:\nkeep it short");
    expect(promptFile).toMatch(/<<<UNTRUSTED-[0-9a-f]{12}\nTitle: Fix the README/);
    // The agent never saw the installation token.
    expect(promptFile).not.toContain(INSTALLATION_TOKEN);
  });
});

describe("/orch dispatch, when the agent does not succeed", () => {
  it("reports failure and opens no PR when the agent exits 1", async () => {
    harness = await startHarness({ agents: { failing: fixtureAgent("fail.sh") } });
    const h = harness;
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 8, body: "/orch dispatch" }));

    expect(await latestAttempt(h, 8)).toMatchObject({ state: "failed", exitCode: 1, summary: "the agent exited with code 1" });
    expect(h.github.pulls).toEqual([]);
    expect(await listRemoteBranches(h.remote.barePath)).toEqual(["main"]);
    expect(h.github.checkRuns).toHaveLength(1);
    expect(h.github.checkRuns[0]!.history.at(-1)).toEqual({ status: "completed", conclusion: "failure" });
    expect(h.github.checkRuns[0]!.output?.text).toContain("fail: something went wrong");
    expect(h.github.checkRuns[0]!.actions?.map((a) => a.identifier)).toEqual(["retry", "cleanup"]);
    const [status] = h.github.statusCommentsOn(8);
    expect(status!.body).toContain("❌ failed");
    expect(status!.body).toContain("`/orch retry`");
    expect(h.github.unexpected).toEqual([]);
  });

  it("reports blocked with the agent's summary when it writes a blocked result file", async () => {
    harness = await startHarness({ agents: { stuck: fixtureAgent("blocked.sh") } });
    const h = harness;
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 9, body: "/orch dispatch" }));

    expect(await latestAttempt(h, 9)).toMatchObject({ state: "blocked", summary: "need the API key for staging" });
    expect(h.github.pulls).toEqual([]);
    expect(h.github.checkRuns[0]!.history.at(-1)).toEqual({ status: "completed", conclusion: "action_required" });
    expect(h.github.checkRuns[0]!.output?.summary).toContain("need the API key for staging");
    expect(h.github.statusCommentsOn(9)[0]!.body).toContain("✋ blocked");
  });

  it("kills the whole process group, grandchild included, when the agent outlives its timeout", async () => {
    harness = await startHarness({ agents: { sleeper: fixtureAgent("sleep.sh", { timeoutMs: 1_500 }) }, killGraceMs: 300 });
    const h = harness;
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 10, body: "/orch dispatch" }));

    const attempt = await latestAttempt(h, 10);
    expect(attempt).toMatchObject({ state: "timed_out" });
    expect(attempt!.summary).toMatch(/^timed out after [\d.]+s; the agent's processes were killed$/);
    const files = getAttemptFiles(h.home, attempt!.id);
    // The agent and its grandchild ran (their pid files, written inside the sandbox), and nothing of the attempt is left.
    expect(fs.existsSync(path.join(files.ioDir, "agent.pid"))).toBe(true);
    expect(fs.existsSync(path.join(files.ioDir, "grandchild.pid"))).toBe(true);
    expect(attempt!.pid).toEqual(expect.any(Number));
    expect(await waitUntilGone(attempt!.pid!)).toBe(true);
    expect(await waitUntilAttemptGone(attempt!.id)).toBe(true);
    expect(h.github.checkRuns[0]!.history.at(-1)).toEqual({ status: "completed", conclusion: "timed_out" });
    expect(h.github.pulls).toEqual([]);
  });

  it("gives the agent a fresh HOME of its own per attempt, seeded from its entry's home: folder", async () => {
    const template = fs.mkdtempSync(path.join(os.tmpdir(), "orch-home-template-"));
    fs.mkdirSync(path.join(template, ".tool"));
    fs.writeFileSync(path.join(template, ".tool", "auth.json"), '{"login":"operator"}\n');
    try {
      harness = await startHarness({ agents: { homer: fixtureAgent("home-check.sh", { homeTemplate: template }) } });
      const h = harness;
      await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 11, body: "/orch dispatch" }));
      await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 12, body: "/orch dispatch" }));

      for (const number of [11, 12]) {
        const branch = `refs/heads/orch/${number}/t1/a1`;
        expect(await readFileAtRef(h.remote.barePath, branch, "home-seen.txt")).toBe('{"login":"operator"}\n');
        // What the first agent wrote into its HOME never reached the second's.
        expect(await readFileAtRef(h.remote.barePath, branch, "home-listing.txt")).toBe(".tool\n");
      }
      expect(fs.readdirSync(template)).toEqual([".tool"]);
    } finally {
      fs.rmSync(template, { recursive: true, force: true });
    }
  });
});
