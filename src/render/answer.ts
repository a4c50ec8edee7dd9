/**
 * The reply that carries an `/orch ask` answer. The agent wrote it after
 * reading text anyone may have written, so it is shown as data: its summary
 * escaped on one line, its output in a code block; the whole body passes the
 * redactor on its way to GitHub like every request.
 */
import type { AttemptContext } from "../store/records.js";
import { renderUsage } from "./check-run.js";
import { codeBlock, escapeInline, inlineCode } from "./markdown.js";

export function renderAnswer(params: { context: AttemptContext; answer: string | undefined; tail: string }): string {
  const { context, answer, tail } = params;
  const { attempt, task } = context;
  const usage = renderUsage(attempt);
  const lines = [`@${attempt.requestedBy} ${inlineCode(attempt.agent)} answered (${task.key} attempt ${attempt.number}):`, ""];
  if (answer) {
    lines.push(`> ${escapeInline(answer, 500)}`);
    if (tail) lines.push("", "<details><summary>The end of its output</summary>", "", codeBlock(tail), "", "</details>");
  } else {
    lines.push(codeBlock(tail));
  }
  lines.push("", `<sub>From a read-only checkout; nothing was pushed.${usage ? ` Usage: ${usage}.` : ""}</sub>`);
  return lines.join("\n");
}
