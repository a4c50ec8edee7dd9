/**
 * The one status comment orch keeps on a thread: every task of the newest
 * runs with its attempts, and the commands that apply now.
 */
import type { AttemptRecord, RunView, TaskView, ThreadView } from "../store/records.js";
import { formatDuration } from "../duration.js";
import { escapeInline, inlineCode } from "./markdown.js";
import { renderCouncilComparison } from "./council-comparison.js";
import { STATE_LABEL } from "./state-labels.js";
import { renderTaskGraph } from "./task-graph.js";

/** Marks orch's status comment, so it can be told apart from replies. */
export const STATUS_MARKER = "<!-- orch:status -->";

function attemptDuration(attempt: AttemptRecord, now: Date): string {
  if (!attempt.startedAt) return "–";
  return formatDuration((attempt.endedAt ?? now).getTime() - attempt.startedAt.getTime());
}

function verifyNote(attempt: AttemptRecord): string {
  if (attempt.verifyState === null) return "";
  return attempt.verifyState === "passed" ? " · verify ✅" : ` · verify ${attempt.verifyState === "failed" ? "❌" : "⌛"}`;
}

function attemptWhere(attempt: AttemptRecord, task: TaskView): string {
  if (task.mode === "ask") return "a question: the answer is a reply";
  if (attempt.pullRequestNumber !== null) return `#${attempt.pullRequestNumber}`;
  return inlineCode(attempt.branch);
}

/** The attempt's page (web/), when orch has a public URL; undefined: no link. */
export type AttemptUrl = (attemptId: number) => string | undefined;

function attemptCell(attempt: AttemptRecord, attemptUrl: AttemptUrl | undefined): string {
  const label = `${attempt.number}${attempt.autoRetry > 0 ? ` (auto-retry ${attempt.autoRetry} of ${attempt.autoRetryLimit})` : ""}`;
  const url = attemptUrl?.(attempt.id);
  return url ? `[${label}](${url})` : label;
}

function renderTaskRows(task: TaskView, now: Date, attemptUrl: AttemptUrl | undefined): string[] {
  if (task.attempts.length === 0) {
    return [`| ${task.key} | – | ${escapeInline(task.agent, 40)} | 🕓 waits for ${task.after.join(", ")} | – | – |`];
  }
  return task.attempts.map(
    (attempt) =>
      `| ${task.key} | ${attemptCell(attempt, attemptUrl)} | ${escapeInline(attempt.agent, 40)} | ${STATE_LABEL[attempt.state]}${verifyNote(attempt)} | ${attemptWhere(attempt, task)} | ${attemptDuration(attempt, now)} |`,
  );
}

function renderSummaries(run: RunView): string[] {
  return run.tasks.flatMap((task) => {
    const latest = task.attempts.at(-1);
    if (!latest?.summary) return [];
    return [`- **${task.key}** attempt ${latest.number}: ${escapeInline(latest.summary, 300)}`];
  });
}

/** The verbs that apply to a task whose latest attempt is this one (from the verb entries). */
export type NextVerbs = (attempt: AttemptRecord) => readonly string[];

function renderNextCommands(run: RunView, nextVerbs: NextVerbs): string | undefined {
  const single = run.tasks.length === 1;
  const commands = run.tasks.flatMap((task) => {
    const latest = task.attempts.at(-1);
    if (!latest) return [];
    const target = single ? "" : ` ${task.key}`;
    return nextVerbs(latest).map((verb) =>
      verb === "reassign" ? inlineCode(`/orch reassign${target} AGENT`) : inlineCode(`/orch ${verb}${target}`),
    );
  });
  return commands.length ? `**Next:** ${commands.join(" · ")}` : undefined;
}

/** `nextVerbs` for the latest run only: only its commands can be typed (TASK names a task of the latest run). */
function renderRun(run: RunView, now: Date, nextVerbs: NextVerbs | undefined, threadUrl: string, attemptUrl: AttemptUrl | undefined): string {
  // What the run's agents reported: its attempts' and its councils' judges'.
  const costs = run.tasks.flatMap((task) => [
    ...task.attempts.flatMap((attempt) => (attempt.costUsd === null ? [] : [attempt.costUsd])),
    ...(task.judge.usage.costUsd > 0 ? [task.judge.usage.costUsd] : []),
  ]);
  const spent = costs.length ? ` · usage $${costs.reduce((a, b) => a + b, 0).toFixed(2)}${run.maxCostUsd !== null ? ` of $${run.maxCostUsd.toFixed(2)}` : ""}` : "";
  const lines = [
    `**Run ${run.id}** · ${run.state} · requested by @${run.requestedBy}${spent}`,
    "",
    "| task | attempt | agent | state | branch / PR | duration |",
    "| --- | --- | --- | --- | --- | --- |",
    ...run.tasks.flatMap((task) => renderTaskRows(task, now, attemptUrl)),
  ];
  const graph = renderTaskGraph(run);
  if (graph) lines.push("", graph);
  for (const task of run.tasks) {
    const comparison = renderCouncilComparison({ run, task, threadUrl });
    if (comparison) lines.push("", comparison);
  }
  const summaries = renderSummaries(run);
  if (summaries.length) lines.push("", ...summaries);
  const next = nextVerbs ? renderNextCommands(run, nextVerbs) : undefined;
  if (next) lines.push("", next);
  return lines.join("\n");
}

/**
 * Markdown for the status comment; `now` sets the running attempts'
 * durations; with `attemptUrl`, each attempt's number links to its page.
 */
export function renderStatusComment(view: ThreadView, now: Date, nextVerbs: NextVerbs, attemptUrl?: AttemptUrl): string {
  const [latest, ...earlier] = view.runs;
  const parts = [STATUS_MARKER, "### 🤖 orch"];
  if (!latest) {
    parts.push("No runs on this thread yet. Start one with `/orch dispatch`.");
  } else {
    parts.push(renderRun(latest, now, nextVerbs, view.thread.url, attemptUrl));
  }
  if (earlier.length) {
    parts.push(
      `<details><summary>Earlier runs (${earlier.length})</summary>\n\n${earlier.map((run) => renderRun(run, now, undefined, view.thread.url, attemptUrl)).join("\n\n")}\n\n</details>`,
    );
  }
  parts.push("<sub>`/orch help` lists the commands. This comment is updated in place.</sub>");
  return parts.join("\n\n");
}
