/**
 * Webhook payloads → plain CommandRequests. The only place that knows the
 * payloads' shapes; everything past it sees plain data.
 */
import type { CommandRequest, CommandSource } from "../commands/context.js";

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

export function toRequest(params: {
  source: CommandSource;
  installationId: number;
  repository: RepositoryPayload;
  /** The issue, or the pull request (then `isPullRequest`). */
  issue: IssueLikePayload;
  isPullRequest?: boolean;
  sender: string;
}): CommandRequest {
  const { source, installationId, repository, issue, sender } = params;
  const isPullRequest = params.isPullRequest ?? Boolean(issue.pull_request);
  return {
    source,
    installationId,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    thread: {
      number: issue.number,
      kind: isPullRequest ? "pull_request" : "issue",
      title: issue.title,
      body: issue.body ?? "",
      url: issue.html_url,
      isOpen: issue.state === undefined || issue.state === "open",
    },
    sender,
  };
}
