/**
 * What a command handler gets: a plain request (no webhook types), the
 * GitHub calls it may make, and orch's parts.
 */
import type { RepoConfig } from "../config/repo-config.js";
import type { PipelineDeps } from "../pipeline/deps.js";
import type { Scheduler } from "../pipeline/scheduler.js";
import type { ThreadKind } from "../store/records.js";

/** Where a command came from. */
export type CommandSource = "comment" | "button" | "label" | "close";

/** One request to orch, made from a webhook by src/github/to-request.ts. */
export interface CommandRequest {
  source: CommandSource;
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  thread: {
    number: number;
    kind: ThreadKind;
    title: string;
    body: string;
    url: string;
    isOpen: boolean;
  };
  /** The GitHub login of who asked. */
  sender: string;
  /** Set for a check-run button: commands act on this run rather than the thread's latest. */
  runId?: number;
}

export type RepositoryPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface PullRequestInfo {
  headRef: string;
  /** owner/repo of the head; differs from the base repository for a fork. */
  headRepoFullName: string | null;
  baseRef: string;
}

/** GitHub calls commands make, for one thread. */
export interface CommandGitHub {
  /** Posts a comment on the thread. */
  reply(body: string): Promise<void>;
  getPullRequest(): Promise<PullRequestInfo>;
  getPermission(username: string): Promise<RepositoryPermission>;
}

/** orch's parts, as commands see them. */
export interface OrchDeps extends PipelineDeps {
  scheduler: Scheduler;
}

export interface CommandContext {
  request: CommandRequest;
  /** GitHub, for the request's thread. */
  api: CommandGitHub;
  deps: OrchDeps;
  /** The repository's .github/orch.yml, validated, with defaults filled in. */
  repoConfig: RepoConfig;
}

/** What a handler says back: markdown for the reply, or nothing when the status comment is the answer. */
export interface CommandOutcome {
  message?: string;
}
