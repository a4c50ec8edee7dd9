/**
 * `/orch cleanup [TASK | --run]`: removes the worktrees of ended attempts;
 * branches stay. Its button cleans the attempt of its check run only.
 */
import type { AttemptRecord, RunRecord, TaskRecord, TaskView, ThreadRecord } from "../../store/records.js";
import { isActive } from "../../store/transitions.js";
import { parseTaskScope, type TaskScope } from "../grammar/shared.js";
import { done, refused, type CommandOutcome } from "../outcome.js";
import { resolveRun, resolveTask } from "../resolve-task.js";
import { defineVerb, type VerbDeps } from "../verb.js";

export interface CleanupCommand {
  verb: "cleanup";
  scope: TaskScope;
}

export const cleanupVerb = defineVerb<CleanupCommand>({
  name: "cleanup",
  aliases: [],
  usage: "/orch cleanup [TASK | --run]",
  description: "remove the worktrees of finished attempts; branches stay",
  examples: ["/orch cleanup", "/orch cleanup t2", "/orch cleanup --run"],
  flags: ["--run"],

  parse(args) {
    const parsed = parseTaskScope("cleanup", args);
    return "problem" in parsed ? parsed : { verb: "cleanup", scope: parsed.scope };
  },

  button: {
    action: { label: "Clean up", description: "Remove this attempt's worktree", identifier: "cleanup" },
    appliesTo: (attempt) => !isActive(attempt.state) && attempt.workspaceState === "allocated",
    toCommand: ({ context }) => ({ verb: "cleanup", scope: { kind: "attempt", attemptId: context.attempt.id } }),
  },

  async run(deps, request, command) {
    const { scope } = command;
    switch (scope.kind) {
      case "run":
      case "active": {
        const resolved = await resolveRun(deps, request);
        if (resolved.kind === "refused") return refused(resolved.refusal);
        const { thread, run } = resolved;
        return cleanupAttempts(deps, { thread, run, attempts: everyAttempt(run.tasks), scope: `run ${run.id}` });
      }
      case "attempt": {
        const context = await deps.store.findAttemptContext(scope.attemptId);
        if (!context) return refused({ kind: "no_run" });
        const { thread, run, task, attempt } = context;
        return cleanupAttempts(deps, { thread, run, attempts: [{ task, attempt }], scope: `\`${task.key}\` attempt ${attempt.number}` });
      }
      case "task": {
        const resolved = await resolveTask(deps, request, { taskKey: scope.task, verb: "cleanup" });
        if (resolved.kind === "refused") return refused(resolved.refusal);
        const { thread, run, task } = resolved;
        return cleanupAttempts(deps, { thread, run, attempts: everyAttempt([task]), scope: `\`${task.key}\`` });
      }
    }
  },
});

/** Cleans every ended attempt of the given tasks; says what it removed and what it left running. */
export async function cleanupAttempts(
  deps: VerbDeps,
  params: { thread: ThreadRecord; run: RunRecord; attempts: { task: TaskRecord; attempt: AttemptRecord }[]; scope: string },
): Promise<CommandOutcome> {
  const { thread, run, attempts, scope } = params;
  const cleaned: string[] = [];
  const active: string[] = [];
  const requested: string[] = [];
  for (const { task, attempt } of attempts) {
    const result = await deps.attempts.cleanup({ thread, run, task, attempt });
    if (result === "cleaned") cleaned.push(`${task.key} attempt ${attempt.number}`);
    if (result === "active") active.push(`${task.key} attempt ${attempt.number}`);
    if (result === "requested") requested.push(`${task.key} attempt ${attempt.number} (on ${attempt.host})`);
  }
  deps.attempts.refreshStatus(thread.id);
  return done({ kind: "cleaned", cleaned, active, requested, scope });
}

export function everyAttempt(tasks: readonly TaskView[]): { task: TaskRecord; attempt: AttemptRecord }[] {
  return tasks.flatMap((task) => task.attempts.map((attempt) => ({ task, attempt })));
}
