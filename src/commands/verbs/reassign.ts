/** `/orch reassign [TASK] AGENT [-- FEEDBACK]`: a new attempt with another agent, for a failed or blocked task. */
import { REASSIGNABLE_STATES } from "../../store/transitions.js";
import { isValidAgentName, isValidTaskKey } from "../grammar/names.js";
import { badAgentName, badTaskKey, tooManyWords } from "../grammar/shared.js";
import { labelOf, refused } from "../outcome.js";
import { resolveTask } from "../resolve-task.js";
import { defineVerb } from "../verb.js";
import { queueNextAttempt, staleButton } from "./next-attempt.js";
import { agentListing } from "./words.js";

export interface ReassignCommand {
  verb: "reassign";
  task?: string;
  agent: string;
  feedback?: string;
  /** Set by a button: the attempt whose check run it was on. */
  fromAttempt?: number;
}

export const reassignVerb = defineVerb<ReassignCommand>({
  name: "reassign",
  aliases: [],
  usage: "/orch reassign [TASK] AGENT [-- FEEDBACK]",
  description: "new attempt with another agent, for a failed or blocked task",
  examples: ["/orch reassign claude", "/orch reassign t2 gemini -- start from the failing test"],
  flags: [],
  text: "feedback",
  needsOpenThread: true,

  parse(args, text) {
    const feedback = text === undefined ? {} : { feedback: text };
    const [first, second, ...extra] = args.positionals;
    if (first === undefined) return { problem: "`reassign` needs an AGENT to hand the task to." };
    if (second === undefined) {
      if (isValidTaskKey(first)) {
        return {
          problem:
            `\`reassign\` needs an AGENT: \`${first}\` is a task key. ` +
            `Name the agent after it, e.g. \`/orch reassign ${first.toLowerCase()} claude\`.`,
        };
      }
      if (!isValidAgentName(first)) return badAgentName(first);
      return { verb: "reassign", agent: first.toLowerCase(), ...feedback };
    }
    if (!isValidTaskKey(first)) return badTaskKey(first, extra.length > 0 ? "Put feedback after `--`." : "");
    if (!isValidAgentName(second)) return badAgentName(second);
    if (extra.length > 0) return tooManyWords("`reassign` takes at most a TASK and an AGENT", args, "Put feedback after `--`.");
    return { verb: "reassign", task: first.toLowerCase(), agent: second.toLowerCase(), ...feedback };
  },

  button: {
    action: { label: "Reassign", description: "New attempt with another agent", identifier: "reassign" },
    appliesTo: (attempt, { agentCount }) => agentCount > 1 && REASSIGNABLE_STATES.includes(attempt.state),
    toCommand: ({ context, defaultAgent, agentNames }) => {
      // The repository's default agent, or when the task already used it, the first other agent by name.
      const current = context.attempt.agent;
      const agent = defaultAgent !== current ? defaultAgent : [...agentNames].sort().find((name) => name !== current);
      return agent === undefined ? undefined : { verb: "reassign", task: context.task.key, agent, fromAttempt: context.attempt.number };
    },
  },

  async run(deps, request, command) {
    const { config } = deps;
    if (!config.agents[command.agent]) return refused({ kind: "unknown_agent", agent: command.agent, agents: agentListing(config) });
    const resolved = await resolveTask(deps, request, { taskKey: command.task, verb: "reassign" });
    if (resolved.kind === "refused") return refused(resolved.refusal);
    const { thread, task } = resolved;
    const stale = staleButton({ verb: "reassign", task, pressed: command.fromAttempt });
    if (stale) return refused(stale);
    const latest = task.attempts.at(-1);
    if (latest && latest.agent === command.agent && REASSIGNABLE_STATES.includes(latest.state)) {
      return refused({ kind: "same_agent", task: task.key, agent: command.agent, agents: agentListing(config) });
    }
    return queueNextAttempt(deps, request, {
      thread,
      task,
      agent: command.agent,
      ...(command.feedback === undefined ? {} : { feedback: command.feedback }),
      allowedFrom: REASSIGNABLE_STATES,
      refusalFor: (previous) => ({ kind: "not_reassignable", task: task.key, latest: labelOf(previous) }),
    });
  },
});
