import type { CommandContext, CommandOutcome } from "./context.js";

/** Posts or refreshes the status comment; the comment itself is the answer. */
export async function status(ctx: CommandContext): Promise<CommandOutcome> {
  const { request, deps } = ctx;
  const thread = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
  if (!thread) return { message: "there is no orch run on this thread yet. Start one with `/orch dispatch`." };
  await deps.status.refresh(thread.id);
  return {};
}
