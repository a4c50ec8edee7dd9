import { describe, expect, it } from "vitest";
import { NO_COUNCIL_JUDGE, type AttemptRecord, type CouncilJudge, type RunView, type TaskView } from "../store/records.js";
import { renderCouncilComparison } from "./council-comparison.js";

const started = new Date("2026-11-25T12:00:00Z");
const ended = new Date("2026-11-25T12:02:00Z");

function attempt(number: number, agent: string, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    id: number, taskId: 1, number, agent, state: "succeeded", requestedBy: "octocat", prompt: "p", feedback: null, branch: `orch/42/t1/a${number}`,
    baseSha: "b".repeat(40), headSha: "a".repeat(40), worktreePath: null, workspaceState: "allocated", checkRunId: null, reportedState: null, pid: null,
    host: "h", lease: "l", verifyState: "passed", autoRetry: 0, autoRetryLimit: 0, costUsd: null, inputTokens: null, outputTokens: null,
    diffStat: "1 file, +1 −0", council: true, queuedAt: started, startedAt: started, endedAt: ended, exitCode: 0, summary: `${agent}'s fix`,
    pullRequestNumber: null, pullRequestUrl: null, ...overrides,
  };
}

function council(params: { judge?: Partial<CouncilJudge>; autoPick?: boolean; attempts?: AttemptRecord[] }): { run: RunView; task: TaskView } {
  const task: TaskView = {
    id: 1, runId: 3, key: "t1", state: "picking", prompt: "p", after: [], agent: "claude", mode: "council", councilSize: 2,
    judge: { ...NO_COUNCIL_JUDGE, ...params.judge }, autoPick: params.autoPick ?? false, baseRef: null, mergeRefs: [], prBase: null,
    attempts: params.attempts ?? [attempt(1, "claude"), attempt(2, "codex")],
  };
  const run: RunView = {
    id: 3, threadId: 1, state: "active", requestedBy: "octocat", baseRef: "refs/heads/main", prBase: "main", draft: true, verify: null,
    maxAttemptsPerTask: 10, runTimeoutMs: null, maxCostUsd: null, createdAt: started, endedAt: null, tasks: [task],
  };
  return { run, task };
}

const render = (params: Parameters<typeof council>[0]) => renderCouncilComparison({ ...council(params), threadUrl: "https://github.com/acme/widgets/issues/42" })!;

describe("renderCouncilComparison with a judge", () => {
  it("shows the ranking as a rank column and the reasons, escaped, below the table", () => {
    const text = render({ judge: { agent: "referee", state: "ranked", order: [2, 1], ranking: [{ attempt: 2, reason: "smallest | <img src=x> @team" }, { attempt: 1, reason: "touches more" }] } });
    expect(text).toMatchInlineSnapshot(`
      "**Council t1**

      | attempt | rank | agent | state | verify | changes | duration | usage | summary | branch |
      | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
      | a1 | 2 | claude | succeeded | ✅ | 1 file, +1 −0 | 2m | – | claude's fix | [diff](https://github.com/acme/widgets/compare/main...orch/42/t1/a1) |
      | a2 | 1 | codex | succeeded | ✅ | 1 file, +1 −0 | 2m | – | codex's fix | [diff](https://github.com/acme/widgets/compare/main...orch/42/t1/a2) |

      ⚖️ **The judge's ranking**, from the diffs and verify results without agent names, in a shuffled order:

      1. a2 (codex): smallest \\| \\<img src=x\\> @​team
      2. a1 (claude): touches more

      Pick one: \`/orch pick t1/a1\` · \`/orch pick t1/a2\`, or the **Pick** button on its check run."
    `);
  });

  it("says which attempt auto_pick picked", () => {
    const attempts = [attempt(1, "claude", { state: "superseded" }), attempt(2, "codex", { pullRequestNumber: 7 })];
    const text = render({ autoPick: true, attempts, judge: { agent: "referee", state: "ranked", order: [1, 2], ranking: [{ attempt: 2, reason: "a" }, { attempt: 1, reason: "b" }], autoPicked: 2 } });
    expect(text).toContain("| a2 | 1 | codex | succeeded · picked by the judge, #7 |");
    expect(text).toContain("`council.auto_pick`: orch picked a2, the judge's first choice that could be picked.");
    expect(text).not.toContain("Pick one");
  });

  it.each([
    { name: "judging", judge: { agent: "referee", state: "judging" as const, order: [2, 1] }, line: "⚖️ The judge is ranking the 2 candidates (their diffs and verify results, without agent names, in a shuffled order)…" },
    { name: "failed", judge: { agent: "referee", state: "failed" as const, note: "its ranking is invalid (its result file is not valid JSON)" }, line: "⚖️ The judge failed: its ranking is invalid \\(its result file is not valid JSON\\). A person picks." },
    { name: "about to start", judge: { agent: "referee", state: "none" as const }, line: "⚖️ The judge starts soon." },
  ])("says where the judge is: $name, with no rank column", ({ judge, line }) => {
    const text = render({ judge });
    expect(text).toContain(line);
    expect(text).toContain("| attempt | agent | state |");
  });

  it("says that one candidate is not judged", () => {
    const text = render({ judge: { agent: "referee" }, attempts: [attempt(1, "claude"), attempt(2, "codex", { state: "failed", headSha: null })] });
    expect(text).toContain("⚖️ The judge did not run: only one attempt succeeded, so there is nothing to rank.");
  });

  it("says why auto_pick does nothing without a judge, and says nothing of a judge otherwise", () => {
    expect(render({ autoPick: true })).toContain("`council.auto_pick` is on in `.github/orch.yml`, but this server has no `council.judge`, so nothing ranks the attempts and orch picks none: a person picks.");
    expect(render({})).not.toContain("judge");
  });
});
