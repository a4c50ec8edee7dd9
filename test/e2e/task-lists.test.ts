/**
 * Task lists through the whole app: real git, real agent processes in the
 * sandbox, the recording fake GitHub.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RunView } from "../../src/store/records.js";
import { issueCommentCreated } from "../fakes/events.js";
import { git, listRemoteBranches } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness({ agents: { worker: fixtureAgent("task-file.sh") } });
  return harness;
}

async function runOf(h: Harness, number: number): Promise<RunView | undefined> {
  const thread = await h.store.findThread({ ...target, number });
  return thread ? h.store.findRun({ threadId: thread.id }) : undefined;
}

function dispatch(h: Harness, number: number, lines: string[]) {
  h.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  return h.deliver("issue_comment", issueCommentCreated({ ...target, number, body: ["/orch dispatch -- Give `list` a JSON mode", ...lines].join("\n") }));
}

/** The files on a pushed branch, sorted. */
async function filesOn(h: Harness, branch: string): Promise<string[]> {
  return (await git(h.remote.barePath, ["ls-tree", "--name-only", `refs/heads/${branch}`])).split("\n").filter(Boolean).sort();
}

describe("task lists", () => {
  it("runs t1 first, then t2 and t3 from its head, their PRs stacked on its branch, and draws the graph", async () => {
    const h = await start();
    await dispatch(h, 7, ["- [ ] Add a --json flag", "- [ ] Document the flag (after t1)", "- [ ] t3: Add tests (after t1)"]);

    const run = (await runOf(h, 7))!;
    expect(run.tasks.map((t) => [t.key, t.state, t.after, t.attempts.map((a) => a.state)])).toEqual([
      ["t1", "succeeded", [], ["succeeded"]],
      ["t2", "succeeded", ["t1"], ["succeeded"]],
      ["t3", "succeeded", ["t1"], ["succeeded"]],
    ]);
    expect(run.state).toBe("succeeded");
    // t2 and t3 started from t1's pushed head: its file and commit are under theirs.
    const t1Head = run.tasks[0]!.attempts[0]!.headSha!;
    for (const [key, task] of [["t2", run.tasks[1]!], ["t3", run.tasks[2]!]] as const) {
      expect(task.attempts[0]!.baseSha).toBe(t1Head);
      expect(await filesOn(h, `orch/7/${key}/a1`)).toEqual(["README.md", `${key}.txt`, "t1.txt"].sort());
    }
    // t1 started only once: t2 and t3 began after it ended.
    const t1Ended = run.tasks[0]!.attempts[0]!.endedAt!.getTime();
    expect(run.tasks.slice(1).every((t) => t.attempts[0]!.startedAt!.getTime() >= t1Ended)).toBe(true);
    // The PRs: t1's onto main, t2's and t3's onto t1's branch.
    expect(h.github.pulls.map((pr) => [pr.head, pr.base]).sort()).toEqual([
      ["orch/7/t1/a1", "main"],
      ["orch/7/t2/a1", "orch/7/t1/a1"],
      ["orch/7/t3/a1", "orch/7/t1/a1"],
    ]);
    // The status comment draws the graph with each task's state.
    const body = h.github.statusCommentsOn(7)[0]!.body;
    expect(body).toContain(["```mermaid", "graph LR", '  t1["t1 · ✅ succeeded"]', '  t2["t2 · ✅ succeeded"]', '  t3["t3 · ✅ succeeded"]', "  t1 --> t2", "  t1 --> t3", "```"].join("\n"));
    expect(h.github.unexpected).toEqual([]);
  });

  it("refuses a cycle with a reply that names it, and starts nothing", async () => {
    const h = await start();
    await dispatch(h, 8, ["- [ ] one (after t2)", "- [ ] two (after t1)"]);
    const [reply] = h.github.repliesOn(8);
    expect(reply!.body).toContain("the task list in your instructions cannot run, so nothing was started: the tasks wait for each other in a cycle (t1 → t2 → t1)");
    expect(await runOf(h, 8)).toBeUndefined();
    expect((await listRemoteBranches(h.remote.barePath)).filter((b) => b.startsWith("orch/"))).toEqual([]);
    expect(h.github.checkRuns).toEqual([]);
  });

  it("reports a task whose two dependencies do not merge as blocked, naming the file, and opens no PR for it", async () => {
    const h = await start();
    await dispatch(h, 9, ["- [ ] Write shared.txt one way", "- [ ] Write shared.txt another way", "- [ ] Combine them (after t1, t2)"]);
    const run = (await runOf(h, 9))!;
    expect(run.tasks.map((t) => [t.key, t.state])).toEqual([
      ["t1", "succeeded"],
      ["t2", "succeeded"],
      ["t3", "blocked"],
    ]);
    const blocked = run.tasks[2]!.attempts[0]!;
    expect(blocked.summary).toBe(
      "t3 waits for t1, t2, and their branches do not merge: t2 conflicts with t1 in `shared.txt`. Resolve it on one of those branches, then `/orch retry t3`.",
    );
    expect(h.github.pulls.map((pr) => pr.head).sort()).toEqual(["orch/9/t1/a1", "orch/9/t2/a1"]);
    expect(await listRemoteBranches(h.remote.barePath)).not.toContain("orch/9/t3/a1");
    const checkRun = h.github.checkRuns.find((c) => c.external_id === String(blocked.id));
    expect(checkRun?.history.at(-1)).toEqual({ status: "completed", conclusion: "action_required" });
    expect(h.github.statusCommentsOn(9)[0]!.body).toContain('t3["t3 · ✋ blocked"]');
  });

  it("merges two dependencies that touch different files, and stacks nothing (the PR goes to main)", async () => {
    const h = await start();
    await dispatch(h, 10, ["- [ ] First part", "- [ ] Second part", "- [ ] Both (after t1, t2)"]);
    const run = (await runOf(h, 10))!;
    expect(run.tasks.map((t) => t.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(await filesOn(h, "orch/10/t3/a1")).toEqual(["README.md", "t1.txt", "t2.txt", "t3.txt"]);
    const merge = run.tasks[2]!.attempts[0]!.baseSha!;
    const parents = (await git(h.remote.barePath, ["rev-list", "--parents", "-n", "1", merge])).trim().split(" ").slice(1);
    expect(parents).toEqual([run.tasks[0]!.attempts[0]!.headSha, run.tasks[1]!.attempts[0]!.headSha]);
    expect(h.github.pulls.find((pr) => pr.head === "orch/10/t3/a1")?.base).toBe("main");
  });
});
