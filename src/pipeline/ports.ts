/**
 * What the pipeline needs from GitHub, for one thread. The implementation
 * (src/github/thread-client.ts) wraps Probot's Octokit; tests talk to it
 * through nock. Nothing here knows about webhooks.
 */
import type { CheckRunAction, CheckRunView } from "../render/check-run.js";
import type { AttemptRecord } from "../store/records.js";

export interface PullRequestRef {
  number: number;
  url: string;
}

export interface ThreadGitHub {
  /** The installation token, for git fetch and push only; never stored, logged or given to an agent. */
  getToken(): Promise<string>;
  createCheckRun(params: { headSha: string; externalId: string; detailsUrl: string; view: CheckRunView }): Promise<{ id: number }>;
  updateCheckRun(params: { checkRunId: number; detailsUrl: string; view: CheckRunView }): Promise<void>;
  /** The id of a check run orch made earlier on `headSha` for this attempt, if GitHub has one. */
  findCheckRun(params: { headSha: string; name: string; externalId: string }): Promise<number | undefined>;
  /** Creates a comment on the thread. */
  createComment(body: string): Promise<{ id: number }>;
  /** Edits a comment; "missing" when someone deleted it. */
  updateComment(params: { commentId: number; body: string }): Promise<"updated" | "missing">;
  createPullRequest(params: { head: string; base: string; title: string; body: string; draft: boolean }): Promise<PullRequestRef>;
}

export interface ThreadAddress {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
}

/** Gives the GitHub client for a thread, authenticated as the app's installation. */
export type GitHubFactory = (thread: ThreadAddress) => ThreadGitHub;

/**
 * The controls that apply to an attempt now. The verb entries decide
 * (src/commands/verbs/buttons.ts); the pipeline only shows them.
 */
export interface AttemptButtons {
  /** The check run's buttons, at most 3. */
  actionsFor(attempt: AttemptRecord): CheckRunAction[];
  /** Verb names for the status comment's "Next" commands. */
  verbsFor(attempt: AttemptRecord): string[];
}
