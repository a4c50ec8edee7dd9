/** Maps Prisma rows to the store's plain records (BigInt ids become numbers, strings become unions). */
import type { Attempt, Run, Task, Thread } from "../generated/postgres/client.js";
import type { AttemptRecord, CouncilJudge, JudgeState, RunRecord, TaskRecord, ThreadKind, ThreadRecord, VerifySettings, VerifyState } from "./records.js";
import type { AttemptState, RunState, TaskState, WorkspaceState } from "./transitions.js";

function toNumberOrNull(value: bigint | null): number | null {
  return value === null ? null : Number(value);
}

export function toThreadRecord(row: Thread): ThreadRecord {
  return {
    id: row.id,
    installationId: Number(row.installationId),
    owner: row.owner,
    repo: row.repo,
    number: row.number,
    kind: row.kind as ThreadKind,
    title: row.title,
    url: row.url,
    statusCommentId: toNumberOrNull(row.statusCommentId),
  };
}

export function toRunRecord(row: Run): RunRecord {
  return {
    id: row.id,
    threadId: row.threadId,
    state: row.state as RunState,
    requestedBy: row.requestedBy,
    baseRef: row.baseRef,
    prBase: row.prBase,
    draft: row.draft,
    verify: row.verify === null ? null : (JSON.parse(row.verify) as VerifySettings),
    maxAttemptsPerTask: row.maxAttemptsPerTask,
    runTimeoutMs: row.runTimeoutMs,
    maxCostUsd: row.maxCostUsd,
    createdAt: row.createdAt,
    endedAt: row.endedAt,
  };
}

export function toTaskRecord(row: Task): TaskRecord {
  const { id, runId, key, prompt, agent, baseRef, prBase } = row;
  const mode = row.mode === "ask" || row.mode === "council" ? row.mode : "change";
  return {
    id,
    runId,
    key,
    state: row.state as TaskState,
    prompt,
    after: parseKeys(row.after),
    agent,
    mode,
    councilSize: row.councilSize,
    judge: toCouncilJudge(row),
    autoPick: row.autoPick,
    baseRef,
    mergeRefs: parseKeys(row.mergeRefs),
    prBase,
  };
}

/** The `judgeRanking` column: JSON written only by the store (council-judge.ts); anything off reads as empty. */
function toCouncilJudge(row: Task): CouncilJudge {
  let stored: { order?: unknown; ranking?: unknown; autoPicked?: unknown } = {};
  try {
    stored = row.judgeRanking === null ? {} : (JSON.parse(row.judgeRanking) as typeof stored);
  } catch {
    stored = {};
  }
  const order = Array.isArray(stored.order) ? stored.order.filter((n): n is number => Number.isInteger(n)) : [];
  const ranking = Array.isArray(stored.ranking)
    ? stored.ranking.filter((r): r is { attempt: number; reason: string } => Number.isInteger(r?.attempt) && typeof r?.reason === "string")
    : [];
  return {
    agent: row.judge,
    state: (["none", "judging", "ranked", "failed"].includes(row.judgeState) ? row.judgeState : "none") as JudgeState,
    order,
    ranking: ranking.map(({ attempt, reason }) => ({ attempt, reason })),
    autoPicked: Number.isInteger(stored.autoPicked) ? (stored.autoPicked as number) : null,
    note: row.judgeNote,
    host: row.judgeHost,
    lease: row.judgeLease,
    judgedAt: row.judgedAt,
    usage: { costUsd: row.judgeCostUsd, inputTokens: row.judgeInputTokens, outputTokens: row.judgeOutputTokens },
  };
}

/** The `after` and `mergeRefs` columns: JSON arrays of strings, written only by the store. */
function parseKeys(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((key): key is string => typeof key === "string") : [];
}

export function toAttemptRecord(row: Attempt): AttemptRecord {
  return {
    ...row,
    state: row.state as AttemptState,
    workspaceState: row.workspaceState as WorkspaceState,
    checkRunId: toNumberOrNull(row.checkRunId),
    reportedState: row.reportedState as AttemptState | null,
    verifyState: row.verifyState as VerifyState | null,
  };
}
