import type { Context } from "probot";
import { parseComment } from "../commands/parse.js";
import type { Orch } from "../orch.js";
import { toRequest } from "./to-request.js";

/** `/orch` commands in pull-request review comments (the ones on a diff line). */
export function onReviewComment(orch: Orch) {
  return async (context: Context<"pull_request_review_comment.created">): Promise<void> => {
    const { payload } = context;
    if (payload.sender.type === "Bot") return context.log.debug("skip: comment by a bot");
    const results = parseComment(payload.comment.body);
    if (results.length === 0) return;
    if (!payload.installation) return context.log.debug("skip: no installation in the payload");
    const { owner, repo } = context.repo();
    const commentId = payload.comment.id;
    orch.accept({
      deliveryId: context.id,
      event: context.name,
      request: toRequest({
        source: "comment",
        installationId: payload.installation.id,
        repository: payload.repository,
        issue: payload.pull_request,
        isPullRequest: true,
        sender: payload.sender.login,
      }),
      readRepoConfig: () => context.config("orch.yml"),
      work: async (ctx) => {
        await context.octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: commentId, content: "eyes" });
        await orch.commands(results)(ctx);
      },
    });
  };
}
