/**
 * Retry and reassign: queue attempt n+1 of a task through the same pipeline
 * as dispatch, when attempt n is in one of `allowedFrom`. The store makes the
 * check and the insert one guarded step, so racing commands start one attempt.
 */
import { buildRetryPrompt } from "../../pipeline/prompt.js";
import type { AttemptRecord, TaskView, ThreadRecord } from "../../store/records.js";
import type { AttemptState } from "../../store/transitions.js";
import { buildBranchName } from "../../workspace/branch-name.js";
import { done, labelOf, refused, type CommandOutcome, type Refusal } from "../outcome.js";
import type { VerbDeps, VerbRequest } from "../verb.js";

export async function queueNextAttempt(
  deps: VerbDeps,
  { request }: VerbRequest,
  params: {
    thread: ThreadRecord;
    task: TaskView;
    agent?: string;
    feedback?: string;
    allowedFrom: readonly AttemptState[];
    /** Why the latest attempt's state does not allow this verb. */
    refusalFor: (latest: AttemptRecord) => Refusal;
  },
): Promise<CommandOutcome> {
  const { store, attempts } = deps;
  const { thread, task, agent, feedback, allowedFrom, refusalFor } = params;
  const previous = task.attempts.at(-1);
  if (previous && !allowedFrom.includes(previous.state)) return refused(refusalFor(previous));
  const result = await store.createNextAttempt({
    taskId: task.id,
    allowedFrom,
    agent,
    prompt: buildRetryPrompt({
      taskPrompt: task.prompt,
      previous: previous ?? { number: 0, agent: agent ?? "", state: "none", summary: null },
      requestedBy: request.sender,
      feedback,
    }),
    feedback,
    requestedBy: request.sender,
    buildBranch: (attemptNumber) => buildBranchName({ threadNumber: thread.number, taskKey: task.key, attemptNumber }),
  });
  if (result.kind === "refused") {
    return refused(result.previous ? refusalFor(result.previous) : { kind: "no_attempt", task: task.key, waitsFor: task.after });
  }
  if (result.kind === "capped") {
    const { kind: _, previous: __, ...reached } = result;
    return refused({ kind: "cap_reached", task: task.key, reached });
  }
  attempts.wake();
  attempts.refreshStatus(thread.id);
  const { attempt } = result;
  return done({ kind: "queued_attempt", task: task.key, number: attempt.number, agent: attempt.agent, branch: attempt.branch, withFeedback: Boolean(feedback) });
}

/**
 * A button belongs to one attempt's check run: pressed on an older attempt
 * than the task's latest, it must not act on the latest.
 */
export function staleButton(params: { verb: string; task: TaskView; pressed: number | undefined }): Refusal | undefined {
  const { verb, task, pressed } = params;
  const latest = task.attempts.at(-1);
  if (pressed === undefined || !latest || latest.number === pressed) return undefined;
  return { kind: "stale_button", verb, task: task.key, pressed, latest: labelOf(latest) };
}
