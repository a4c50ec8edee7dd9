import { buildRetryPrompt } from "../pipeline/prompt.js";
import type { AttemptRecord, TaskView, ThreadRecord } from "../store/records.js";
import type { AttemptState } from "../store/transitions.js";
import { buildBranchName } from "../workspace/branch-name.js";
import type { CommandContext, CommandOutcome } from "./context.js";

const describeState: Record<AttemptState, string> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  blocked: "blocked",
  cancelled: "cancelled",
  timed_out: "timed out",
  lost: "lost",
};

export function describeAttempt(attempt: AttemptRecord): string {
  return `attempt ${attempt.number} (\`${attempt.agent}\`, ${describeState[attempt.state]})`;
}

/**
 * Retry and reassign: queue attempt n+1 of a task through the same pipeline
 * as dispatch, when attempt n is in one of `allowedFrom`. The store makes the
 * check and the insert one guarded step, so racing commands start one attempt.
 */
export async function startNextAttempt(
  ctx: CommandContext,
  params: {
    thread: ThreadRecord;
    task: TaskView;
    agent?: string;
    feedback?: string;
    allowedFrom: readonly AttemptState[];
    /** Says why the latest attempt's state does not allow this verb, and what would. */
    explainRefusal: (latest: AttemptRecord) => string;
  },
): Promise<CommandOutcome> {
  const { deps, request } = ctx;
  const { thread, task, agent, feedback, allowedFrom, explainRefusal } = params;
  if (!request.thread.isOpen) {
    return { message: `this thread is closed; reopen it to start another attempt.` };
  }
  const previous = task.attempts.at(-1);
  if (previous && !allowedFrom.includes(previous.state)) return { message: explainRefusal(previous) };
  const result = await deps.store.createNextAttempt({
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
    return {
      message: result.previous
        ? explainRefusal(result.previous)
        : `task \`${task.key}\` has no attempt to follow up on.`,
    };
  }
  deps.scheduler.wake();
  deps.scheduler.track(deps.status.refresh(thread.id));
  const { attempt } = result;
  return {
    message: `queued attempt ${attempt.number} of \`${task.key}\` with \`${attempt.agent}\` on branch \`${attempt.branch}\`${feedback ? ", with your feedback" : ""}. The status comment follows it.`,
  };
}
