/**
 * Plain records the store hands out. They carry no Prisma types, so the
 * pipeline, commands and renderers never import Prisma. GitHub ids are numbers
 * here (they fit in 2^53) and BigInt in the database.
 */
import type { AttemptState, RunState, TaskState, WorkspaceState } from "./transitions.js";

export type ThreadKind = "issue" | "pull_request";

export interface ThreadRecord {
  id: number;
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  kind: ThreadKind;
  title: string;
  url: string;
  statusCommentId: number | null;
}

export interface RunRecord {
  id: number;
  threadId: number;
  state: RunState;
  requestedBy: string;
  baseRef: string;
  prBase: string;
  /** Whether the attempts' pull requests are opened as drafts. */
  draft: boolean;
  /** The repository's verify as it was at dispatch; null: none. */
  verify: VerifySettings | null;
  /** Attempts each of its tasks may have (caps). */
  maxAttemptsPerTask: number;
  /** Wall clock the whole run may take from createdAt; null: no cap. */
  runTimeoutMs: number | null;
  /** What its agents' reported usage (attempts' and judges') may add up to, in US dollars; null: no cap. */
  maxCostUsd: number | null;
  createdAt: Date;
  endedAt: Date | null;
}

/** `.github/orch.yml`'s `verify`, read from the default branch when the run was dispatched. */
export interface VerifySettings {
  /** A shell command, run with /bin/sh -c in the attempt's sandbox. */
  run: string;
  timeoutMs: number;
  /** Failed verifies orch follows with a new attempt by itself, per task (already within the server's ceiling). */
  maxAutoRetries: number;
}

export type VerifyState = "passed" | "failed" | "timed_out";

export type TaskMode = "change" | "ask" | "council";

export interface TaskRecord {
  id: number;
  runId: number;
  key: string;
  state: TaskState;
  prompt: string;
  /** Keys of the tasks of its run it waits for. */
  after: string[];
  /** The agent its first attempt runs (or ran). */
  agent: string;
  /** `change`: the agent edits and orch pushes its work; `ask`: a question, answered in a reply, nothing pushed. */
  mode: TaskMode;
  /** A council's first attempts (made at once); 0 for other tasks. */
  councilSize: number;
  /** A council's judge: the server's `council.judge` at dispatch, and what it did. */
  judge: CouncilJudge;
  /** A council whose repository set `council.auto_pick`: orch picks the judge's top-ranked candidate itself. */
  autoPick: boolean;
  /** Where its attempts start and what their PRs target, when not the run's (a dependency's branch). */
  baseRef: string | null;
  /** More dependencies' branches (refs) merged into baseRef before it starts. */
  mergeRefs: string[];
  prBase: string | null;
}

/** Where a council's judge is, for the attempts the task has now. */
export type JudgeState =
  /** Not run for these attempts (none configured, fewer than two candidates, or attempts still going). */
  | "none"
  /** Claimed by a host; its judge agent is running. */
  | "judging"
  /** It ranked the candidates; `ranking` holds its order. */
  | "ranked"
  /** It could not run, or wrote no usable ranking; `note` says why. */
  | "failed";

export interface CouncilJudge {
  /** The judge agent recorded at dispatch; null: the server had no `council.judge`. */
  agent: string | null;
  state: JudgeState;
  /** Candidate k was attempt `order[k-1]` (attempt numbers), as shuffled when the judge started. */
  order: number[];
  /** Best first, mapped back to attempt numbers; the reasons are one line each, capped and redacted. */
  ranking: { attempt: number; reason: string }[];
  /** The attempt orch picked from the ranking (auto_pick); null: none. */
  autoPicked: number | null;
  /** Why the judge failed, or why auto_pick picked nothing (safe to show). */
  note: string | null;
  /** The host running it, and its claim (only that claim records a ranking). */
  host: string | null;
  lease: string | null;
  judgedAt: Date | null;
  /** What its runs reported spending, summed (zeros: nothing reported). */
  usage: { costUsd: number; inputTokens: number; outputTokens: number };
}

export interface AttemptRecord {
  id: number;
  taskId: number;
  number: number;
  agent: string;
  state: AttemptState;
  requestedBy: string;
  prompt: string;
  feedback: string | null;
  branch: string;
  baseSha: string | null;
  headSha: string | null;
  worktreePath: string | null;
  workspaceState: WorkspaceState;
  checkRunId: number | null;
  /** The state the check run last showed; null until it was first reported. */
  reportedState: AttemptState | null;
  pid: number | null;
  /** The host that claimed it, and holds its worktree. */
  host: string | null;
  /** The claiming host's incarnation while it ran: the lease fencing checks. */
  lease: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  exitCode: number | null;
  summary: string | null;
  pullRequestNumber: number | null;
  pullRequestUrl: string | null;
  verifyState: VerifyState | null;
  /** k of "auto-retry k of n" (0: started by a person). */
  autoRetry: number;
  /** n of "auto-retry k of n". */
  autoRetryLimit: number;
  /** One of a council's attempts (its PR waits for a pick). */
  council: boolean;
  /** "3 files, +10 −2": what its pushed commit changed; null before a push. */
  diffStat: string | null;
  /** Usage the agent reported in its result file; null: none reported. */
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/** Everything the pipeline needs to know about one attempt. */
export interface AttemptContext {
  attempt: AttemptRecord;
  task: TaskRecord;
  run: RunRecord;
  thread: ThreadRecord;
}

export interface TaskView extends TaskRecord {
  /** Oldest first. */
  attempts: AttemptRecord[];
}

export interface RunView extends RunRecord {
  tasks: TaskView[];
}

/** A thread with its runs, newest first: what the status comment shows. */
export interface ThreadView {
  thread: ThreadRecord;
  runs: RunView[];
}

/** A task no judge has looked at: every task that is not a council, and a council before its judge runs. */
export const NO_COUNCIL_JUDGE: CouncilJudge = {
  agent: null,
  state: "none",
  order: [],
  ranking: [],
  autoPicked: null,
  note: null,
  host: null,
  lease: null,
  judgedAt: null,
  usage: { costUsd: 0, inputTokens: 0, outputTokens: 0 },
};
