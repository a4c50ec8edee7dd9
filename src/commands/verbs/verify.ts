/**
 * `/orch verify [TASK]`: runs the repository's verify command (as the run
 * keeps it from its dispatch) again on the task's latest attempt, in its
 * worktree, on the host that holds it. The result shows in the attempt's
 * check run and the status comment; the reply says it started.
 */
import { isActive } from "../../store/transitions.js";
import { isValidTaskKey } from "../grammar/names.js";
import { badTaskKey, tooManyWords } from "../grammar/shared.js";
import { done, refused } from "../outcome.js";
import { resolveTask } from "../resolve-task.js";
import { defineVerb } from "../verb.js";

export interface VerifyCommand {
  verb: "verify";
  task?: string;
}

export const verifyVerb = defineVerb<VerifyCommand>({
  name: "verify",
  aliases: [],
  usage: "/orch verify [TASK]",
  description: "run the repository's verify command again on the task's latest attempt",
  examples: ["/orch verify", "/orch verify t2"],
  flags: [],

  parse(args) {
    const [task, ...extra] = args.positionals;
    if (task === undefined) return { verb: "verify" };
    if (!isValidTaskKey(task)) return badTaskKey(task);
    if (extra.length > 0) return tooManyWords("`verify` takes at most one TASK", args, "Verify one task per line.");
    return { verb: "verify", task: task.toLowerCase() };
  },

  async run(deps, request, command) {
    const resolved = await resolveTask(deps, request, { taskKey: command.task, verb: "verify" });
    if (resolved.kind === "refused") return refused(resolved.refusal);
    const { thread, run, task } = resolved;
    if (!run.verify) return refused({ kind: "no_verify", runId: run.id });
    const attempt = task.attempts.at(-1);
    if (!attempt) return refused({ kind: "no_attempt", task: task.key, waitsFor: task.after });
    if (isActive(attempt.state) || attempt.workspaceState !== "allocated" || !attempt.worktreePath) {
      return refused({ kind: "cannot_verify", task: task.key, number: attempt.number, why: isActive(attempt.state) ? "active" : "no_worktree" });
    }
    const started = await deps.attempts.verify({ thread, run, task, attempt });
    return done({ kind: "verifying", task: task.key, number: attempt.number, ...(started === "requested" && attempt.host ? { host: attempt.host } : {}) });
  },
});
