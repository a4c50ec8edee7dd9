/** `/orch status`: posts or refreshes the status comment, which is the answer. */
import { userCode } from "../../render/markdown.js";
import { refused, silent } from "../outcome.js";
import { defineVerb } from "../verb.js";

export interface StatusCommand {
  verb: "status";
}

export const statusVerb = defineVerb<StatusCommand>({
  name: "status",
  aliases: [],
  usage: "/orch status",
  description: "post or refresh the status comment",
  examples: ["/orch status"],
  flags: [],

  parse(args) {
    if (args.positionals.length > 0) return { problem: `\`status\` takes no arguments, but got ${userCode(args.positionals.join(" "))}.` };
    return { verb: "status" };
  },

  async run(deps, { request }) {
    const thread = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
    if (!thread) return refused({ kind: "no_run" });
    await deps.attempts.refreshStatusNow(thread.id);
    return silent;
  },
});
