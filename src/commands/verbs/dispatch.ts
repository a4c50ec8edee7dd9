/**
 * `/orch dispatch [AGENT] [-- INSTRUCTIONS]`: a run with task t1 and its first
 * attempt, queued; or, when the instructions hold a task list (and the
 * repository's `task_lists` is on), one task per item, those that wait for
 * others pending until they succeeded.
 */
import { buildTaskPrompt } from "../../pipeline/prompt.js";
import { buildBranchName } from "../../workspace/branch-name.js";
import { isValidAgentName } from "../grammar/names.js";
import { parseTaskList, type TaskListItem } from "../grammar/task-list.js";
import { badAgentName, tooManyWords } from "../grammar/shared.js";
import { refused, silent } from "../outcome.js";
import { defineVerb } from "../verb.js";
import { prepareRun } from "./new-run.js";
import { agentListing } from "./words.js";

export interface DispatchCommand {
  verb: "dispatch";
  agent?: string;
  instructions?: string;
}

export const dispatchVerb = defineVerb<DispatchCommand>({
  name: "dispatch",
  aliases: ["run"],
  usage: "/orch dispatch [AGENT] [-- INSTRUCTIONS]",
  description: "start a run on this thread",
  examples: ["/orch dispatch", "/orch dispatch claude", "/orch dispatch codex -- fix the flaky login test; keep the public API unchanged"],
  flags: [],
  text: "instructions",
  needsOpenThread: true,

  parse(args, text) {
    const [agent, ...extra] = args.positionals;
    const instructions = text === undefined ? {} : { instructions: text };
    if (agent === undefined) return { verb: "dispatch", ...instructions };
    if (!isValidAgentName(agent)) return badAgentName(agent);
    if (extra.length > 0) return tooManyWords("`dispatch` takes at most one AGENT", args, "Put instructions after `--`.");
    return { verb: "dispatch", agent: agent.toLowerCase(), ...instructions };
  },

  async run(deps, verbRequest, command) {
    const { store, config, attempts } = deps;
    const { request, repoConfig } = verbRequest;
    const agent = command.agent ?? repoConfig.defaultAgent ?? config.defaultAgent;
    if (!config.agents[agent]) return refused({ kind: "unknown_agent", agent, agents: agentListing(config) });
    const list = command.instructions !== undefined && repoConfig.taskLists ? parseTaskList(command.instructions) : { kind: "none" as const };
    if (list.kind === "invalid") return refused({ kind: "bad_task_list", problem: list.problem });
    const promptFor = (instructions: string | undefined) =>
      buildTaskPrompt({ thread: { ...request.thread, owner: request.owner, repo: request.repo }, requestedBy: request.sender, instructions });
    const items: TaskListItem[] = list.kind === "list" ? list.items : [{ key: "t1", text: "", after: [] }];
    // Caps and verify as the default branch says now, within the server's ceiling: a later change of the file does not move this run.
    const { thread, head } = await prepareRun(deps, verbRequest);
    await store.createRun({
      ...head,
      verify: repoConfig.verify && { ...repoConfig.verify, maxAutoRetries: Math.min(repoConfig.verify.maxAutoRetries, config.limits.maxAutoRetries) },
      tasks: items.map((item) => ({
        key: item.key,
        prompt: promptFor(list.kind === "list" ? taskInstructions(list.context, list.items, item) : command.instructions),
        agent,
        branch: buildBranchName({ threadNumber: thread.number, taskKey: item.key, attemptNumber: 1 }),
        after: item.after,
      })),
    });
    attempts.wake();
    attempts.refreshStatus(thread.id);
    return silent;
  },
});

/** One task's instructions in a list: the shared context, its own item, and the whole plan so it does only its part. */
function taskInstructions(context: string, items: readonly TaskListItem[], item: TaskListItem): string {
  const plan = items.map((other) => `- ${other.key}: ${other.text}${other.after.length ? ` (after ${other.after.join(", ")})` : ""}`);
  return [
    ...(context ? [context, ""] : []),
    `This run has ${items.length === 1 ? "one task" : `${items.length} tasks`}; yours is ${item.key}: ${item.text}`,
    ...(item.after.length ? [`Your checkout starts from the work of ${item.after.join(" and ")}, already committed on it.`] : []),
    "Do only your task; the others are done separately. The whole list:",
    ...plan,
  ].join("\n");
}


