/**
 * A council task's comparison, once all its attempts have ended: one row per
 * attempt (agent, state, verify, what it changed, duration, usage, summary,
 * and a link to its branch's diff), and how to pick. With a judge (the
 * server's `council.judge`): where it is (judging, ranked, failed and why), a
 * rank column and its reasons, and what auto_pick did.
 * buildCouncilComparison gathers the rows as plain values;
 * renderCouncilComparison writes them as markdown for the status comment,
 * and the attempt page (web/attempt-page.ts) as an HTML table. The summaries
 * and reasons were written by agents: each renderer escapes them its own way.
 */
import type { AttemptRecord, RunView, TaskView } from "../store/records.js";
import { isActive } from "../store/transitions.js";
import { formatDuration } from "../duration.js";
import { renderUsage } from "./check-run.js";
import { escapeInline } from "./markdown.js";

const VERIFY: Record<NonNullable<AttemptRecord["verifyState"]>, string> = { passed: "✅", failed: "❌", timed_out: "⌛" };

export interface CouncilRow {
  attempt: AttemptRecord;
  /** `a2` */
  label: string;
  /** The judge's rank, 1 first; null when it has not ranked (or left this one out). */
  rank: number | null;
  /** Raw, as the judge wrote it; null without a ranking. */
  reason: string | null;
  /** "succeeded", "timed out" */
  state: string;
  /** The picked attempt's pull request. */
  pickedPullRequest: number | null;
  /** True when orch picked it on the judge's word (auto_pick). */
  isPickedByJudge: boolean;
  /** ✅ ❌ ⌛, or – when verify did not run. */
  verify: string;
  changes: string;
  duration: string;
  usage: string;
  /** Raw, as the agent wrote it; null: none. */
  summary: string | null;
  /** The branch's diff against the PR base on GitHub; null before a push. */
  diffUrl: string | null;
}

export interface CouncilComparison {
  taskKey: string;
  rows: CouncilRow[];
  /** The judge ranked the attempts: rows have a rank. */
  isRanked: boolean;
  isPicked: boolean;
  /** `/orch pick t1/a2` for each attempt that can be picked (none once one is). */
  pickCommands: string[];
}

/** Undefined while an attempt still runs, or for a task that is not a council. */
export function buildCouncilComparison(params: { run: RunView; task: TaskView; threadUrl: string }): CouncilComparison | undefined {
  const { run, task, threadUrl } = params;
  if (task.mode !== "council" || task.attempts.length === 0 || task.attempts.some((a) => isActive(a.state))) return undefined;
  const repoUrl = threadUrl.replace(/\/(issues|pull)\/\d+$/, "");
  const base = task.prBase ?? run.prBase;
  const { judge } = task;
  const isRanked = judge.state === "ranked" && judge.ranking.length > 0;
  const rows = task.attempts.map((attempt) => {
    const index = isRanked ? judge.ranking.findIndex((entry) => entry.attempt === attempt.number) : -1;
    return {
      attempt,
      label: `a${attempt.number}`,
      rank: index === -1 ? null : index + 1,
      reason: index === -1 ? null : judge.ranking[index]!.reason,
      state: attempt.state.replace("_", " "),
      pickedPullRequest: attempt.pullRequestNumber,
      isPickedByJudge: judge.autoPicked === attempt.number,
      verify: attempt.verifyState ? VERIFY[attempt.verifyState] : "–",
      changes: attempt.diffStat ?? "–",
      duration: attempt.startedAt && attempt.endedAt ? formatDuration(attempt.endedAt.getTime() - attempt.startedAt.getTime()) : "–",
      usage: renderUsage(attempt) || "–",
      summary: attempt.summary,
      diffUrl: attempt.headSha ? `${repoUrl}/compare/${encodeURI(base)}...${encodeURI(attempt.branch)}` : null,
    };
  });
  const isPicked = task.attempts.some((a) => a.pullRequestNumber !== null);
  const pickCommands = isPicked
    ? []
    : task.attempts.filter((a) => a.state === "succeeded" && a.headSha !== null).map((a) => `/orch pick ${task.key}/a${a.number}`);
  return { taskKey: task.key, rows, isRanked, isPicked, pickCommands };
}

/** The comparison as markdown for the status comment; undefined as buildCouncilComparison. */
export function renderCouncilComparison(params: { run: RunView; task: TaskView; threadUrl: string }): string | undefined {
  const comparison = buildCouncilComparison(params);
  if (!comparison) return undefined;
  const { isRanked } = comparison;
  const rows = comparison.rows.map((row) =>
    [
      row.label,
      ...(isRanked ? [row.rank === null ? "–" : String(row.rank)] : []),
      escapeInline(row.attempt.agent, 40),
      row.state + (row.pickedPullRequest !== null ? ` · ${row.isPickedByJudge ? "picked by the judge" : "picked"}, #${row.pickedPullRequest}` : ""),
      row.verify,
      row.changes,
      row.duration,
      row.usage,
      row.summary ? escapeInline(row.summary, 160) : "–",
      row.diffUrl ? `[diff](${row.diffUrl})` : "–",
    ].join(" | "),
  );
  const next = comparison.isPicked
    ? undefined
    : comparison.pickCommands.length
      ? `Pick one: ${comparison.pickCommands.map((command) => `\`${command}\``).join(" · ")}, or the **Pick** button on its check run.`
      : "No attempt succeeded, so there is nothing to pick; `/orch retry` adds an attempt.";
  const verdict = renderJudge({ task: params.task, candidates: comparison.pickCommands.length });
  return [
    `**Council ${comparison.taskKey}**`,
    "",
    `| attempt |${isRanked ? " rank |" : ""} agent | state | verify | changes | duration | usage | summary | branch |`,
    `| --- |${isRanked ? " --- |" : ""} --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows.map((row) => `| ${row} |`),
    ...(verdict.length ? ["", ...verdict] : []),
    ...(next ? ["", next] : []),
  ].join("\n");
}

/** The judge's part of the comparison: lines under the table (none when there is nothing to say). */
function renderJudge(params: { task: TaskView; candidates: number }): string[] {
  const { task, candidates } = params;
  const { judge } = task;
  const isPicked = task.attempts.some((a) => a.pullRequestNumber !== null);
  if (judge.agent === null) {
    return task.autoPick && !isPicked
      ? ["`council.auto_pick` is on in `.github/orch.yml`, but this server has no `council.judge`, so nothing ranks the attempts and orch picks none: a person picks."]
      : [];
  }
  const agentOf = (number: number) => task.attempts.find((a) => a.number === number)?.agent ?? "?";
  switch (judge.state) {
    case "none":
      if (isPicked) return [];
      if (candidates === 1) return ["⚖️ The judge did not run: only one attempt succeeded, so there is nothing to rank."];
      return candidates > 1 ? ["⚖️ The judge starts soon."] : [];
    case "judging":
      return [`⚖️ The judge is ranking the ${judge.order.length} candidates (their diffs and verify results, without agent names, in a shuffled order)…`];
    case "failed":
      return [`⚖️ The judge failed: ${escapeInline(judge.note ?? "no reason was recorded", 400)}. ${isPicked ? "" : "A person picks."}`.trimEnd(), ...renderJudgeUsage(judge)];
    case "ranked": {
      const lines = [
        "⚖️ **The judge's ranking**, from the diffs and verify results without agent names, in a shuffled order:",
        "",
        ...judge.ranking.map((entry, index) => `${index + 1}. a${entry.attempt} (${escapeInline(agentOf(entry.attempt), 40)}): ${escapeInline(entry.reason, 700)}`),
      ];
      if (judge.autoPicked !== null) lines.push("", `\`council.auto_pick\`: orch picked a${judge.autoPicked}, the judge's first choice that could be picked.`);
      else if (task.autoPick && judge.note) lines.push("", `\`council.auto_pick\`: ${escapeInline(judge.note, 400)}`);
      return [...lines, ...renderJudgeUsage(judge)];
    }
  }
}

/** What the judge reported spending, when it reported anything (it counts toward the run's `max_cost_usd`). */
function renderJudgeUsage(judge: TaskView["judge"]): string[] {
  const { costUsd, inputTokens, outputTokens } = judge.usage;
  if (costUsd === 0 && inputTokens === 0 && outputTokens === 0) return [];
  const usage = renderUsage({ costUsd: costUsd || null, inputTokens: inputTokens || null, outputTokens: outputTokens || null });
  return ["", `The judge's usage: ${usage}.`];
}
