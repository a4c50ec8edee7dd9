import { describe, expect, it } from "vitest";
import { NO_COUNCIL_JUDGE, type AttemptContext } from "../store/records.js";
import type { AttemptState } from "../store/transitions.js";
import { formatAge, renderAttemptDetails, renderAttemptsTable, renderOperatorReply, safeForTerminal } from "./terminal.js";

const now = new Date("2026-11-25T12:00:00Z");

function context(params: { id: number; state: AttemptState; summary?: string; title?: string }): AttemptContext {
  const { id, state } = params;
  const running = state === "running";
  return {
    thread: { id: 1, installationId: 1, owner: "acme", repo: "widgets", number: 42, kind: "issue", title: params.title ?? "Fix the parser", url: "https://github.com/acme/widgets/issues/42", statusCommentId: null },
    run: { id: 3, threadId: 1, state: "active", requestedBy: "octocat", baseRef: "refs/heads/main", prBase: "main", draft: true, verify: null, maxAttemptsPerTask: 10, runTimeoutMs: null, maxCostUsd: null, createdAt: now, endedAt: null },
    task: { id: 1, runId: 3, key: "t1", state, prompt: "p", after: [], agent: "codex", mode: "change", councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null },
    attempt: {
      id, taskId: 1, number: id, agent: "codex", state, requestedBy: "octocat", prompt: "p", feedback: null,
      branch: `orch/42/t1/a${id}`, baseSha: "a".repeat(40), headSha: null, worktreePath: `/srv/orch/worktrees/${id}`, workspaceState: "allocated", checkRunId: 9, reportedState: state,
      pid: 4321, host: "web-1", lease: "l", queuedAt: new Date(now.getTime() - 3 * 3_600_000), startedAt: new Date(now.getTime() - 65_000), endedAt: running ? null : now,
      exitCode: running ? null : 1, summary: params.summary ?? null, pullRequestNumber: null, pullRequestUrl: null, verifyState: null, autoRetry: 0, autoRetryLimit: 0,
      costUsd: 0.42, inputTokens: 1200, outputTokens: 300, diffStat: null, council: false,
    },
  };
}

describe("the command line's text", () => {
  it("lists attempts in padded columns", () => {
    expect(renderAttemptsTable({ attempts: [context({ id: 12, state: "running" }), context({ id: 3, state: "failed" })], now })).toMatchInlineSnapshot(`
      "ID  THREAD           TASK    AGENT  STATE    HOST   AGE  DURATION  BRANCH
      12  acme/widgets#42  t1/a12  codex  running  web-1  3h   1m 5s     orch/42/t1/a12
      3   acme/widgets#42  t1/a3   codex  failed   web-1  3h   1m 5s     orch/42/t1/a3"
    `);
    expect(renderAttemptsTable({ attempts: [], now })).toBe("No attempts match.");
  });

  it("shows one attempt, field by field", () => {
    expect(renderAttemptDetails({ context: context({ id: 7, state: "failed", summary: "tests failed" }), logFile: "/srv/orch/attempts/7/agent.log", now })).toMatchInlineSnapshot(`
      "attempt:      7: t1 attempt 7
      state:        failed
      thread:       acme/widgets#42 (issue) Fix the parser
      url:          https://github.com/acme/widgets/issues/42
      run:          3 (active), requested by @octocat
      task:         t1 (failed, change)
      agent:        codex
      requested by: @octocat
      host:         web-1
      branch:       orch/42/t1/a7
      base:         aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      worktree:     /srv/orch/worktrees/7 (allocated)
      queued:       2026-11-25 09:00:00 UTC
      started:      2026-11-25 11:58:55 UTC
      ended:        2026-11-25 12:00:00 UTC
      duration:     1m 5s
      exit code:    1
      usage:        $0.42 · 1,200 in / 300 out tokens
      verify:       none configured
      check run:    9 (GitHub shows failed)
      summary:      tests failed
      log:          /srv/orch/attempts/7/agent.log"
    `);
  });

  it.each([
    { name: "a title-setting escape", input: "\u001b]0;pwned\u0007done", want: "\uFFFD]0;pwned\uFFFDdone" },
    { name: "a clipboard write (OSC 52)", input: "\u001b]52;c;ZWNobyBoaQ==\u0007", want: "\uFFFD]52;c;ZWNobyBoaQ==\uFFFD" },
    { name: "colours, which go", input: "\u001b[31mred\u001b[0m", want: "red" },
    { name: "a carriage return that would hide a line", input: "safe\rrm -rf", want: "safe\uFFFDrm -rf" },
    { name: "newlines and tabs, which stay", input: "a\tb\nc", want: "a\tb\nc" },
  ])("makes $name harmless in a terminal", ({ input, want }) => {
    expect(safeForTerminal(input)).toBe(want);
  });

  it("keeps a summary's escape sequence out of show and the table", () => {
    const hostile = context({ id: 5, state: "failed", summary: "ok\u001b]0;x\u0007", title: "t\u001b[2J" });
    expect(renderAttemptDetails({ context: hostile, logFile: "/l", now })).not.toContain("\u001b");
    expect(renderAttemptsTable({ attempts: [hostile], now })).not.toContain("\u001b");
  });

  it.each([
    { ms: 0, want: "0s" },
    { ms: 59_999, want: "59s" },
    { ms: 60_000, want: "1m" },
    { ms: 3 * 3_600_000, want: "3h" },
    { ms: 8 * 86_400_000, want: "8d" },
    { ms: -5, want: "0s" },
  ])("ages $ms ms as $want", ({ ms, want }) => {
    expect(formatAge(ms)).toBe(want);
  });

  it("says on the thread that the operator did it, quoting the command", () => {
    expect(renderOperatorReply({ message: "cancelled attempt 1 (`codex`) of `t1`.", command: "orch cancel 12" })).toMatchInlineSnapshot(`
      "The operator cancelled attempt 1 (\`codex\`) of \`t1\`.

      <details><summary>From orch's command line</summary>

      \`\`\`text
      orch cancel 12
      \`\`\`

      </details>"
    `);
  });
});
