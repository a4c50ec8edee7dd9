import { renderHelp } from "../render/reply.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import type { Command } from "./parse.js";
import { findVerb, VERBS } from "./verbs.js";

/** Usage of every command, or of one. */
export async function help(ctx: CommandContext, command: Extract<Command, { verb: "help" }>): Promise<CommandOutcome> {
  const { config } = ctx.deps;
  return {
    message: renderHelp({
      verbs: VERBS,
      topic: command.topic ? findVerb(command.topic) : undefined,
      agents: Object.keys(config.agents).sort(),
      defaultAgent: config.defaultAgent,
    }),
  };
}
