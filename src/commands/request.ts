/**
 * Every way into orch, as plain data the edge builds from a webhook (or, later,
 * from an operator's command line): a comment's commands, a check-run button
 * on an attempt, a label, a closed thread. One function handles them all
 * (handle-request.ts); nothing here knows a webhook.
 */
import type { ThreadKind } from "../store/records.js";

export type RepositoryPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** The thread a request is about, as the webhook showed it. */
export interface ThreadRef {
  number: number;
  kind: ThreadKind;
  title: string;
  body: string;
  url: string;
  isOpen: boolean;
}

/** Where a request comes from: the repository, the installation acting on it, who asked. */
export interface RepositoryRequest {
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** The GitHub login of who asked. */
  sender: string;
}

/** A request about one thread, as verbs get it. */
export interface ThreadRequest extends RepositoryRequest {
  thread: ThreadRef;
  /** Set for a check-run button: the command acts on this run rather than the thread's latest. */
  runId?: number;
}

/** Every way into orch. `deliveryId` is GitHub's: a redelivered one does nothing. */
export type OrchRequest = RepositoryRequest & { deliveryId: string } & (
    | { kind: "comment"; thread: ThreadRef; body: string; commentId: number; isReviewComment: boolean }
    /** A requested action on the check run of attempt `attemptId`; its thread is the attempt's. */
    | { kind: "button"; attemptId: number; identifier: string; checkRunName: string }
    | { kind: "label"; thread: ThreadRef; label: string }
    | { kind: "closed"; thread: ThreadRef }
  );

export interface PullRequestInfo {
  headRef: string;
  /** owner/repo of the head; differs from the base repository for a fork. */
  headRepoFullName: string | null;
  baseRef: string;
}

/** The thread as GitHub has it now (a button's check run may be older than the thread's closing). */
export interface ThreadState {
  title: string;
  body: string;
  isOpen: boolean;
  url: string;
  isPullRequest: boolean;
}

/** GitHub calls the command path makes, for one thread (src/github/thread-client.ts). */
export interface CommandGitHub {
  /** Posts a comment on the thread. */
  reply(body: string): Promise<void>;
  getPullRequest(): Promise<PullRequestInfo>;
  getPermission(username: string): Promise<RepositoryPermission>;
  getThread(): Promise<ThreadState>;
  /** 👀 on the comment that held commands. */
  acknowledge(params: { commentId: number; isReviewComment: boolean }): Promise<void>;
  removeLabel(name: string): Promise<void>;
  /** `.github/orch.yml` from the default branch (or the owner's `.github` repository); undefined when there is none. Throws on YAML it cannot parse. */
  readRepoConfig(): Promise<unknown>;
}
