/**
 * A council task's comparison for the status comment, once all its attempts
 * have ended: one row per attempt (agent, state, verify, what it changed,
 * duration, usage, summary, and a link to its branch's diff), and how to
 * pick. The summaries were written by agents: escaped on one line.
 */
import type { AttemptRecord, RunView, TaskView } from "../store/records.js";
import { isActive } from "../store/transitions.js";
import { formatDuration } from "../duration.js";
import { renderUsage } from "./check-run.js";
import { escapeInline } from "./markdown.js";

const VERIFY: Record<NonNullable<AttemptRecord["verifyState"]>, string> = { passed: "✅", failed: "❌", timed_out: "⌛" };

/** Undefined while an attempt still runs, or for a task that is not a council. */
export function renderCouncilComparison(params: { run: RunView; task: TaskView; threadUrl: string }): string | undefined {
  const { run, task, threadUrl } = params;
  if (task.mode !== "council" || task.attempts.length === 0 || task.attempts.some((a) => isActive(a.state))) return undefined;
  const repoUrl = threadUrl.replace(/\/(issues|pull)\/\d+$/, "");
  const base = task.prBase ?? run.prBase;
  const rows = task.attempts.map((attempt) => {
    const duration = attempt.startedAt && attempt.endedAt ? formatDuration(attempt.endedAt.getTime() - attempt.startedAt.getTime()) : "–";
    const diff = attempt.headSha ? `[diff](${repoUrl}/compare/${encodeURI(base)}...${encodeURI(attempt.branch)})` : "–";
    const picked = attempt.pullRequestNumber !== null ? ` · picked, #${attempt.pullRequestNumber}` : "";
    return [
      `a${attempt.number}`,
      escapeInline(attempt.agent, 40),
      attempt.state.replace("_", " ") + picked,
      attempt.verifyState ? VERIFY[attempt.verifyState] : "–",
      attempt.diffStat ?? "–",
      duration,
      renderUsage(attempt) || "–",
      attempt.summary ? escapeInline(attempt.summary, 160) : "–",
      diff,
    ].join(" | ");
  });
  const isPicked = task.attempts.some((a) => a.pullRequestNumber !== null);
  const pickable = task.attempts.filter((a) => a.state === "succeeded" && a.headSha !== null);
  const next = isPicked
    ? undefined
    : pickable.length
      ? `Pick one: ${pickable.map((a) => `\`/orch pick ${task.key}/a${a.number}\``).join(" · ")}, or the **Pick** button on its check run.`
      : "No attempt succeeded, so there is nothing to pick; `/orch retry` adds an attempt.";
  return [
    `**Council ${task.key}**`,
    "",
    "| attempt | agent | state | verify | changes | duration | usage | summary | branch |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row} |`),
    ...(next ? ["", next] : []),
  ].join("\n");
}
