/**
 * How an attempt ended, from what the agent did: its exit, its result file
 * and whether it left changes. Pure, so every rule below has a test.
 */
import type { AgentExit } from "../agents/runner.js";
import type { ResultFileRead } from "../agents/result-file.js";
import { formatDuration } from "../duration.js";
import type { AttemptState } from "../store/transitions.js";

export interface Outcome {
  state: Exclude<AttemptState, "queued" | "running" | "lost">;
  summary: string;
}

/**
 * - cancel and timeout win over anything the agent wrote;
 * - a result file saying `blocked` or `failed` is believed whatever the exit code;
 * - a non-zero exit is a failure;
 * - exit 0 succeeds when there are changes (or the result file says succeeded), else fails with "no changes".
 */
export function decideOutcome(params: {
  exit: AgentExit;
  result: ResultFileRead;
  hasChanges: boolean;
  cancelledBy?: string;
}): Outcome {
  const { exit, result, hasChanges, cancelledBy } = params;
  const reported = result.kind === "reported" ? result.result : undefined;
  const note = result.kind === "invalid" ? ` (ignored an invalid result file: ${result.reason})` : "";
  switch (exit.reason) {
    case "cancelled":
      return { state: "cancelled", summary: cancelledBy ? `cancelled by @${cancelledBy}` : "cancelled" };
    case "timed_out":
      if (exit.idleMs !== undefined) {
        return { state: "timed_out", summary: `idle for ${formatDuration(exit.idleMs)} (no output, no file change); the agent's processes were killed` };
      }
      return { state: "timed_out", summary: `timed out after ${formatDuration(exit.durationMs)}; the agent's processes were killed` };
    case "spawn_failed":
      return { state: "failed", summary: exit.message };
    case "exited":
      break;
  }
  if (reported?.status === "blocked") return { state: "blocked", summary: reported.summary ?? "the agent needs a human" };
  if (reported?.status === "failed") return { state: "failed", summary: reported.summary ?? "the agent reported failure" };
  if (exit.exitCode !== 0) {
    const how = exit.exitCode === null ? `was killed by ${exit.signal ?? "a signal"}` : `exited with code ${exit.exitCode}`;
    return { state: "failed", summary: `the agent ${how}${reported?.summary ? `: ${reported.summary}` : ""}${note}` };
  }
  if (reported?.status === "succeeded") return { state: "succeeded", summary: reported.summary ?? (hasChanges ? "changes committed" : "no changes") };
  if (hasChanges) return { state: "succeeded", summary: `changes committed${note}` };
  return { state: "failed", summary: `no changes${note}` };
}
