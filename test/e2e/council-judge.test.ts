/**
 * A council's judge and `council.auto_pick` through the whole app: real
 * agents and a real judge script in the sandbox, real git, the recording
 * fake GitHub. The judge script (test/fixtures/agents/judge.sh) prints all
 * it was given into its log, so the tests can check what it saw.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getJudgeFiles } from "../../src/pipeline/judge-council.js";
import type { RunView, TaskView } from "../../src/store/records.js";
import { issueCommentCreated } from "../fakes/events.js";
import { AGENTS_DIR, fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
const JUDGE_API_KEY = "judge-key-4f9a2c7e1b3d5f60a8c9e2b4d6f8";
let harness: Harness | undefined;
/** The order the judge's candidates come in: reversed unless a test says otherwise, so an identity mapping would show. */
let isReversed = true;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  isReversed = true;
});

/** Each agent writes its own marker into answer.txt, signed with its name (which the judge must not see); with `costUsd`, it reports that usage. */
function markerAgent(marker: string, name: string, costUsd?: string) {
  return fixtureAgent("commit-marker.sh", { command: [path.join(AGENTS_DIR, "commit-marker.sh"), marker, name, ...(costUsd ? [costUsd] : [])] });
}

async function start(params: { repoConfig?: string; judge?: boolean } = {}): Promise<Harness> {
  harness = await startHarness({
    agents: {
      alpha: markerAgent("variant-one", "alpha"),
      beta: markerAgent("variant-two", "beta"),
      twenty: markerAgent("variant-twenty", "twenty", "0.20"),
      sixty: markerAgent("variant-sixty", "sixty", "0.60"),
      failer: fixtureAgent("fail.sh"),
      referee: fixtureAgent("judge.sh", { command: [path.join(AGENTS_DIR, "judge.sh")], env: ["JUDGE_API_KEY"] }),
    },
    ...(params.judge === false ? {} : { judge: "referee" }),
    env: { JUDGE_API_KEY },
    shuffle: <T>(items: readonly T[]) => (isReversed ? [...items].reverse() : [...items]),
  });
  harness.github.repoConfig = params.repoConfig ?? ["verify:", `  run: "echo verify says ok; test -f answer.txt"`].join("\n");
  return harness;
}

async function runOf(h: Harness, number: number): Promise<RunView> {
  const thread = await h.store.findThread({ ...target, number });
  return (await h.store.findRun({ threadId: thread!.id }))!;
}

async function taskOf(h: Harness, number: number): Promise<TaskView> {
  return (await runOf(h, number)).tasks[0]!;
}

function comment(h: Harness, number: number, body: string) {
  h.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  return h.deliver("issue_comment", issueCommentCreated({ ...target, number, body }));
}

function judgeLogOf(h: Harness, task: TaskView): string {
  return fs.readFileSync(getJudgeFiles(h.home, task.id).logFile, "utf8");
}

/** What the judge printed of one of its files: from "JUDGE file <name>:" to the next file. */
function fileSeenByJudge(log: string, name: string): string {
  const start = log.indexOf(`JUDGE file ${name}:\n`);
  expect(start, `the judge printed ${name}`).toBeGreaterThan(-1);
  const rest = log.slice(start + `JUDGE file ${name}:\n`.length);
  const end = rest.search(/^JUDGE (file|prompt)/m);
  return end === -1 ? rest : rest.slice(0, end);
}

const judgedTimes = (h: Harness) => h.logs.filter((line) => line.includes("judging a council's candidates")).length;

describe("council judge", () => {
  it("ranks anonymised, shuffled candidates once, and the comparison maps its ranking back to the right attempts", async () => {
    const h = await start();
    await comment(h, 30, "/orch council alpha beta -- write the answer");
    const task = await taskOf(h, 30);
    expect(task.attempts.map((a) => [a.number, a.agent, a.state, a.verifyState])).toEqual([
      [1, "alpha", "succeeded", "passed"],
      [2, "beta", "succeeded", "passed"],
    ]);
    // The shuffle put a2 first: candidate 1, which the judge ranked first, is beta's.
    expect(task.judge).toMatchObject({ agent: "referee", state: "ranked", order: [2, 1], autoPicked: null });
    expect(task.judge.ranking).toEqual([
      { attempt: 2, reason: "candidate 1 is the best <b>@someone</b> | ok" },
      { attempt: 1, reason: "candidate 2 comes next" },
    ]);

    const log = judgeLogOf(h, task);
    expect(log).toContain("JUDGE files: candidate-1.diff candidate-1.verify.txt candidate-2.diff candidate-2.verify.txt task.md");
    expect(fileSeenByJudge(log, "candidate-1.diff")).toContain("+variant-two, written by [agent]");
    expect(fileSeenByJudge(log, "candidate-2.diff")).toContain("+variant-one, written by [agent]");
    expect(fileSeenByJudge(log, "candidate-1.verify.txt")).toContain("verify: passed");
    expect(fileSeenByJudge(log, "candidate-1.verify.txt")).toContain("verify says ok");
    expect(fileSeenByJudge(log, "task.md")).toContain("write the answer");
    // Nothing tells it which agent made which: no agent name, branch, attempt or git.
    for (const identifying of ["alpha", "beta", "orch/30/t1", "ORCH_ATTEMPT_ID", "worktrees/"]) expect(log).not.toContain(identifying);
    expect(log).toContain("JUDGE sees no git repository");
    expect(log).toContain("JUDGE cannot write its folder");
    // Once it has ended only its log is left: the candidates' copies, its io and its home are gone.
    expect(fs.readdirSync(getJudgeFiles(h.home, task.id).dir)).toEqual(["judge.log"]);

    const status = h.github.statusCommentsOn(30)[0]!.body;
    expect(status).toContain("| attempt | rank | agent | state | verify | changes | duration | usage | summary | branch |");
    expect(status).toMatch(/\| a1 \| 2 \| alpha \| succeeded \| ✅ \|/);
    expect(status).toMatch(/\| a2 \| 1 \| beta \| succeeded \| ✅ \|/);
    expect(status).toContain("⚖️ **The judge's ranking**, from the diffs and verify results without agent names, in a shuffled order:");
    expect(status).toContain("1. a2 (beta): candidate 1 is the best \\<b\\>@\u200bsomeone\\</b\\> \\| ok");
    expect(status).not.toContain("<b>");
    expect(status).toContain("2. a1 (alpha): candidate 2 comes next");
    // No auto_pick: a person still picks.
    expect(status).toContain("Pick one: `/orch pick t1/a1` · `/orch pick t1/a2`");
    expect(h.github.pulls).toEqual([]);

    // It ran once, and looking again (a reconcile, as after a missed report or on another host) does not run it again.
    expect(judgedTimes(h)).toBe(1);
    await h.orch.reconcile();
    await h.orch.whenIdle();
    expect(judgedTimes(h)).toBe(1);
    expect((await taskOf(h, 30)).judge.judgedAt).toEqual(task.judge.judgedAt);
    expect(h.github.unexpected).toEqual([]);
  });

  it("with auto_pick opens exactly one PR, for the top-ranked attempt, whichever way the shuffle went", async () => {
    const h = await start({ repoConfig: "council:\n  auto_pick: true\n" });
    isReversed = true;
    await comment(h, 31, "/orch council alpha beta");
    isReversed = false;
    await comment(h, 32, "/orch council alpha beta");
    isReversed = true;

    expect(h.github.pulls.map((pr) => pr.head).sort()).toEqual(["orch/31/t1/a2", "orch/32/t1/a1"]);
    const reversed = await taskOf(h, 31);
    expect(reversed.judge).toMatchObject({ state: "ranked", order: [2, 1], autoPicked: 2 });
    expect(reversed.attempts.map((a) => [a.number, a.state, a.pullRequestNumber !== null])).toEqual([
      [1, "superseded", false],
      [2, "succeeded", true],
    ]);
    expect((await taskOf(h, 32)).attempts.map((a) => a.state)).toEqual(["succeeded", "superseded"]);
    const status = h.github.statusCommentsOn(31)[0]!.body;
    const pr = h.github.pulls.find((p) => p.head === "orch/31/t1/a2")!;
    expect(status).toMatch(new RegExp(`\\| a2 \\| 1 \\| beta \\| succeeded · picked by the judge, #${pr.number} \\|`));
    expect(status).toContain("`council.auto_pick`: orch picked a2, the judge's first choice that could be picked.");
    expect(status).not.toContain("Pick one:");
    expect(judgedTimes(h)).toBe(2);
    expect(h.github.unexpected).toEqual([]);
  });

  it("judges again after a retry made its ranking stale", async () => {
    const h = await start();
    await comment(h, 33, "/orch council alpha beta failer");
    const first = await taskOf(h, 33);
    expect(first.judge).toMatchObject({ state: "ranked", order: [2, 1] });
    await comment(h, 33, "/orch retry");
    const again = await taskOf(h, 33);
    expect(again.attempts.map((a) => [a.number, a.state])).toEqual([
      [1, "succeeded"],
      [2, "succeeded"],
      [3, "failed"],
      [4, "failed"],
    ]);
    expect(again.judge.state).toBe("ranked");
    expect(again.judge.judgedAt!.getTime()).toBeGreaterThan(first.judge.judgedAt!.getTime());
    expect(judgedTimes(h)).toBe(2);
  });

  it("counts what the judge reports toward the run's usage, so max_cost_usd then refuses a retry", async () => {
    const h = await start({ repoConfig: "max_cost_usd: 1\n" });
    await comment(h, 38, "/orch council sixty twenty failer -- JUDGE-MODE=costly");
    const run = await runOf(h, 38);
    expect(run.tasks[0]!.judge).toMatchObject({ state: "ranked", usage: { costUsd: 0.75, inputTokens: 5000, outputTokens: 200 } });
    // The attempts spent $0.80 (under the cap, so the judge ran), the judge $0.75.
    expect(await h.store.spentOn(run.id)).toBeCloseTo(1.55);
    const status = h.github.statusCommentsOn(38)[0]!.body;
    expect(status).toContain("· usage $1.55 of $1.00");
    expect(status).toContain("The judge's usage: $0.75 · 5,000 in / 200 out tokens.");

    // Retrying the failed attempt would spend more: refused, the judge's spend named in the total.
    await comment(h, 38, "/orch retry");
    expect((await taskOf(h, 38)).attempts).toHaveLength(3);
    expect(h.github.repliesOn(38).at(-1)!.body).toContain("this run's agents have reported $1.55 of usage, and `max_cost_usd` is $1.00");
  });

  it("does not run the judge once the run has reached max_cost_usd, and says so", async () => {
    const h = await start({ repoConfig: "max_cost_usd: 1\n" });
    await comment(h, 39, "/orch council sixty --n 2");
    const task = await taskOf(h, 39);
    expect(task.attempts.map((a) => [a.state, a.costUsd])).toEqual([
      ["succeeded", 0.6],
      ["succeeded", 0.6],
    ]);
    expect(task.judge).toMatchObject({ state: "failed", note: "it did not run: this run's agents have reported $1.20 of usage, and max_cost_usd is $1.00" });
    // The judge's agent never started.
    expect(fs.existsSync(getJudgeFiles(h.home, task.id).logFile)).toBe(false);
    const status = h.github.statusCommentsOn(39)[0]!.body;
    expect(status).toContain("⚖️ The judge failed: it did not run: this run's agents have reported $1.20 of usage, and max\\_cost\\_usd is $1.00. A person picks.");
    expect(status).toContain("Pick one: `/orch pick t1/a1` · `/orch pick t1/a2`");
  });

  it("does not judge a single candidate, and says so", async () => {
    const h = await start({ repoConfig: "council:\n  auto_pick: true\n" });
    await comment(h, 34, "/orch council alpha failer");
    expect((await taskOf(h, 34)).judge.state).toBe("none");
    expect(judgedTimes(h)).toBe(0);
    expect(h.github.statusCommentsOn(34)[0]!.body).toContain("⚖️ The judge did not run: only one attempt succeeded, so there is nothing to rank.");
    expect(h.github.pulls).toEqual([]);
  });

  it("a hostile judge: a ranking that is not JSON or names an unknown candidate is refused, nothing is picked, and its secret is published nowhere", async () => {
    const h = await start({ repoConfig: "council:\n  auto_pick: true\n" });
    await comment(h, 35, "/orch council alpha beta -- JUDGE-MODE=not-json");
    await comment(h, 36, "/orch council alpha beta -- JUDGE-MODE=unknown");
    await comment(h, 37, "/orch council alpha beta -- JUDGE-MODE=huge-secret");

    expect(await taskOf(h, 35)).toMatchObject({ state: "picking", judge: { state: "failed", note: "its ranking is invalid (its result file is not valid JSON)", ranking: [] } });
    expect(h.github.statusCommentsOn(35)[0]!.body).toContain("⚖️ The judge failed: its ranking is invalid \\(its result file is not valid JSON\\). A person picks.");
    expect(await taskOf(h, 36)).toMatchObject({ state: "picking", judge: { state: "failed", note: "its ranking is invalid (it ranked candidate 7, which is not one of the candidates (1 to 2))" } });
    expect(h.github.statusCommentsOn(36)[0]!.body).toContain("⚖️ The judge failed: its ranking is invalid \\(it ranked candidate 7, which is not one of the candidates \\(1 to 2\\)\\). A person picks.");
    for (const number of [35, 36]) expect(h.github.statusCommentsOn(number)[0]!.body).toContain("Pick one:");

    // A valid ranking with a huge reason: cut, with the secret redacted before the cut could halve it; auto_pick goes on.
    const huge = await taskOf(h, 37);
    expect(huge.judge.state).toBe("ranked");
    expect(Array.from(huge.judge.ranking[0]!.reason).length).toBeLessThanOrEqual(300);
    expect(h.github.pulls.map((pr) => pr.head)).toEqual(["orch/37/t1/a2"]);

    const secretParts = [JUDGE_API_KEY, JUDGE_API_KEY.slice(0, 14), JUDGE_API_KEY.slice(-14)];
    const expectClean = (where: string, text: string) => {
      for (const secret of secretParts) expect(text.includes(secret), `${where} holds the judge's secret`).toBe(false);
    };
    for (const request of h.github.requests) expectClean(`${request.method} ${request.path}`, JSON.stringify(request.body ?? ""));
    h.logs.forEach((line, i) => expectClean(`log line ${i}`, line));
    for (const number of [35, 36, 37]) expectClean(`the task of #${number}`, JSON.stringify(await taskOf(h, number)));
    expect(h.github.unexpected).toEqual([]);
  });
});

describe("council auto_pick without a judge", () => {
  it("picks nothing, and the comparison says why", async () => {
    const h = await start({ judge: false, repoConfig: "council:\n  auto_pick: true\n" });
    await comment(h, 38, "/orch council alpha beta");
    const task = await taskOf(h, 38);
    expect(task).toMatchObject({ state: "picking", autoPick: true, judge: { agent: null, state: "none" } });
    expect(h.github.pulls).toEqual([]);
    const status = h.github.statusCommentsOn(38)[0]!.body;
    expect(status).toContain("`council.auto_pick` is on in `.github/orch.yml`, but this server has no `council.judge`, so nothing ranks the attempts and orch picks none: a person picks.");
    expect(status).toContain("| attempt | agent | state |");
  });
});
