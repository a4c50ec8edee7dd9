import type { Context } from "probot";
import { closeThread } from "../commands/thread-events.js";
import type { Orch } from "../orch.js";
import { toRequest } from "./to-request.js";

/** Closing an issue or pull request cancels its active attempts and removes their worktrees. */
export function onClosed(orch: Orch) {
  return async (context: Context<"issues.closed" | "pull_request.closed">): Promise<void> => {
    const { payload } = context;
    if (!payload.installation) return context.log.debug("skip: no installation in the payload");
    const issue = "issue" in payload ? payload.issue : payload.pull_request;
    const { owner, repo } = context.repo();
    // Most closed threads never saw orch: look before doing anything in the background.
    if (!(await orch.deps.store.findThread({ owner, repo, number: issue.number }))) return;
    orch.accept({
      deliveryId: context.id,
      event: context.name,
      request: toRequest({
        source: "close",
        installationId: payload.installation.id,
        repository: payload.repository,
        issue,
        isPullRequest: !("issue" in payload) || Boolean(payload.issue.pull_request),
        sender: payload.sender.login,
      }),
      readRepoConfig: () => context.config("orch.yml"),
      work: async (ctx) => {
        const outcome = await closeThread(ctx, { cleanup: ctx.repoConfig.cleanupOnClose });
        if (outcome.message) await ctx.api.reply(outcome.message);
      },
    });
  };
}
