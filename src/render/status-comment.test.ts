import { describe, expect, it } from "vitest";
import { NO_COUNCIL_JUDGE, type AttemptRecord, type RunView, type ThreadView } from "../store/records.js";
import { createAttemptButtons } from "../commands/verbs/buttons.js";
import { renderStatusComment } from "./status-comment.js";

const nextVerbs = createAttemptButtons({ agentCount: 2 }).verbsFor;

const now = new Date("2026-11-25T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

function attempt(overrides: Partial<AttemptRecord>): AttemptRecord {
  return {
    id: 1,
    taskId: 1,
    number: 1,
    agent: "codex",
    state: "running",
    requestedBy: "octocat",
    prompt: "p",
    feedback: null,
    branch: "orch/42/t1/a1",
    baseSha: null,
    headSha: null,
    worktreePath: null,
    workspaceState: "allocated",
    checkRunId: null,
    reportedState: null,
    pid: null,
    host: "h",
    lease: "l",
    verifyState: null,
    autoRetry: 0,
    autoRetryLimit: 0,
    costUsd: null,
    inputTokens: null,
    outputTokens: null,
    diffStat: null,
    council: false,
    queuedAt: minutesAgo(10),
    startedAt: minutesAgo(10),
    endedAt: null,
    exitCode: null,
    summary: null,
    pullRequestNumber: null,
    pullRequestUrl: null,
    ...overrides,
  };
}

function run(id: number, tasks: RunView["tasks"], state: RunView["state"] = "active"): RunView {
  return { id, threadId: 1, state, requestedBy: "octocat", baseRef: "refs/heads/main", prBase: "main", draft: true, verify: null, maxAttemptsPerTask: 10, runTimeoutMs: null, maxCostUsd: null, createdAt: now, endedAt: null, tasks };
}

const thread: ThreadView["thread"] = {
  id: 1,
  installationId: 1,
  owner: "acme",
  repo: "widgets",
  number: 42,
  kind: "issue",
  title: "t",
  url: "https://github.com/acme/widgets/issues/42",
  statusCommentId: null,
};

describe("renderStatusComment", () => {
  it("links each attempt's number to its page when orch has a public URL", () => {
    const task = { id: 1, runId: 3, key: "t1", state: "running" as const, prompt: "p", after: [], agent: "codex", mode: "change" as const, councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null };
    const view: ThreadView = { thread, runs: [run(3, [{ ...task, attempts: [attempt({ id: 11, number: 1, autoRetry: 1, autoRetryLimit: 2 })] }])] };
    const body = renderStatusComment(view, now, nextVerbs, (id) => `https://orch.example.com/attempts/${id}?token=t${id}`);
    expect(body).toContain("| t1 | [1 (auto-retry 1 of 2)](https://orch.example.com/attempts/11?token=t11) | codex |");
    expect(renderStatusComment(view, now, nextVerbs)).toContain("| t1 | 1 (auto-retry 1 of 2) | codex |");
  });

  it("shows every attempt of each task and the commands that apply now", () => {
    const view: ThreadView = {
      thread,
      runs: [
        run(3, [
          {
            id: 1,
            runId: 3,
            key: "t1",
            state: "succeeded",
            prompt: "p",
            after: [], agent: "codex", mode: "change", councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null,
            attempts: [
              attempt({ number: 1, state: "failed", endedAt: minutesAgo(8), summary: "the agent exited with code 1" }),
              attempt({ number: 2, agent: "claude", state: "succeeded", branch: "orch/42/t1/a2", startedAt: minutesAgo(5), endedAt: minutesAgo(2), pullRequestNumber: 57, summary: "fixed it; @everyone look <b>now</b>" }),
            ],
          },
          {
            id: 2,
            runId: 3,
            key: "t2",
            state: "running",
            prompt: "p",
            after: [], agent: "codex", mode: "change", councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null,
            attempts: [attempt({ number: 1, branch: "orch/42/t2/a1", startedAt: minutesAgo(1), workspaceState: "allocated" })],
          },
        ]),
        run(2, [{ id: 3, runId: 2, key: "t1", state: "blocked", prompt: "p", after: [], agent: "codex", mode: "change", councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null, attempts: [attempt({ state: "blocked", endedAt: minutesAgo(30), startedAt: minutesAgo(31), summary: "need a key" })] }], "failed"),
      ],
    };
    expect(renderStatusComment(view, now, nextVerbs)).toMatchInlineSnapshot(`
      "<!-- orch:status -->

      ### 🤖 orch

      **Run 3** · active · requested by @octocat

      | task | attempt | agent | state | branch / PR | duration |
      | --- | --- | --- | --- | --- | --- |
      | t1 | 1 | codex | ❌ failed | \`orch/42/t1/a1\` | 2m |
      | t1 | 2 | claude | ✅ succeeded | #57 | 3m |
      | t2 | 1 | codex | 🔄 running | \`orch/42/t2/a1\` | 1m |

      - **t1** attempt 2: fixed it; @​everyone look \\<b\\>now\\</b\\>

      **Next:** \`/orch cleanup t1\` · \`/orch cancel t2\`

      <details><summary>Earlier runs (1)</summary>

      **Run 2** · failed · requested by @octocat

      | task | attempt | agent | state | branch / PR | duration |
      | --- | --- | --- | --- | --- | --- |
      | t1 | 1 | codex | ✋ blocked | \`orch/42/t1/a1\` | 1m |

      - **t1** attempt 1: need a key

      </details>

      <sub>\`/orch help\` lists the commands. This comment is updated in place.</sub>"
    `);
  });

  it("says how to start when the thread has no run", () => {
    expect(renderStatusComment({ thread, runs: [] }, now, nextVerbs)).toContain("No runs on this thread yet. Start one with `/orch dispatch`.");
  });
});
