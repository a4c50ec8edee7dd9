/** Title and body of the pull request an attempt opens. */
import type { AttemptContext } from "../store/records.js";
import { escapeInline, inlineCode } from "./markdown.js";

export function renderPullRequest(params: {
  context: AttemptContext;
  summary: string;
  diffStat?: { filesChanged: number; insertions: number; deletions: number };
}): { title: string; body: string } {
  const { context, summary, diffStat } = params;
  const { thread, task, attempt } = context;
  const title = `${thread.title.replace(/[\r\n]+/g, " ").slice(0, 200)} (orch ${task.key}, attempt ${attempt.number})`;
  const link = thread.kind === "issue" ? `Closes #${thread.number}.` : `Follow-up to #${thread.number}.`;
  const lines = [
    link,
    "",
    `Agent ${inlineCode(attempt.agent)} made this in attempt ${attempt.number} of task ${task.key}, requested by @${attempt.requestedBy}.`,
    "",
    `**Summary:** ${escapeInline(summary, 500)}`,
  ];
  if (diffStat) {
    lines.push(`**Changes:** ${diffStat.filesChanged} files, +${diffStat.insertions} −${diffStat.deletions}`);
  }
  lines.push(
    "",
    `<sub>Opened by orch from branch ${inlineCode(attempt.branch)}. Review it like any contribution: the agent's code is untrusted. Comment on #${thread.number} with \`/orch retry\` for another attempt.</sub>`,
  );
  return { title, body: lines.join("\n") };
}
