import { describe, expect, it } from "vitest";
import { NO_COUNCIL_JUDGE, type AttemptContext } from "../store/records.js";
import type { AttemptState, WorkspaceState } from "../store/transitions.js";
import { renderCheckRun, type CheckRunAction } from "./check-run.js";

const now = new Date("2026-11-25T12:00:00Z");

function context(state: AttemptState, workspaceState: WorkspaceState = "allocated"): AttemptContext {
  return {
    thread: { id: 1, installationId: 1, owner: "acme", repo: "widgets", number: 42, kind: "issue", title: "t", url: "https://github.com/acme/widgets/issues/42", statusCommentId: null },
    run: { id: 3, threadId: 1, state: "active", requestedBy: "octocat", baseRef: "refs/heads/main", prBase: "main", draft: true, verify: null, maxAttemptsPerTask: 10, runTimeoutMs: null, maxCostUsd: null, createdAt: now, endedAt: null },
    task: { id: 1, runId: 3, key: "t1", state, prompt: "p", after: [], agent: "codex", mode: "change", councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null },
    attempt: {
      id: 7, taskId: 1, number: 2, agent: "codex", state, requestedBy: "octocat", prompt: "p", feedback: null,
      branch: "orch/42/t1/a2", baseSha: "a".repeat(40), headSha: null, worktreePath: "/w", workspaceState, checkRunId: 9, reportedState: null,
      pid: 1, host: "h", lease: "l", queuedAt: now, startedAt: new Date(now.getTime() - 65_000), endedAt: state === "running" ? null : now,
      exitCode: null, summary: state === "running" ? null : "a summary", pullRequestNumber: state === "succeeded" ? 57 : null, pullRequestUrl: null, verifyState: null, autoRetry: 0, autoRetryLimit: 0, costUsd: null, inputTokens: null, outputTokens: null, diffStat: null, council: false,
    },
  };
}

const retry: CheckRunAction = { label: "Retry", description: "New attempt with the same agent", identifier: "retry" };

describe("renderCheckRun", () => {
  it.each([
    { name: "running is in progress", state: "running" as const, status: "in_progress", conclusion: undefined },
    { name: "succeeded", state: "succeeded" as const, status: "completed", conclusion: "success" },
    { name: "failed", state: "failed" as const, status: "completed", conclusion: "failure" },
    { name: "blocked needs action", state: "blocked" as const, status: "completed", conclusion: "action_required" },
    { name: "cancelled", state: "cancelled" as const, status: "completed", conclusion: "cancelled" },
    { name: "timed out", state: "timed_out" as const, status: "completed", conclusion: "timed_out" },
    { name: "lost is a failure", state: "lost" as const, status: "completed", conclusion: "failure" },
  ])("$name", ({ state, status, conclusion }) => {
    const view = renderCheckRun({ context: context(state), logTail: "", now, actions: [] });
    expect(view.status).toBe(status);
    expect(view.conclusion).toBe(conclusion);
  });

  it("shows the buttons it is given (the verb entries choose them: see commands/verbs/buttons.test.ts)", () => {
    expect(renderCheckRun({ context: context("failed"), logTail: "", now, actions: [retry] }).actions).toEqual([retry]);
  });

  it("summarises agent, branch, duration, PR and summary, and fences the log tail", () => {
    const view = renderCheckRun({ context: context("succeeded"), logTail: "line 1\n```\nline 3", now, actions: [] });
    expect(view.name).toBe("orch / t1 / attempt 2");
    expect(view.output).toMatchInlineSnapshot(`
      {
        "summary": "**Agent:** \`codex\` · **Branch:** \`orch/42/t1/a2\` · **Duration:** 1m 5s

      **Pull request:** #57

      **Summary:** a summary

      Requested by @octocat on https://github.com/acme/widgets/issues/42",
        "text": "### Log (tail)

      \`\`\`\`text
      line 1
      \`\`\`
      line 3
      \`\`\`\`",
        "title": "t1 attempt 2: succeeded",
      }
    `);
  });
});
