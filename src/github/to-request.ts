/**
 * Webhook payloads → plain OrchRequests: the only place that knows the
 * payloads' shapes (payload-schemas.ts checked them on the way in). Each
 * function says which deliveries are not for orch at all (a bot's comment,
 * a payload without an installation) by returning undefined; every other
 * decision is the command path's (src/commands/handle-request.ts).
 */
import type { Context } from "probot";
import type { OrchRequest, ThreadRequest } from "../commands/request.js";

interface RepositoryPayload {
  name: string;
  owner: { login: string };
  default_branch: string;
}

interface IssueLikePayload {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  state?: string;
  /** Present on issues that are pull requests. */
  pull_request?: unknown;
}

interface CommonPayload {
  repository: RepositoryPayload;
  sender: { login: string; type: string };
  installation?: { id: number };
}

type CommentContext = Context<"issue_comment.created" | "pull_request_review_comment.created">;
type ButtonContext = Context<"check_run.requested_action">;
type LabelContext = Context<"issues.labeled" | "pull_request.labeled">;
type ClosedContext = Context<"issues.closed" | "pull_request.closed">;

/** A comment on an issue or pull request, or on a line of a pull request's diff. */
export function commentRequest(context: CommentContext): OrchRequest | undefined {
  const { payload } = context;
  // orch's own comments (and other apps') are never commands.
  if (payload.sender.type === "Bot") return undefined;
  const isReviewComment = "pull_request" in payload;
  const thread = threadRequest(payload, isReviewComment ? payload.pull_request : payload.issue, isReviewComment ? true : undefined);
  if (!thread) return undefined;
  return {
    ...thread,
    deliveryId: context.id,
    kind: "comment",
    body: payload.comment.body ?? "",
    commentId: payload.comment.id,
    isReviewComment,
  };
}

/** A button on one of orch's check runs; the check run's external id is its attempt. */
export function buttonRequest(context: ButtonContext): OrchRequest | undefined {
  const { payload } = context;
  const identifier = payload.requested_action?.identifier;
  if (identifier === undefined || !payload.installation) return undefined;
  return {
    installationId: payload.installation.id,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    defaultBranch: payload.repository.default_branch,
    sender: payload.sender.login,
    deliveryId: context.id,
    kind: "button",
    attemptId: Number(payload.check_run.external_id ?? Number.NaN),
    identifier,
    checkRunName: payload.check_run.name,
  };
}

/** A label added to an issue or pull request. */
export function labelRequest(context: LabelContext): OrchRequest | undefined {
  const { payload } = context;
  const label = payload.label?.name;
  if (!label || payload.sender.type === "Bot") return undefined;
  const thread = "issue" in payload ? threadRequest(payload, payload.issue) : threadRequest(payload, payload.pull_request, true);
  return thread && { ...thread, deliveryId: context.id, kind: "label", label };
}

/** An issue or pull request closed (a merge included). */
export function closedRequest(context: ClosedContext): OrchRequest | undefined {
  const { payload } = context;
  const thread = "issue" in payload ? threadRequest(payload, payload.issue) : threadRequest(payload, payload.pull_request, true);
  return thread && { ...thread, deliveryId: context.id, kind: "closed" };
}

function threadRequest(payload: CommonPayload, issue: IssueLikePayload, isPullRequest?: true): ThreadRequest | undefined {
  if (!payload.installation) return undefined;
  const { repository } = payload;
  return {
    installationId: payload.installation.id,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    thread: {
      number: issue.number,
      kind: (isPullRequest ?? Boolean(issue.pull_request)) ? "pull_request" : "issue",
      title: issue.title,
      body: issue.body ?? "",
      url: issue.html_url,
      isOpen: issue.state === undefined || issue.state === "open",
    },
    sender: payload.sender.login,
  };
}
