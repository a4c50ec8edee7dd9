import { RETRYABLE_STATES } from "../store/transitions.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import type { Command } from "./parse.js";
import { resolveTask } from "./resolve-task.js";
import { describeAttempt, startNextAttempt } from "./start-next-attempt.js";

/** A new attempt with the same agent, for a failed, blocked, timed-out, lost or cancelled task. */
export async function retry(ctx: CommandContext, command: Extract<Command, { verb: "retry" }>): Promise<CommandOutcome> {
  const resolved = await resolveTask(ctx, { taskKey: command.task, verb: "retry" });
  if (resolved.kind === "refused") return { message: resolved.message };
  const { thread, task } = resolved;
  return startNextAttempt(ctx, {
    thread,
    task,
    feedback: command.feedback,
    allowedFrom: RETRYABLE_STATES,
    explainRefusal: (latest) =>
      latest.state === "queued" || latest.state === "running"
        ? `\`${task.key}\` is still active: ${describeAttempt(latest)}. Retry applies once it has ended; to stop it, \`/orch cancel ${task.key}\`.`
        : `\`${task.key}\`'s latest is ${describeAttempt(latest)}; retry applies to a failed, blocked, timed-out, lost or cancelled task. To run it again anyway, \`/orch dispatch\` starts a new run.`,
  });
}
