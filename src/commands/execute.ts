/**
 * Runs the commands of one request (a comment, a button press, a label) and
 * answers with one reply. Checks the sender's permission first: without it,
 * a polite refusal and nothing else. A command that fails inside orch gets
 * "internal error" in the reply and the details in the log.
 */
import { isUserError } from "../errors.js";
import { renderReply, type ReplySection } from "../render/reply.js";
import type { CommandContext, RepositoryPermission } from "./context.js";
import type { ParseResult } from "./parse.js";
import { hasPermission } from "./permission.js";
import { runCommand } from "./registry.js";

/**
 * True when the sender may command orch on this repository. Otherwise replies
 * with a polite refusal that quotes `lines`, and returns false.
 */
export async function ensurePermission(
  ctx: CommandContext,
  params: { lines: string[]; minPermission: RepositoryPermission },
): Promise<boolean> {
  const { request, api, deps } = ctx;
  const { lines, minPermission } = params;
  const permission = await api.getPermission(request.sender);
  if (hasPermission(permission, minPermission)) return true;
  deps.log.info({ sender: request.sender, permission, minPermission }, "refused a command: permission too low");
  await api.reply(
    renderReply({
      user: request.sender,
      sections: [
        {
          line: lines.join("\n"),
          message: `sorry, only people with ${minPermission} permission (or higher) on this repository can command orch, and yours is ${permission}. Nothing was done.`,
        },
      ],
    }),
  );
  return false;
}

export async function executeCommands(
  ctx: CommandContext,
  params: { results: ParseResult[]; minPermission: RepositoryPermission },
): Promise<void> {
  const { request, api, deps } = ctx;
  const { results, minPermission } = params;
  if (results.length === 0) return;
  if (!(await ensurePermission(ctx, { lines: results.map((r) => r.line), minPermission }))) return;
  const sections: ReplySection[] = [];
  for (const result of results) {
    if (result.kind === "error") {
      sections.push({ line: result.line, message: result.message });
      continue;
    }
    try {
      const outcome = await runCommand(ctx, result.command);
      if (outcome.message) sections.push({ line: result.line, message: outcome.message });
    } catch (error) {
      deps.log.error({ err: error, command: result.command.verb }, "command failed");
      sections.push({
        line: result.line,
        message: isUserError(error)
          ? error.message
          : "orch hit an internal error running this command; the server log has the details. Try again, or `/orch status` to see where things stand.",
      });
    }
  }
  if (sections.length) await api.reply(renderReply({ user: request.sender, sections }));
}
