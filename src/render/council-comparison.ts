/**
 * A council task's comparison for the status comment, once all its attempts
 * have ended: one row per attempt (agent, state, verify, what it changed,
 * duration, usage, summary, and a link to its branch's diff), and how to
 * pick. With a judge (the server's `council.judge`): where it is (judging,
 * ranked, failed and why), a rank column and its reasons below the table,
 * and what auto_pick did. The summaries and reasons were written by agents:
 * escaped on one line.
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
  const { judge } = task;
  const isRanked = judge.state === "ranked" && judge.ranking.length > 0;
  const rankOf = (number: number) => {
    const index = judge.ranking.findIndex((entry) => entry.attempt === number);
    return index === -1 ? "–" : String(index + 1);
  };
  const rows = task.attempts.map((attempt) => {
    const duration = attempt.startedAt && attempt.endedAt ? formatDuration(attempt.endedAt.getTime() - attempt.startedAt.getTime()) : "–";
    const diff = attempt.headSha ? `[diff](${repoUrl}/compare/${encodeURI(base)}...${encodeURI(attempt.branch)})` : "–";
    const pickedBy = judge.autoPicked === attempt.number ? "picked by the judge" : "picked";
    const picked = attempt.pullRequestNumber !== null ? ` · ${pickedBy}, #${attempt.pullRequestNumber}` : "";
    return [
      `a${attempt.number}`,
      ...(isRanked ? [rankOf(attempt.number)] : []),
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
  const verdict = renderJudge({ task, candidates: pickable.length });
  return [
    `**Council ${task.key}**`,
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
      return [`⚖️ The judge failed: ${escapeInline(judge.note ?? "no reason was recorded", 400)}. ${isPicked ? "" : "A person picks."}`.trimEnd()];
    case "ranked": {
      const lines = [
        "⚖️ **The judge's ranking**, from the diffs and verify results without agent names, in a shuffled order:",
        "",
        ...judge.ranking.map((entry, index) => `${index + 1}. a${entry.attempt} (${escapeInline(agentOf(entry.attempt), 40)}): ${escapeInline(entry.reason, 700)}`),
      ];
      if (judge.autoPicked !== null) lines.push("", `\`council.auto_pick\`: orch picked a${judge.autoPicked}, the judge's first choice that could be picked.`);
      else if (task.autoPick && judge.note) lines.push("", `\`council.auto_pick\`: ${escapeInline(judge.note, 400)}`);
      return lines;
    }
  }
}
