/**
 * Every allowed status move for attempts, workspaces and runs, in one table.
 * The store performs each move as a conditional update ("where state in the
 * allowed sources"), so two racing webhooks can never both win the same move.
 */

/** An attempt's lifecycle. */
export type AttemptState =
  /** Recorded, waiting for a free slot within the concurrency limits. */
  | "queued"
  /** Claimed by a host: preparing its worktree, or its agent is running. */
  | "running"
  /** The agent finished with changes (or said so in its result file). */
  | "succeeded"
  /** The agent exited non-zero, produced no changes, or orch could not run it. */
  | "failed"
  /** The agent reported that it needs a human (result file `blocked`). */
  | "blocked"
  /** A maintainer cancelled it, or its thread was closed. */
  | "cancelled"
  /** The agent outlived its timeout and was killed. */
  | "timed_out"
  /** Its process vanished, e.g. orch restarted while it ran. */
  | "lost"
  /** A council attempt that was not picked: its branch stays, its worktree is removed. */
  | "superseded";

/**
 * A task is `pending` before its first attempt, then takes its latest
 * attempt's state; a council task whose attempts have all ended is `picking`
 * until a person picks one.
 */
export type TaskState = "pending" | "picking" | AttemptState;

/** A run is `active` while any task is queued or running. */
export type RunState = "active" | "succeeded" | "failed" | "cancelled";

/** An attempt's worktree directory. */
export type WorkspaceState = "none" | "allocated" | "cleaned";

export const ATTEMPT_STATES: readonly AttemptState[] = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "blocked",
  "cancelled",
  "timed_out",
  "lost",
  "superseded",
];

const attemptMoves: Record<AttemptState, readonly AttemptState[]> = {
  queued: ["running", "cancelled", "lost"],
  running: ["succeeded", "failed", "blocked", "cancelled", "timed_out", "lost"],
  // An ended council attempt another was picked over.
  succeeded: ["superseded"],
  failed: ["superseded"],
  blocked: ["superseded"],
  cancelled: ["superseded"],
  timed_out: ["superseded"],
  lost: ["superseded"],
  superseded: [],
};

const workspaceMoves: Record<WorkspaceState, readonly WorkspaceState[]> = {
  none: ["allocated", "cleaned"],
  allocated: ["cleaned"],
  cleaned: [],
};

/** True when an attempt may move from `from` to `to`. */
export function canTransition(from: AttemptState, to: AttemptState): boolean {
  return attemptMoves[from].includes(to);
}

/** The states an attempt may be in for a move to `to`: the guard of the conditional update. */
export function attemptSourcesOf(to: AttemptState): AttemptState[] {
  return ATTEMPT_STATES.filter((from) => canTransition(from, to));
}

export function workspaceSourcesOf(to: WorkspaceState): WorkspaceState[] {
  return (Object.keys(workspaceMoves) as WorkspaceState[]).filter((from) => workspaceMoves[from].includes(to));
}

/** True once its agent is done: only a pick (council) can still move it, to `superseded`. */
export function isEnded(state: AttemptState): boolean {
  return !isActive(state);
}

/** True while an attempt holds, or waits for, a slot. */
export function isActive(state: AttemptState): boolean {
  return state === "queued" || state === "running";
}

/** States from which `/orch retry` may start a new attempt. */
export const RETRYABLE_STATES: readonly AttemptState[] = ["failed", "blocked", "timed_out", "lost", "cancelled"];

/** States from which `/orch reassign` may start a new attempt with another agent. */
export const REASSIGNABLE_STATES: readonly AttemptState[] = ["failed", "blocked"];

/**
 * A run's state from its tasks': active while any is queued or running, or
 * pending with every task it waits for succeeded (about to start); succeeded
 * when all succeeded, cancelled when any was cancelled, else failed. A task
 * still waiting behind one that did not succeed keeps nothing active: retrying
 * that one makes the run active again.
 */
export function deriveRunState(tasks: readonly { key: string; state: TaskState; after: readonly string[] }[]): RunState {
  const stateOf = new Map(tasks.map((task) => [task.key, task.state]));
  const isReady = (task: (typeof tasks)[number]) => task.after.every((key) => stateOf.get(key) === "succeeded");
  const isGoing = (task: (typeof tasks)[number]) =>
    task.state === "queued" || task.state === "running" || task.state === "picking" || (task.state === "pending" && isReady(task));
  if (tasks.some(isGoing)) return "active";
  if (tasks.every((task) => task.state === "succeeded")) return "succeeded";
  if (tasks.some((task) => task.state === "cancelled")) return "cancelled";
  return "failed";
}
