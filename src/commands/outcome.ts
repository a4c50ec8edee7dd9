/**
 * What a command comes to, as data. Refusals ("there is no run here", "that
 * task is still running") are expected outcomes, returned; failures (the
 * database is down) are thrown. The words are render/command-replies.ts's.
 */
import type { AttemptState } from "../store/transitions.js";
import type { CapReached } from "../store/store.js";

/** An attempt as a reply names it: "attempt 2 (`codex`, failed)". */
export interface AttemptLabel {
  number: number;
  agent: string;
  state: AttemptState;
}

/** The server's agents, for "known agents: …". */
export interface AgentListing {
  names: readonly string[];
  defaultAgent: string;
}

export type Refusal =
  /** The thread has no run to act on. */
  | { kind: "no_run" }
  /** The command names an agent the server does not have. */
  | { kind: "unknown_agent"; agent: string; agents: AgentListing }
  /** The thread is closed and the command would start work. */
  | { kind: "thread_closed"; noun: "issue" | "pull request"; verb: "dispatch" | "retry" | "reassign" }
  /** No TASK was named and the run has several. */
  | { kind: "several_tasks"; runId: number; keys: readonly string[]; verb: string }
  /** The run has no task of that key. */
  | { kind: "unknown_task"; runId: number; key: string; keys: readonly string[] }
  /** A button of an older attempt's check run, while the task has moved on. */
  | { kind: "stale_button"; verb: string; task: string; pressed: number; latest: AttemptLabel }
  /** retry on a task whose latest attempt is active, or succeeded. */
  | { kind: "not_retryable"; task: string; latest: AttemptLabel }
  /** reassign on a task whose latest attempt is not failed or blocked. */
  | { kind: "not_reassignable"; task: string; latest: AttemptLabel }
  /** reassign to the agent the latest attempt already used. */
  | { kind: "same_agent"; task: string; agent: string; agents: AgentListing }
  /** The task has no attempt to follow up on (it may still wait for `waitsFor`). */
  | { kind: "no_attempt"; task: string; waitsFor?: readonly string[] }
  /** cancel on a task whose latest attempt has ended. */
  | { kind: "nothing_to_cancel"; task: string; latest: AttemptLabel | undefined }
  /** cancel of an attempt that ended while the command ran. */
  | { kind: "just_ended"; task: string }
  /** cancel --run (or the cancel label) with nothing active. */
  | { kind: "nothing_active"; runId: number | undefined }
  /** A Reassign button where the server has no other agent. */
  | { kind: "no_other_agent"; task: string }
  /** A cap of the run stops a new attempt: which, and what was spent. */
  | { kind: "cap_reached"; task: string; reached: CapReached }
  /** verify on a run dispatched without a verify command. */
  | { kind: "no_verify"; runId: number }
  /** verify on an attempt still running, or whose worktree is gone. */
  | { kind: "cannot_verify"; task: string; number: number; why: "active" | "no_worktree" }
  /** A council of more attempts than max_attempts_per_task allows one task. */
  | { kind: "council_too_big"; size: number; limit: number }
  /** pick refused: `why` says what and how to go on. */
  | { kind: "cannot_pick"; task: string; why: string }
  /** A dispatch whose task list cannot run (a cycle, an unknown key, too many items…); `problem` says what and how to fix it. */
  | { kind: "bad_task_list"; problem: string };

export type Notice =
  | { kind: "queued_attempt"; task: string; number: number; agent: string; branch: string; withFeedback: boolean }
  | { kind: "cancelled_attempt"; task: string; number: number; agent: string }
  /** The picked attempt's PR is open; the others are superseded. */
  | { kind: "picked"; task: string; number: number; agent: string; pullRequest: number; superseded: number[] }
  /** verify runs again on that attempt (on `host`, when another host holds it). */
  | { kind: "verifying"; task: string; number: number; host?: string }
  | { kind: "cancelled_run"; runId: number; count: number }
  | { kind: "cancelled_runs"; notices: Notice[] }
  | {
      kind: "cleaned";
      /** "t1 attempt 2", … */
      cleaned: readonly string[];
      active: readonly string[];
      /** Held by another host, asked to remove them: "t1 attempt 2 (on worker-2)". */
      requested: readonly string[];
      /** What was looked at: "`t1`", "run 3". */
      scope: string;
    }
  /** What closing the thread did. */
  | { kind: "closed"; noun: "issue" | "pull request"; cancelled: number; cleanups: Notice[] }
  /** A label was acted on (and removed). */
  | { kind: "label"; label: string; outcome: CommandOutcome };

export type CommandOutcome =
  /** Done, and the status comment (or the help text) says it: no reply of its own. */
  | { kind: "silent" }
  | { kind: "done"; notice: Notice }
  | { kind: "refused"; refusal: Refusal }
  /** Text rendered already (help). */
  | { kind: "text"; markdown: string };

export const silent: CommandOutcome = { kind: "silent" };

export function refused(refusal: Refusal): CommandOutcome {
  return { kind: "refused", refusal };
}

export function done(notice: Notice): CommandOutcome {
  return { kind: "done", notice };
}

export function labelOf(attempt: { number: number; agent: string; state: AttemptState }): AttemptLabel {
  return { number: attempt.number, agent: attempt.agent, state: attempt.state };
}
