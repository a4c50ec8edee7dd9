import type { Context } from "probot";
import { ensurePermission } from "../commands/execute.js";
import { cancelActiveRuns } from "../commands/thread-events.js";
import type { Orch } from "../orch.js";
import { renderReply } from "../render/reply.js";
import { toRequest } from "./to-request.js";

/**
 * Labels as commands: the dispatch label (`orch:dispatch` unless
 * .github/orch.yml renames it) dispatches with the default agent, the cancel
 * label (`orch:cancel`) cancels the thread's active runs. orch removes the
 * label afterwards, so it can be added again, and says what it did.
 */
export function onLabeled(orch: Orch) {
  return async (context: Context<"issues.labeled" | "pull_request.labeled">): Promise<void> => {
    const { payload } = context;
    const name = payload.label?.name;
    if (!name) return;
    if (payload.sender.type === "Bot") return context.log.debug("skip: label added by a bot");
    if (!payload.installation) return context.log.debug("skip: no installation in the payload");
    const issue = "issue" in payload ? payload.issue : payload.pull_request;
    const { owner, repo } = context.repo();
    const request = toRequest({
      source: "label",
      installationId: payload.installation.id,
      repository: payload.repository,
      issue,
      isPullRequest: !("issue" in payload) || Boolean(payload.issue.pull_request),
      sender: payload.sender.login,
    });
    const line = `label ${name}`;
    orch.accept({
      deliveryId: context.id,
      event: context.name,
      request,
      readRepoConfig: () => context.config("orch.yml"),
      work: async (ctx) => {
        const { labels, minPermission } = ctx.repoConfig;
        if (name !== labels.dispatch && name !== labels.cancel) return;
        const removeLabel = () =>
          context.octokit.rest.issues.removeLabel({ owner, repo, issue_number: issue.number, name }).catch((error: unknown) => {
            context.log.warn({ err: error }, "could not remove the label");
          });
        if (name === labels.dispatch) {
          await removeLabel();
          await orch.commands([{ kind: "command", command: { verb: "dispatch" }, line }])(ctx);
          return;
        }
        if (!(await ensurePermission(ctx, { lines: [line], minPermission }))) return;
        const outcome = await cancelActiveRuns(ctx, { why: `cancelled by @${request.sender} with the ${name} label` });
        await removeLabel();
        await ctx.api.reply(renderReply({ user: request.sender, sections: [{ line, message: `${outcome.message} I removed the \`${name}\` label.` }] }));
      },
    });
  };
}
