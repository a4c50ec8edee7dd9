/**
 * `/orch pick [TASK/]aN`: keeps attempt N of a council task. Its branch is
 * checked against the head its attempt pushed, its PR opened, and the other
 * attempts become `superseded` (worktrees removed, branches kept). The check
 * run's Pick button sends the same command, bound to its own attempt: a
 * button from before a later attempt started does nothing but say so.
 */
import { isActive } from "../../store/transitions.js";
import { done, refused } from "../outcome.js";
import { resolveTask } from "../resolve-task.js";
import { defineVerb } from "../verb.js";

export interface PickCommand {
  verb: "pick";
  task?: string;
  number: number;
  /** Set by a button: the attempt whose check run it was on. */
  fromAttempt?: number;
}

const ATTEMPT_REF = /^(?:([tT][1-9][0-9]{0,2})\/)?[aA]([1-9][0-9]{0,2})$/;

export const pickVerb = defineVerb<PickCommand>({
  name: "pick",
  aliases: [],
  usage: "/orch pick [TASK/]aN",
  description: "keep attempt N of a council task: its PR is opened, the others become superseded",
  examples: ["/orch pick a2", "/orch pick t1/a3"],
  flags: [],

  parse(args) {
    const [ref, ...extra] = args.positionals;
    const match = ref === undefined ? null : ATTEMPT_REF.exec(ref);
    if (!match) {
      return { problem: `\`pick\` takes the attempt to keep, like \`/orch pick a2\` (or \`t1/a2\`)${ref === undefined ? "" : `; got \`${ref.slice(0, 40)}\``}.` };
    }
    if (extra.length > 0) return { problem: "`pick` keeps one attempt; write `/orch pick a2`." };
    return { verb: "pick", number: Number(match[2]), ...(match[1] ? { task: match[1].toLowerCase() } : {}) };
  },

  button: {
    action: { label: "Pick", description: "Open this attempt's pull request", identifier: "pick" },
    appliesTo: (attempt) => attempt.council && attempt.state === "succeeded" && attempt.pullRequestNumber === null,
    toCommand: ({ context }) => ({ verb: "pick", task: context.task.key, number: context.attempt.number, fromAttempt: context.attempt.number }),
  },

  async run(deps, request, command) {
    const resolved = await resolveTask(deps, request, { taskKey: command.task, verb: "pick" });
    if (resolved.kind === "refused") return refused(resolved.refusal);
    const { thread, run, task } = resolved;
    const cannot = (why: string) => refused({ kind: "cannot_pick", task: task.key, why });
    if (task.mode !== "council") return cannot("it is not a council, so there is nothing to pick; `/orch council` runs several agents on one task.");
    const chosen = task.attempts.find((attempt) => attempt.number === command.number);
    if (!chosen) return cannot(`it has no attempt ${command.number} (its attempts: ${task.attempts.map((a) => `a${a.number}`).join(", ")}).`);
    const picked = task.attempts.find((attempt) => attempt.pullRequestNumber !== null);
    if (picked) return cannot(`attempt ${picked.number} was picked already (#${picked.pullRequestNumber}).`);
    if (command.fromAttempt !== undefined && chosen.endedAt) {
      const later = task.attempts.find((attempt) => attempt.queuedAt > chosen.endedAt!);
      if (later) return cannot(`this Pick button is from before attempt ${later.number} was started, so it was ignored; \`/orch pick a${chosen.number}\` picks it anyway.`);
    }
    const running = task.attempts.filter((attempt) => isActive(attempt.state));
    if (running.length) {
      return cannot(`${running.map((a) => `attempt ${a.number}`).join(", ")} ${running.length === 1 ? "is" : "are"} still going; pick once all have ended, or \`/orch cancel\` ${running.length === 1 ? "it" : "them"} first.`);
    }
    if (chosen.state !== "succeeded" || chosen.headSha === null) {
      return cannot(`attempt ${chosen.number} ended ${chosen.state.replace("_", " ")}; only an attempt that succeeded (and pushed its branch) can be picked.`);
    }
    const result = await deps.attempts.pick({ thread, run, task, attempt: chosen });
    if (result.kind === "refused") return cannot(result.why);
    return done({ kind: "picked", task: task.key, number: chosen.number, agent: chosen.agent, pullRequest: result.pullRequest, superseded: result.superseded });
  },
});
