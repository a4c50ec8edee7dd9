import { describe, expect, it } from "vitest";
import { NO_COUNCIL_JUDGE, type AttemptContext, type AttemptRecord } from "../../store/records.js";
import type { AttemptState, WorkspaceState } from "../../store/transitions.js";
import { createAttemptButtons } from "./buttons.js";
import { findButtonVerb } from "./index.js";

function attempt(state: AttemptState, workspaceState: WorkspaceState = "allocated"): AttemptRecord {
  const now = new Date("2026-11-25T12:00:00Z");
  return {
    id: 7, taskId: 1, number: 2, agent: "codex", state, requestedBy: "octocat", prompt: "p", feedback: null,
    branch: "orch/42/t1/a2", baseSha: "a".repeat(40), headSha: null, worktreePath: "/w", workspaceState, checkRunId: 9, reportedState: null,
    pid: 1, host: "h", lease: "l", queuedAt: now, startedAt: now, endedAt: null, exitCode: null, summary: null, pullRequestNumber: null, pullRequestUrl: null,
    verifyState: null, autoRetry: 0, autoRetryLimit: 0, costUsd: null, inputTokens: null, outputTokens: null, diffStat: null, council: false,
  };
}

function context(record: AttemptRecord): AttemptContext {
  const now = new Date("2026-11-25T12:00:00Z");
  return {
    thread: { id: 1, installationId: 1, owner: "acme", repo: "widgets", number: 42, kind: "issue", title: "t", url: "https://github.com/acme/widgets/issues/42", statusCommentId: null },
    run: { id: 3, threadId: 1, state: "active", requestedBy: "octocat", baseRef: "refs/heads/main", prBase: "main", draft: true, verify: null, maxAttemptsPerTask: 10, runTimeoutMs: null, maxCostUsd: null, createdAt: now, endedAt: null },
    task: { id: 1, runId: 3, key: "t2", state: record.state, prompt: "p", after: [], agent: "codex", mode: "change", councilSize: 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null },
    attempt: record,
  };
}

describe("the check run's buttons and the status comment's Next", () => {
  const buttons = createAttemptButtons({ agentCount: 2 });
  it.each<{ state: AttemptState; workspace?: WorkspaceState; expected: string[] }>([
    { state: "queued", expected: ["cancel"] },
    { state: "running", expected: ["cancel"] },
    { state: "succeeded", expected: ["cleanup"] },
    { state: "failed", expected: ["retry", "reassign", "cleanup"] },
    { state: "blocked", expected: ["retry", "reassign", "cleanup"] },
    { state: "cancelled", expected: ["retry", "cleanup"] },
    { state: "timed_out", expected: ["retry", "cleanup"] },
    { state: "lost", expected: ["retry", "cleanup"] },
    { state: "failed", workspace: "cleaned", expected: ["retry", "reassign"] },
  ])("$state (worktree $workspace): $expected", ({ state, workspace, expected }) => {
    const record = attempt(state, workspace);
    const actions = buttons.actionsFor(record);
    expect(actions.map((action) => action.identifier)).toEqual(expected);
    expect(buttons.verbsFor(record)).toEqual(expected);
    // GitHub's limits: at most 3 buttons, labels of 20 characters, descriptions of 40.
    expect(actions.length).toBeLessThanOrEqual(3);
    for (const action of actions) {
      expect(action.label.length).toBeLessThanOrEqual(20);
      expect(action.description.length).toBeLessThanOrEqual(40);
      expect(findButtonVerb(action.identifier)?.name).toBe(action.identifier);
    }
  });

  it("offers no Reassign when the server has one agent", () => {
    expect(createAttemptButtons({ agentCount: 1 }).verbsFor(attempt("failed"))).toEqual(["retry", "cleanup"]);
  });

  it("knows no identifier that is not one of orch's buttons", () => {
    for (const identifier of ["lgtm|26764", "__proto__", "status", "help", "dispatch", ""]) expect(findButtonVerb(identifier)).toBeUndefined();
  });
});

describe("what a press means: the verb, aimed at the check run's own attempt", () => {
  const target = (record: AttemptRecord, defaultAgent = "codex") => ({ context: context(record), defaultAgent, agentNames: ["claude", "codex", "gemini"] });
  it.each([
    { identifier: "cancel", record: attempt("running"), command: { verb: "cancel", scope: { kind: "attempt", attemptId: 7 } } },
    { identifier: "cleanup", record: attempt("failed"), command: { verb: "cleanup", scope: { kind: "attempt", attemptId: 7 } } },
    { identifier: "retry", record: attempt("failed"), command: { verb: "retry", task: "t2", fromAttempt: 2 } },
    { identifier: "reassign", record: attempt("failed"), command: { verb: "reassign", task: "t2", agent: "claude", fromAttempt: 2 } },
  ])("$identifier", ({ identifier, record, command }) => {
    expect(findButtonVerb(identifier)!.button!.toCommand(target(record))).toEqual(command);
  });

  it("Reassign goes to the repository's default agent, unless the attempt already used it", () => {
    const reassign = findButtonVerb("reassign")!.button!;
    expect(reassign.toCommand(target({ ...attempt("failed"), agent: "claude" }, "gemini"))).toMatchObject({ agent: "gemini" });
    expect(reassign.toCommand(target({ ...attempt("failed"), agent: "gemini" }, "gemini"))).toMatchObject({ agent: "claude" });
  });
});
