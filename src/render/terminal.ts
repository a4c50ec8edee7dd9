/**
 * What the operator's command line prints: the attempts table, one
 * attempt's details, and the reply it posts on the thread. Pure.
 *
 * Everything shown may come from an agent or an issue (a summary, a title,
 * a log line), so terminal text passes `safeForTerminal`: an escape
 * sequence could otherwise set the terminal's title, write its clipboard
 * (OSC 52) or hide lines.
 */
import type { AttemptContext } from "../store/records.js";
import { formatDuration, SECOND, MINUTE, HOUR, DAY } from "../duration.js";
import { renderUsage } from "./check-run.js";
import { codeBlock } from "./markdown.js";

/** Colour codes (CSI … m) go; every other control character but newline and tab becomes "�". */
export function safeForTerminal(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "").replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, "\uFFFD");
}

/** "45s", "12m", "3h", "2d": how long ago, at a glance. */
export function formatAge(ms: number): string {
  const positive = Math.max(ms, 0);
  if (positive < MINUTE) return `${Math.floor(positive / SECOND)}s`;
  if (positive < HOUR) return `${Math.floor(positive / MINUTE)}m`;
  if (positive < DAY) return `${Math.floor(positive / HOUR)}h`;
  return `${Math.floor(positive / DAY)}d`;
}

function threadOf({ thread }: AttemptContext): string {
  return `${thread.owner}/${thread.repo}#${thread.number}`;
}

/** How long it ran (or has run so far); "–" before it started. */
function durationOf({ attempt }: AttemptContext, now: Date): string {
  if (!attempt.startedAt) return "–";
  return formatDuration((attempt.endedAt ?? now).getTime() - attempt.startedAt.getTime());
}

/** `orch attempts`: one row per attempt, newest first, columns padded to fit. */
export function renderAttemptsTable(params: { attempts: readonly AttemptContext[]; now: Date }): string {
  const { attempts, now } = params;
  if (attempts.length === 0) return "No attempts match.";
  const header = ["ID", "THREAD", "TASK", "AGENT", "STATE", "HOST", "AGE", "DURATION", "BRANCH"];
  const rows = attempts.map((context) => {
    const { attempt, task } = context;
    return [
      String(attempt.id),
      threadOf(context),
      `${task.key}/a${attempt.number}`,
      attempt.agent,
      attempt.state,
      attempt.host ?? "–",
      formatAge(now.getTime() - attempt.queuedAt.getTime()),
      durationOf(context, now),
      task.mode === "ask" ? "(read-only)" : attempt.branch,
    ].map(safeForTerminal);
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** `orch show ID`: everything the database knows about one attempt, one "key: value" per line. */
export function renderAttemptDetails(params: { context: AttemptContext; logFile: string; now: Date }): string {
  const { context, logFile, now } = params;
  const { attempt, task, run, thread } = context;
  const time = (date: Date | null) => (date ? date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "–");
  const usage = renderUsage(attempt);
  const fields: [string, string | null | undefined | false][] = [
    ["attempt", `${attempt.id}: ${task.key} attempt ${attempt.number}${attempt.council ? " (council)" : ""}${attempt.autoRetry > 0 ? ` (auto-retry ${attempt.autoRetry} of ${attempt.autoRetryLimit})` : ""}`],
    ["state", attempt.state],
    ["thread", `${threadOf(context)} (${thread.kind === "pull_request" ? "pull request" : "issue"}) ${thread.title}`],
    ["url", thread.url],
    ["run", `${run.id} (${run.state}), requested by @${run.requestedBy}`],
    ["task", `${task.key} (${task.state}, ${task.mode})${task.after.length ? `, after ${task.after.join(", ")}` : ""}`],
    ["agent", attempt.agent],
    ["requested by", `@${attempt.requestedBy}`],
    ["host", attempt.host ?? "–"],
    ["branch", task.mode === "ask" ? "(read-only checkout, nothing pushed)" : attempt.branch],
    ["base", attempt.baseSha],
    ["head", attempt.headSha],
    ["changes", attempt.diffStat],
    ["worktree", attempt.worktreePath ? `${attempt.worktreePath} (${attempt.workspaceState})` : attempt.workspaceState],
    ["queued", time(attempt.queuedAt)],
    ["started", time(attempt.startedAt)],
    ["ended", time(attempt.endedAt)],
    ["duration", durationOf(context, now)],
    ["exit code", attempt.exitCode === null ? null : String(attempt.exitCode)],
    ["pid", attempt.state === "running" && attempt.pid !== null ? String(attempt.pid) : null],
    ["usage", usage || "none reported"],
    ["verify", attempt.verifyState ?? (run.verify ? "not run" : "none configured")],
    ["pull request", attempt.pullRequestNumber !== null ? `#${attempt.pullRequestNumber} ${attempt.pullRequestUrl ?? ""}`.trim() : null],
    ["check run", attempt.checkRunId === null ? "not created" : `${attempt.checkRunId} (GitHub shows ${attempt.reportedState ?? "nothing yet"})`],
    ["summary", attempt.summary],
    ["feedback", attempt.feedback],
    ["log", logFile],
  ];
  const shown = fields.filter((field): field is [string, string] => typeof field[1] === "string" && field[1] !== "");
  const width = Math.max(...shown.map(([key]) => key.length)) + 1;
  return shown.map(([key, value]) => `${`${key}:`.padEnd(width)} ${safeForTerminal(value).replace(/\n/g, `\n${" ".repeat(width + 1)}`)}`).join("\n");
}

/**
 * The reply the command line posts on the thread, so people there see who
 * acted: `message` is the verb's own outcome ("cancelled attempt 1 …"),
 * `command` what the operator typed.
 */
export function renderOperatorReply(params: { message: string; command: string }): string {
  const { message, command } = params;
  return `The operator ${message}\n\n<details><summary>From orch's command line</summary>\n\n${codeBlock(command)}\n\n</details>`;
}

/** A reply's markdown as terminal text: backticks dropped, control characters made safe. */
export function markdownToTerminal(markdown: string): string {
  return safeForTerminal(markdown.replace(/`([^`]*)`/g, "$1"));
}
