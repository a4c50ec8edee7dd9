/**
 * Which run and task a command means: the thread's latest run (or the run of
 * the button's check run), and the task it names or its only task.
 */
import type { RunView, TaskView, ThreadRecord } from "../store/records.js";
import type { Refusal } from "./outcome.js";
import type { VerbDeps, VerbRequest } from "./verb.js";

export type ResolvedRun = { kind: "found"; thread: ThreadRecord; run: RunView } | { kind: "refused"; refusal: Refusal };
export type ResolvedTask = { kind: "found"; thread: ThreadRecord; run: RunView; task: TaskView } | { kind: "refused"; refusal: Refusal };

export async function resolveRun(deps: Pick<VerbDeps, "store">, { request }: Pick<VerbRequest, "request">): Promise<ResolvedRun> {
  const { owner, repo, thread, runId } = request;
  const record = await deps.store.findThread({ owner, repo, number: thread.number });
  const run = record ? await deps.store.findRun({ threadId: record.id, runId }) : undefined;
  if (!record || !run) return { kind: "refused", refusal: { kind: "no_run" } };
  return { kind: "found", thread: record, run };
}

/** The task `taskKey` names in the run, or without one the run's only task; else a refusal that lists them. */
export async function resolveTask(
  deps: Pick<VerbDeps, "store">,
  request: Pick<VerbRequest, "request">,
  params: { taskKey: string | undefined; verb: string },
): Promise<ResolvedTask> {
  const resolved = await resolveRun(deps, request);
  if (resolved.kind === "refused") return resolved;
  const { run, thread } = resolved;
  const keys = run.tasks.map((task) => task.key);
  if (params.taskKey === undefined) {
    if (run.tasks.length === 1) return { kind: "found", thread, run, task: run.tasks[0]! };
    return { kind: "refused", refusal: { kind: "several_tasks", runId: run.id, keys, verb: params.verb } };
  }
  const task = run.tasks.find((candidate) => candidate.key === params.taskKey);
  if (!task) return { kind: "refused", refusal: { kind: "unknown_task", runId: run.id, key: params.taskKey, keys } };
  return { kind: "found", thread, run, task };
}
