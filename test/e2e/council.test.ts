/**
 * `/orch council` and `/orch pick` through the whole app: real agents in the
 * sandbox, real git, the recording fake GitHub.
 */
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { RunView } from "../../src/store/records.js";
import { checkRunRequestedAction, issueCommentCreated } from "../fakes/events.js";
import { listRemoteBranches, pushCommit } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness({
    agents: { alpha: fixtureAgent("commit-file.sh"), beta: fixtureAgent("commit-file.sh"), failer: fixtureAgent("fail.sh"), sleeper: fixtureAgent("sleep.sh") },
  });
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

function checkRunOf(h: Harness, attemptId: number) {
  return h.github.checkRuns.find((run) => run.external_id === String(attemptId))!;
}

describe("council", () => {
  it("runs two agents at once, opens no PR, compares them, and a Pick on the second opens exactly its PR", async () => {
    const h = await start();
    await comment(h, 20, "/orch council alpha beta -- fix it");
    const [task] = (await runOf(h, 20)).tasks;
    expect(task).toMatchObject({ mode: "council", councilSize: 2, state: "picking" });
    const [a1, a2] = task!.attempts;
    expect([a1, a2].map((a) => [a!.agent, a!.state, a!.council, a!.diffStat])).toEqual([
      ["alpha", "succeeded", true, "1 file, +1 −0"],
      ["beta", "succeeded", true, "1 file, +1 −0"],
    ]);
    // They overlapped: both were running before either ended.
    expect(Math.max(a1!.startedAt!.getTime(), a2!.startedAt!.getTime())).toBeLessThan(Math.min(a1!.endedAt!.getTime(), a2!.endedAt!.getTime()));
    expect(h.github.pulls).toEqual([]);
    const status = h.github.statusCommentsOn(20)[0]!.body;
    expect(status).toContain("**Council t1**");
    expect(status).toContain("| a1 | alpha | succeeded | – | 1 file, +1 −0 |");
    expect(status).toContain("[diff](https://github.com/acme/widgets/compare/main...orch/20/t1/a2)");
    expect(status).toContain("Pick one: `/orch pick t1/a1` · `/orch pick t1/a2`, or the **Pick** button on its check run.");
    expect(checkRunOf(h, a2!.id).actions?.map((a) => a.identifier)).toEqual(["pick", "cleanup"]);

    await h.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: a2!.id, identifier: "pick", name: "orch / t1 / attempt 2" }));

    expect(h.github.pulls.map((pr) => [pr.head, pr.base])).toEqual([["orch/20/t1/a2", "main"]]);
    expect(h.github.repliesOn(20).at(-1)!.body).toContain(
      `picked \`t1\` attempt 2 (\`beta\`): its pull request is #${h.github.pulls[0]!.number}. attempt 1 is superseded; their worktrees are removed and their branches stay.`,
    );
    const after = (await runOf(h, 20)).tasks[0]!;
    expect(after.state).toBe("succeeded");
    expect(after.attempts.map((a) => [a.number, a.state, a.pullRequestNumber !== null, a.workspaceState])).toEqual([
      [1, "superseded", false, "cleaned"],
      [2, "succeeded", true, "allocated"],
    ]);
    expect(fs.existsSync(a1!.worktreePath!)).toBe(false);
    expect(await listRemoteBranches(h.remote.barePath)).toEqual(expect.arrayContaining(["orch/20/t1/a1", "orch/20/t1/a2"]));
    expect(checkRunOf(h, a1!.id).history.at(-1)).toEqual({ status: "completed", conclusion: "neutral" });
    // Its copy on the pushed head says so too, updated rather than made twice.
    const onHead = h.github.checkRuns.filter((run) => run.external_id === String(a1!.id) && run.head_sha === a1!.headSha);
    expect(onHead.map((run) => run.history.at(-1))).toEqual([{ status: "completed", conclusion: "neutral" }]);
    expect(checkRunOf(h, a2!.id).actions?.map((a) => a.identifier)).not.toContain("pick");
    // A second pick does nothing.
    await comment(h, 20, "/orch pick a1");
    expect(h.github.pulls).toHaveLength(1);
    expect(h.github.repliesOn(20).at(-1)!.body).toContain("attempt 2 was picked already");
    expect(h.github.unexpected).toEqual([]);
  });

  it("ignores a Pick button from before a retry, with a reply; the command still picks", async () => {
    const h = await start();
    await comment(h, 21, "/orch council alpha failer");
    const [a1, a2] = (await runOf(h, 21)).tasks[0]!.attempts;
    expect([a1!.state, a2!.state]).toEqual(["succeeded", "failed"]);
    await comment(h, 21, "/orch retry");
    expect((await runOf(h, 21)).tasks[0]!.attempts.map((a) => [a.number, a.agent, a.state, a.council])).toEqual([
      [1, "alpha", "succeeded", true],
      [2, "failer", "failed", true],
      [3, "failer", "failed", true],
    ]);
    await h.deliver("check_run", checkRunRequestedAction({ ...target, attemptId: a1!.id, identifier: "pick" }));
    expect(h.github.pulls).toEqual([]);
    expect(h.github.repliesOn(21).at(-1)!.body).toContain("this Pick button is from before attempt 3 was started, so it was ignored; `/orch pick a1` picks it anyway.");
    await comment(h, 21, "/orch pick a1");
    expect(h.github.pulls.map((pr) => pr.head)).toEqual(["orch/21/t1/a1"]);
  });

  it("binds a pick to the head the attempt pushed: a branch moved since is not proposed", async () => {
    const h = await start();
    await comment(h, 23, "/orch council alpha beta");
    const [a1] = (await runOf(h, 23)).tasks[0]!.attempts;
    const moved = await pushCommit({ barePath: h.remote.barePath, branch: "orch/23/t1/a1", files: { "planted.txt": "not the agent's\n" } });
    await comment(h, 23, "/orch pick a1");
    expect(h.github.pulls).toEqual([]);
    expect(h.github.repliesOn(23).at(-1)!.body).toContain(
      `attempt 1's branch \`orch/23/t1/a1\` is no longer at the commit it pushed (${a1!.headSha!.slice(0, 7)}, now ${moved.slice(0, 7)}), so it was not proposed`,
    );
    // The task still waits for a pick: another one goes through.
    await comment(h, 23, "/orch pick a2");
    expect(h.github.pulls.map((pr) => pr.head)).toEqual(["orch/23/t1/a2"]);
  });

  it("cancels every running attempt of a council with one /orch cancel", async () => {
    const h = await start();
    h.github.threads.set(24, { state: "open", title: "Issue 24", body: "" });
    await h.receive("issue_comment", issueCommentCreated({ ...target, number: 24, body: "/orch council sleeper --n 2" }));
    await h.waitFor(async () => (await runOf(h, 24).catch(() => undefined))?.tasks[0]!.attempts.every((a) => a.state === "running" && a.pid), "both attempts to run");
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 24, body: "/orch cancel" }));
    expect((await runOf(h, 24)).tasks[0]!.attempts.map((a) => a.state)).toEqual(["cancelled", "cancelled"]);
    expect(h.github.repliesOn(24).at(-1)!.body).toContain("cancelled 2 attempts of run");
  });

  it("refuses a council of one, and a pick of an attempt that failed", async () => {
    const h = await start();
    await comment(h, 22, "/orch council alpha");
    expect(h.github.repliesOn(22).at(-1)!.body).toContain("a council compares 2 or more attempts");
    await comment(h, 22, "/orch council alpha failer");
    await comment(h, 22, "/orch pick a2");
    expect(h.github.repliesOn(22).at(-1)!.body).toContain("attempt 2 ended failed; only an attempt that succeeded (and pushed its branch) can be picked.");
    expect(h.github.pulls).toEqual([]);
  });
});
