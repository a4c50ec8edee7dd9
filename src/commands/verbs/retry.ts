/** `/orch retry [TASK] [-- FEEDBACK]`: a new attempt with the same agent, for an ended, unsuccessful task. */
import { RETRYABLE_STATES } from "../../store/transitions.js";
import { isValidTaskKey } from "../grammar/names.js";
import { badTaskKey, tooManyWords } from "../grammar/shared.js";
import { labelOf, refused } from "../outcome.js";
import { resolveTask } from "../resolve-task.js";
import { defineVerb } from "../verb.js";
import { queueNextAttempt, staleButton } from "./next-attempt.js";

export interface RetryCommand {
  verb: "retry";
  task?: string;
  feedback?: string;
  /** Set by a button: the attempt whose check run it was on. */
  fromAttempt?: number;
}

export const retryVerb = defineVerb<RetryCommand>({
  name: "retry",
  aliases: [],
  usage: "/orch retry [TASK] [-- FEEDBACK]",
  description: "new attempt, same agent, for a failed, blocked, timed-out, lost or cancelled task",
  examples: ["/orch retry", "/orch retry t2 -- the tests still fail on Windows"],
  flags: [],
  text: "feedback",
  needsOpenThread: true,

  parse(args, text) {
    const [task, ...extra] = args.positionals;
    const feedback = text === undefined ? {} : { feedback: text };
    if (task === undefined) return { verb: "retry", ...feedback };
    if (!isValidTaskKey(task)) return badTaskKey(task, extra.length > 0 ? "Put feedback after `--`." : "");
    if (extra.length > 0) return tooManyWords("`retry` takes at most one TASK", args, "Retry one task per line, and put feedback after `--`.");
    return { verb: "retry", task: task.toLowerCase(), ...feedback };
  },

  button: {
    action: { label: "Retry", description: "New attempt with the same agent", identifier: "retry" },
    appliesTo: (attempt) => RETRYABLE_STATES.includes(attempt.state),
    toCommand: ({ context }) => ({ verb: "retry", task: context.task.key, fromAttempt: context.attempt.number }),
  },

  async run(deps, request, command) {
    const resolved = await resolveTask(deps, request, { taskKey: command.task, verb: "retry" });
    if (resolved.kind === "refused") return refused(resolved.refusal);
    const { thread, task } = resolved;
    const stale = staleButton({ verb: "retry", task, pressed: command.fromAttempt });
    if (stale) return refused(stale);
    return queueNextAttempt(deps, request, {
      thread,
      task,
      ...(command.feedback === undefined ? {} : { feedback: command.feedback }),
      allowedFrom: RETRYABLE_STATES,
      refusalFor: (latest) => ({ kind: "not_retryable", task: task.key, latest: labelOf(latest) }),
    });
  },
});
