/**
 * Verb → handler, one explicit table. Usage and help text live in verbs.ts;
 * this file only says which function runs each verb.
 */
import { cancel } from "./cancel.js";
import { cleanup } from "./cleanup.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import { dispatch } from "./dispatch.js";
import { help } from "./help.js";
import type { Command } from "./parse.js";
import { reassign } from "./reassign.js";
import { retry } from "./retry.js";
import { status } from "./status.js";

type Handlers = { [V in Command["verb"]]: (ctx: CommandContext, command: Extract<Command, { verb: V }>) => Promise<CommandOutcome> };

const handlers: Handlers = { dispatch, retry, reassign, cancel, cleanup, status, help };

/** Runs one parsed command. */
export function runCommand(ctx: CommandContext, command: Command): Promise<CommandOutcome> {
  const handler = handlers[command.verb] as (ctx: CommandContext, command: Command) => Promise<CommandOutcome>;
  return handler(ctx, command);
}
