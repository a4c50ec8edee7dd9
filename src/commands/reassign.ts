import { REASSIGNABLE_STATES } from "../store/transitions.js";
import { listAgents } from "./agents.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import type { Command } from "./parse.js";
import { resolveTask } from "./resolve-task.js";
import { describeAttempt, startNextAttempt } from "./start-next-attempt.js";

/** A new attempt with another agent from the registry, for a failed or blocked task. */
export async function reassign(
  ctx: CommandContext,
  command: Extract<Command, { verb: "reassign" }>,
): Promise<CommandOutcome> {
  const { config } = ctx.deps;
  if (!config.agents[command.agent]) {
    return { message: `there is no agent \`${command.agent}\` on this server. Known agents: ${listAgents(config)}.` };
  }
  const resolved = await resolveTask(ctx, { taskKey: command.task, verb: "reassign" });
  if (resolved.kind === "refused") return { message: resolved.message };
  const { thread, task } = resolved;
  const latest = task.attempts.at(-1);
  if (latest && latest.agent === command.agent && REASSIGNABLE_STATES.includes(latest.state)) {
    return {
      message: `\`${task.key}\`'s latest attempt already used \`${command.agent}\`; for another go with it, \`/orch retry ${task.key}\`, or name another agent (${listAgents(config)}).`,
    };
  }
  return startNextAttempt(ctx, {
    thread,
    task,
    agent: command.agent,
    feedback: command.feedback,
    allowedFrom: REASSIGNABLE_STATES,
    explainRefusal: (previous) =>
      `\`${task.key}\`'s latest is ${describeAttempt(previous)}; reassign applies to a failed or blocked task.` +
      (previous.state === "running" || previous.state === "queued"
        ? ` To stop it first, \`/orch cancel ${task.key}\`.`
        : previous.state === "succeeded"
          ? ""
          : ` For the same agent, \`/orch retry ${task.key}\`.`),
  });
}
