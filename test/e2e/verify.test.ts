/**
 * The repository's verify and the caps, through the whole app: real git, the
 * agent and the verify command as real processes in the sandbox, the
 * recording fake GitHub serving `.github/orch.yml`.
 */
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import type { RunView } from "../../src/store/records.js";
import { issueCommentCreated } from "../fakes/events.js";
import { listRemoteBranches } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(repoConfig: string): Promise<Harness> {
  harness = await startHarness({
    agents: { fixer: fixtureAgent("verify-aware.sh"), failer: fixtureAgent("fail.sh"), costly: fixtureAgent("costly.sh"), sleeper: fixtureAgent("sleep.sh") },
  });
  harness.github.repoConfig = repoConfig;
  return harness;
}

async function runOf(h: Harness, number: number): Promise<RunView> {
  const thread = await h.store.findThread({ ...target, number });
  return (await h.store.findRun({ threadId: thread!.id }))!;
}

function comment(h: Harness, number: number, body: string) {
  h.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  return h.deliver("issue_comment", issueCommentCreated({ ...target, number, body }));
}

describe("verify", () => {
  it("fails attempt 1, starts auto-retry 1 of 2 with the failure as feedback, and opens one PR when it passes", async () => {
    const h = await start(["verify:", "  run: test -f fixed.txt || { echo 'fixed.txt is missing'; exit 1; }", "  max_auto_retries: 2"].join("\n"));
    await comment(h, 7, "/orch dispatch fixer");

    const [first, second, ...more] = (await runOf(h, 7)).tasks[0]!.attempts;
    expect(more).toEqual([]);
    expect(first).toMatchObject({ state: "failed", verifyState: "failed", autoRetry: 0, pullRequestNumber: null });
    expect(first!.summary).toBe("verify failed (exit 1): fixed.txt is missing; orch starts auto-retry 1 of 2");
    expect(second).toMatchObject({ state: "succeeded", verifyState: "passed", autoRetry: 1, autoRetryLimit: 2, requestedBy: "octocat" });
    // Two agent runs, one PR: the second attempt's.
    expect(h.github.pulls.map((pr) => pr.head)).toEqual(["orch/7/t1/a2"]);
    // The failure's tail went to the agent, fenced as data.
    const prompt = fs.readFileSync(getAttemptFiles(h.home, second!.id).promptFile, "utf8");
    expect(prompt).toMatch(/<<<VERIFY-([0-9a-f]+)\n[^]*?\nfixed\.txt is missing\n[^]*?VERIFY-\1>>>/);
    // The check runs say what verify did, with its output.
    const failedRun = h.github.checkRuns.find((run) => run.external_id === String(first!.id))!;
    expect(failedRun.output?.title).toBe("t1 attempt 1: failed (verify)");
    expect(failedRun.output?.summary).toContain("**Verify:** ❌ failed");
    expect(failedRun.output?.text).toContain("### Verify output (tail)");
    expect(failedRun.output?.text).toContain("fixed.txt is missing");
    const passedRun = h.github.checkRuns.find((run) => run.external_id === String(second!.id))!;
    expect(passedRun.output?.title).toBe("t1 attempt 2 (auto-retry 1 of 2): succeeded");
    expect(passedRun.output?.summary).toContain("**Verify:** ✅ passed");
    const status = h.github.statusCommentsOn(7)[0]!.body;
    expect(status).toContain("| t1 | 2 (auto-retry 1 of 2) | fixer | ✅ succeeded · verify ✅ |");
    expect(status).toContain("| t1 | 1 | fixer | ❌ failed · verify ❌ |");
  });

  it("stops after max_auto_retries: no PR, and the last attempt's summary names the cap", async () => {
    const h = await start(["verify:", `  run: "echo 'tests: 3 failed'; exit 1"`, "  max_auto_retries: 1"].join("\n"));
    await comment(h, 8, "/orch dispatch fixer");
    const attempts = (await runOf(h, 8)).tasks[0]!.attempts;
    expect(attempts.map((a) => [a.number, a.state, a.verifyState, a.autoRetry])).toEqual([
      [1, "failed", "failed", 0],
      [2, "failed", "failed", 1],
    ]);
    expect(attempts[1]!.summary).toBe("verify failed (exit 1): tests: 3 failed; no auto-retry left (verify.max_auto_retries: 1, all used); `/orch retry` to try again");
    expect(h.github.pulls).toEqual([]);
    // A failed verify's branch is still pushed, for a look at what the agent did.
    expect(await listRemoteBranches(h.remote.barePath)).toEqual(expect.arrayContaining(["orch/8/t1/a1", "orch/8/t1/a2"]));
  });

  it("/orch verify runs it again in the attempt's worktree, and its check run shows the new result", async () => {
    const h = await start(["verify:", "  run: test -f fixed.txt || { echo 'fixed.txt is missing'; exit 1; }"].join("\n"));
    await comment(h, 13, "/orch dispatch fixer");
    const [attempt] = (await runOf(h, 13)).tasks[0]!.attempts;
    expect(attempt).toMatchObject({ state: "failed", verifyState: "failed" });
    expect(attempt!.summary).toBe("verify failed (exit 1): fixed.txt is missing; `/orch retry` to try again");
    // A maintainer fixes the worktree by hand; verify again.
    fs.writeFileSync(`${attempt!.worktreePath}/fixed.txt`, "by hand\n");
    await comment(h, 13, "/orch verify");
    expect(h.github.repliesOn(13).at(-1)!.body).toContain("running verify again on `t1` attempt 1; its check run and the status comment show the result.");
    const again = (await runOf(h, 13)).tasks[0]!.attempts;
    expect(again.map((a) => [a.state, a.verifyState])).toEqual([["failed", "passed"]]);
    const checkRun = h.github.checkRuns.find((run) => run.external_id === String(attempt!.id))!;
    expect(checkRun.output?.summary).toContain("**Verify:** ✅ passed");
    expect(h.github.statusCommentsOn(13)[0]!.body).toContain("| t1 | 1 | fixer | ❌ failed · verify ✅ |");
  });

  it("never raises the server's ceiling: a repository's max_auto_retries of 10 is held at the server's 3", async () => {
    const h = await start(["verify:", "  run: exit 1", "  max_auto_retries: 10"].join("\n"));
    await comment(h, 9, "/orch dispatch fixer");
    const attempts = (await runOf(h, 9)).tasks[0]!.attempts;
    expect(attempts.map((a) => a.autoRetry)).toEqual([0, 1, 2, 3]);
    expect(attempts.at(-1)!.summary).toContain("no auto-retry left (verify.max_auto_retries: 3, all used)");
  });
});

describe("caps", () => {
  it("refuses a retry past max_attempts_per_task with a reply that names the cap and how to go on", async () => {
    const h = await start("max_attempts_per_task: 1");
    await comment(h, 10, "/orch dispatch failer");
    await comment(h, 10, "/orch retry");
    expect((await runOf(h, 10)).tasks[0]!.attempts).toHaveLength(1);
    expect(h.github.repliesOn(10).at(-1)!.body).toContain(
      "`t1` has had 1 attempt, as many as `max_attempts_per_task` (1) allows, so no new attempt was started. To go on, `/orch dispatch` a new run",
    );
  });

  it("counts the usage agents report against max_cost_usd, shows it, and refuses the retry that would pass it", async () => {
    const h = await start("max_cost_usd: 1");
    await comment(h, 11, "/orch dispatch costly");
    await comment(h, 11, "/orch retry");
    const attempts = (await runOf(h, 11)).tasks[0]!.attempts;
    expect(attempts.map((a) => [a.state, a.costUsd, a.inputTokens, a.outputTokens])).toEqual([
      ["failed", 0.6, 1200, 300],
      ["failed", 0.6, 1200, 300],
    ]);
    await comment(h, 11, "/orch retry");
    expect((await runOf(h, 11)).tasks[0]!.attempts).toHaveLength(2);
    expect(h.github.repliesOn(11).at(-1)!.body).toContain(
      "this run's agents have reported $1.20 of usage, and `max_cost_usd` is $1.00, so no new attempt was started.",
    );
    const checkRun = h.github.checkRuns.find((run) => run.external_id === String(attempts[0]!.id))!;
    expect(checkRun.output?.summary).toContain("**Usage:** $0.60 · 1,200 in / 300 out tokens");
    expect(h.github.statusCommentsOn(11)[0]!.body).toContain("· usage $1.20 of $1.00");
  });

  it("stops an attempt at the run's run_timeout, and refuses a retry after it", async () => {
    const h = await start("run_timeout: 2s");
    await comment(h, 12, "/orch dispatch sleeper");
    const [attempt] = (await runOf(h, 12)).tasks[0]!.attempts;
    expect(attempt!.state).toBe("timed_out");
    expect(attempt!.summary).toMatch(/^run_timeout \(2s\) reached: the run started at \d{4}-\d\d-\d\d \d\d:\d\d UTC, so this attempt was stopped\./);
    await comment(h, 12, "/orch retry");
    expect((await runOf(h, 12)).tasks[0]!.attempts).toHaveLength(1);
    expect(h.github.repliesOn(12).at(-1)!.body).toContain("and `run_timeout` (2s) has passed, so no new attempt was started.");
  });
});
