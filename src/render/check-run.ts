/**
 * The check run of one attempt: named `orch / <task> / attempt <n>`, in
 * progress while it runs, completed with a conclusion that matches its state,
 * with an output summary and the buttons that apply now (GitHub allows 3).
 */
import type { AttemptContext, VerifyState } from "../store/records.js";
import type { AttemptState } from "../store/transitions.js";
import { formatDuration } from "../duration.js";
import { codeBlock, escapeInline, inlineCode } from "./markdown.js";

export type CheckConclusion = "success" | "failure" | "cancelled" | "timed_out" | "action_required" | "neutral";

export interface CheckRunAction {
  /** At most 20 characters. */
  label: string;
  /** At most 40 characters. */
  description: string;
  /** At most 20 characters; comes back in check_run.requested_action. */
  identifier: string;
}

export interface CheckRunView {
  name: string;
  status: "in_progress" | "completed";
  conclusion?: CheckConclusion;
  output: { title: string; summary: string; text?: string };
  actions: CheckRunAction[];
}

const conclusionOf: Record<Exclude<AttemptState, "queued" | "running">, CheckConclusion> = {
  succeeded: "success",
  failed: "failure",
  blocked: "action_required",
  cancelled: "cancelled",
  timed_out: "timed_out",
  lost: "failure",
  superseded: "neutral",
};

/** "$0.42 · 1,200 in / 300 out tokens", from what the agent reported; "" when it reported none. */
export function renderUsage(usage: { costUsd: number | null; inputTokens: number | null; outputTokens: number | null }): string {
  const tokens = [usage.inputTokens !== null ? `${usage.inputTokens.toLocaleString("en-US")} in` : undefined, usage.outputTokens !== null ? `${usage.outputTokens.toLocaleString("en-US")} out` : undefined].filter(Boolean);
  return [usage.costUsd !== null ? `$${usage.costUsd.toFixed(2)}` : undefined, tokens.length ? `${tokens.join(" / ")} tokens` : undefined].filter(Boolean).join(" · ");
}

const verifyLabel: Record<VerifyState, string> = { passed: "✅ passed", failed: "❌ failed", timed_out: "⌛ timed out" };

function renderText(logTail: string, verifyTail: string | undefined): string {
  return [
    ...(verifyTail ? [`### Verify output (tail)\n\n${codeBlock(verifyTail)}`] : []),
    ...(logTail ? [`### Log (tail)\n\n${codeBlock(logTail)}`] : []),
  ].join("\n\n");
}

export function checkRunName(taskKey: string, attemptNumber: number): string {
  return `orch / ${taskKey} / attempt ${attemptNumber}`;
}

/** Check-run payload for an attempt; `logTail` is the end of its agent log, `actions` the buttons that apply now. */
export function renderCheckRun(params: {
  context: AttemptContext;
  logTail: string;
  /** The end of the repository's verify output, when it ran. */
  verifyTail?: string;
  now: Date;
  actions: readonly CheckRunAction[];
}): CheckRunView {
  const { context, logTail, verifyTail, now } = params;
  const { attempt, task } = context;
  const isRunning = attempt.state === "queued" || attempt.state === "running";
  const duration = attempt.startedAt ? formatDuration((attempt.endedAt ?? now).getTime() - attempt.startedAt.getTime()) : "–";
  const summary = [
    `**Agent:** ${inlineCode(attempt.agent)} · ${task.mode === "ask" ? "**A question:** read-only checkout, nothing pushed" : `**Branch:** ${inlineCode(attempt.branch)}`} · **Duration:** ${duration}`,
    attempt.autoRetry > 0 ? `**Auto-retry ${attempt.autoRetry} of ${attempt.autoRetryLimit}:** orch started it after the previous attempt's verify failed` : undefined,
    attempt.verifyState !== null ? `**Verify:** ${verifyLabel[attempt.verifyState]}` : undefined,
    renderUsage(attempt) ? `**Usage:** ${renderUsage(attempt)}` : undefined,
    attempt.pullRequestNumber !== null ? `**Pull request:** #${attempt.pullRequestNumber}` : undefined,
    attempt.summary ? `**Summary:** ${escapeInline(attempt.summary, 500)}` : undefined,
    `Requested by @${attempt.requestedBy} on ${context.thread.url}`,
  ].filter(Boolean);
  // GitHub refuses a check run with more than 3 actions.
  const actions = params.actions.slice(0, 3);
  return {
    name: checkRunName(task.key, attempt.number),
    status: isRunning ? "in_progress" : "completed",
    ...(isRunning ? {} : { conclusion: conclusionOf[attempt.state as keyof typeof conclusionOf] }),
    output: {
      title: `${task.key} attempt ${attempt.number}${attempt.autoRetry > 0 ? ` (auto-retry ${attempt.autoRetry} of ${attempt.autoRetryLimit})` : ""}: ${attempt.state.replace("_", " ")}${attempt.verifyState === "failed" || attempt.verifyState === "timed_out" ? " (verify)" : ""}`,
      summary: summary.join("\n\n"),
      ...(logTail || verifyTail ? { text: renderText(logTail, verifyTail) } : {}),
    },
    actions,
  };
}
