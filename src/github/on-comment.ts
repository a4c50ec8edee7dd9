import type { Context } from "probot";
import { parseComment } from "../commands/parse.js";
import type { Orch } from "../orch.js";
import { toRequest } from "./to-request.js";

/**
 * `/orch` commands in comments: issue and pull-request comments, and
 * pull-request review comments (the ones on a diff line). Skips bots (orch's
 * own comments included) and comments without commands; answers the webhook
 * at once and does the work in the background, starting with an 👀 reaction.
 */
export function onComment(orch: Orch) {
  return async (context: Context<"issue_comment.created" | "pull_request_review_comment.created">): Promise<void> => {
    const { payload } = context;
    if (payload.sender.type === "Bot") return context.log.debug("skip: comment by a bot");
    const results = parseComment(payload.comment.body);
    if (results.length === 0) return;
    if (!payload.installation) return context.log.debug("skip: no installation in the payload");
    const { owner, repo } = context.repo();
    const commentId = payload.comment.id;
    const isReviewComment = "pull_request" in payload;
    orch.accept({
      deliveryId: context.id,
      event: context.name,
      request: toRequest({
        source: "comment",
        installationId: payload.installation.id,
        repository: payload.repository,
        issue: isReviewComment ? payload.pull_request : payload.issue,
        ...(isReviewComment ? { isPullRequest: true } : {}),
        sender: payload.sender.login,
      }),
      readRepoConfig: () => context.config("orch.yml"),
      work: async (ctx) => {
        const reaction = { owner, repo, comment_id: commentId, content: "eyes" } as const;
        await (isReviewComment
          ? context.octokit.rest.reactions.createForPullRequestReviewComment(reaction)
          : context.octokit.rest.reactions.createForIssueComment(reaction));
        await orch.commands(results)(ctx);
      },
    });
  };
}
