/**
 * Webhook payloads for tests: the real examples in test/fixtures/events
 * (from @octokit/webhooks-examples), pointed at the test's repository and
 * changed only where a test says so.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const fixtures = fileURLToPath(new URL("../fixtures/events/", import.meta.url));

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(name: string): Payload {
  return JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.json`), "utf8")) as Payload;
}

export interface RepoTarget {
  owner: string;
  repo: string;
  defaultBranch?: string;
  installationId?: number;
}

function pointAt(payload: Payload, target: RepoTarget): Payload {
  const { owner, repo, defaultBranch = "main", installationId = 4242 } = target;
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  payload.repository.default_branch = defaultBranch;
  payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

function user(login: string, type: "User" | "Bot" = "User") {
  return { login, id: 1000 + login.length, type, node_id: "MDQ6VXNlcjE=", site_admin: false };
}

let nextCommentId = 5_000_000_001;

/** issue_comment.created on issue (or pull request) `number` with `body` by `sender`. */
export function issueCommentCreated(params: RepoTarget & {
  number: number;
  body: string;
  sender?: string;
  senderType?: "User" | "Bot";
  isPullRequest?: boolean;
  state?: "open" | "closed";
  title?: string;
  issueBody?: string;
}): Payload {
  const payload = pointAt(load("issue_comment.created"), params);
  const { owner, repo, number, body, sender = "octocat", senderType = "User", isPullRequest = false } = params;
  payload.issue.number = number;
  payload.issue.state = params.state ?? "open";
  payload.issue.title = params.title ?? "Spelling error in the README file";
  payload.issue.body = params.issueBody ?? "It looks like you accidently spelled 'commit' with two 't's.";
  payload.issue.html_url = `https://github.com/${owner}/${repo}/${isPullRequest ? "pull" : "issues"}/${number}`;
  if (isPullRequest) payload.issue.pull_request = { url: `https://api.github.com/repos/${owner}/${repo}/pulls/${number}` };
  else delete payload.issue.pull_request;
  payload.comment.id = nextCommentId++;
  payload.comment.body = body;
  payload.comment.user = user(sender, senderType);
  payload.sender = user(sender, senderType);
  return payload;
}

/** check_run.requested_action: button `identifier` pressed on the check run of attempt `attemptId`. */
export function checkRunRequestedAction(params: RepoTarget & { attemptId: number; identifier: string; sender?: string; name?: string }): Payload {
  const payload = pointAt(load("check_run.requested_action"), params);
  payload.check_run.external_id = String(params.attemptId);
  payload.check_run.name = params.name ?? "orch / t1 / attempt 1";
  payload.requested_action = { identifier: params.identifier };
  payload.sender = user(params.sender ?? "octocat");
  return payload;
}

/** issues.labeled (or pull_request.labeled) with label `label`. */
export function labeled(params: RepoTarget & { number: number; label: string; sender?: string; isPullRequest?: boolean }): { name: string; payload: Payload } {
  const isPullRequest = params.isPullRequest ?? false;
  const payload = pointAt(load(isPullRequest ? "pull_request.labeled" : "issues.labeled"), params);
  const thread = isPullRequest ? payload.pull_request : payload.issue;
  thread.number = params.number;
  thread.state = "open";
  thread.html_url = `https://github.com/${params.owner}/${params.repo}/${isPullRequest ? "pull" : "issues"}/${params.number}`;
  payload.label = { ...payload.label, name: params.label };
  payload.sender = user(params.sender ?? "octocat");
  return { name: isPullRequest ? "pull_request" : "issues", payload };
}

/** issues.closed (made from issues.reopened: the examples have no issues.closed) or pull_request.closed. */
export function closed(params: RepoTarget & { number: number; isPullRequest?: boolean; sender?: string }): { name: string; payload: Payload } {
  const isPullRequest = params.isPullRequest ?? false;
  const payload = pointAt(load(isPullRequest ? "pull_request.closed" : "issues.reopened"), params);
  payload.action = "closed";
  const thread = isPullRequest ? payload.pull_request : payload.issue;
  thread.number = params.number;
  thread.state = "closed";
  thread.html_url = `https://github.com/${params.owner}/${params.repo}/${isPullRequest ? "pull" : "issues"}/${params.number}`;
  payload.sender = user(params.sender ?? "octocat");
  return { name: isPullRequest ? "pull_request" : "issues", payload };
}

/** pull_request_review_comment.created on pull request `number` with `body`. */
export function reviewCommentCreated(params: RepoTarget & { number: number; body: string; sender?: string; headRef?: string }): Payload {
  const payload = pointAt(load("pull_request_review_comment.created"), params);
  const { owner, repo, number, body, sender = "octocat" } = params;
  payload.pull_request.number = number;
  payload.pull_request.state = "open";
  payload.pull_request.html_url = `https://github.com/${owner}/${repo}/pull/${number}`;
  payload.comment.id = nextCommentId++;
  payload.comment.body = body;
  payload.comment.user = user(sender);
  payload.sender = user(sender);
  return payload;
}
