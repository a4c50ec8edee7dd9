/**
 * `/orch cancel [TASK | --run]`: stops the task's active attempt, or every
 * active attempt of the run. Its button stops the attempt of its check run;
 * the cancel label stops every active run of the thread.
 */
import type { AttemptContext, RunView, TaskView, ThreadRecord } from "../../store/records.js";
import { isActive } from "../../store/transitions.js";
import { parseTaskScope, type TaskScope } from "../grammar/shared.js";
import { done, labelOf, refused, type CommandOutcome, type Notice } from "../outcome.js";
import { resolveRun, resolveTask } from "../resolve-task.js";
import { defineVerb, type VerbDeps, type VerbRequest } from "../verb.js";

export interface CancelCommand {
  verb: "cancel";
  scope: TaskScope;
  /** Why, as the attempt's summary says it; default "cancelled by @sender". */
  why?: string;
}

export const cancelVerb = defineVerb<CancelCommand>({
  name: "cancel",
  aliases: [],
  usage: "/orch cancel [TASK | --run]",
  description: "cancel the task's active attempt, or every active attempt of the run",
  examples: ["/orch cancel", "/orch cancel t2", "/orch cancel --run"],
  flags: ["--run"],

  parse(args) {
    const parsed = parseTaskScope("cancel", args);
    return "problem" in parsed ? parsed : { verb: "cancel", scope: parsed.scope };
  },

  button: {
    action: { label: "Cancel", description: "Stop this attempt's agent", identifier: "cancel" },
    appliesTo: (attempt) => isActive(attempt.state),
    toCommand: ({ context }) => ({ verb: "cancel", scope: { kind: "attempt", attemptId: context.attempt.id } }),
  },

  async run(deps, request, command) {
    const why = command.why ?? `cancelled by @${request.request.sender}`;
    const { scope } = command;
    switch (scope.kind) {
      case "active":
        return cancelActiveRuns(deps, request, { why });
      case "run": {
        const resolved = await resolveRun(deps, request);
        if (resolved.kind === "refused") return refused(resolved.refusal);
        return cancelRun(deps, request, { thread: resolved.thread, run: resolved.run, why });
      }
      case "attempt": {
        const context = await deps.store.findAttemptContext(scope.attemptId);
        if (!context) return refused({ kind: "no_run" });
        return cancelOne(deps, request, { context, why });
      }
      case "task": {
        const resolved = await resolveTask(deps, request, { taskKey: scope.task, verb: "cancel" });
        if (resolved.kind === "refused") return refused(resolved.refusal);
        const { thread, run, task } = resolved;
        // A council runs its attempts side by side: the task's cancel stops them all.
        if (task.mode === "council") {
          const count = await cancelActiveOf(deps, request, { thread, run, tasks: [task], why });
          if (count === 0) return refused({ kind: "nothing_to_cancel", task: task.key, latest: task.attempts.at(-1) && labelOf(task.attempts.at(-1)!) });
          return done({ kind: "cancelled_run", runId: run.id, count });
        }
        const latest = task.attempts.at(-1);
        if (!latest) return refused({ kind: "nothing_to_cancel", task: task.key, latest: undefined });
        return cancelOne(deps, request, { context: { thread, run, task, attempt: latest }, why });
      }
    }
  },
});

async function cancelOne(deps: VerbDeps, { request }: VerbRequest, params: { context: AttemptContext; why: string }): Promise<CommandOutcome> {
  const { context, why } = params;
  const { task, attempt, thread } = context;
  if (!isActive(attempt.state)) return refused({ kind: "nothing_to_cancel", task: task.key, latest: labelOf(attempt) });
  const result = await deps.attempts.cancel(context, { by: request.sender, why });
  deps.attempts.refreshStatus(thread.id);
  if (result === "already_ended") return refused({ kind: "just_ended", task: task.key });
  return done({ kind: "cancelled_attempt", task: task.key, number: attempt.number, agent: attempt.agent });
}

/** Every active attempt of a run. */
async function cancelRun(
  deps: VerbDeps,
  verbRequest: VerbRequest,
  params: { thread: ThreadRecord; run: RunView; why: string },
): Promise<CommandOutcome> {
  const { thread, run, why } = params;
  const count = await cancelActiveOf(deps, verbRequest, { thread, run, tasks: run.tasks, why });
  if (count === 0) return refused({ kind: "nothing_active", runId: run.id });
  return done({ kind: "cancelled_run", runId: run.id, count });
}

/** Every active run of the thread (the cancel label, and closing it). */
export async function cancelActiveRuns(deps: VerbDeps, verbRequest: VerbRequest, params: { why: string }): Promise<CommandOutcome> {
  const { request } = verbRequest;
  const thread = await deps.store.findThread({ owner: request.owner, repo: request.repo, number: request.thread.number });
  const runs = thread ? await deps.store.findActiveRuns(thread.id) : [];
  if (!thread || runs.length === 0) return refused({ kind: "nothing_active", runId: undefined });
  const notices: Notice[] = [];
  for (const run of runs) {
    const outcome = await cancelRun(deps, verbRequest, { thread, run, why: params.why });
    if (outcome.kind === "done") notices.push(outcome.notice);
  }
  return done({ kind: "cancelled_runs", notices });
}

async function cancelActiveOf(
  deps: VerbDeps,
  { request }: VerbRequest,
  params: { thread: ThreadRecord; run: RunView; tasks: TaskView[]; why: string },
): Promise<number> {
  const { thread, run, tasks, why } = params;
  let count = 0;
  for (const task of tasks) {
    // Every active attempt: one per task, or a council's several.
    for (const attempt of task.attempts.filter((a) => isActive(a.state))) {
      const result = await deps.attempts.cancel({ thread, run, task, attempt }, { by: request.sender, why });
      if (result !== "already_ended") count += 1;
    }
  }
  deps.attempts.refreshStatus(thread.id);
  return count;
}
