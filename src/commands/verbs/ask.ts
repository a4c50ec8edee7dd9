/**
 * `/orch ask [AGENT] -- QUESTION`: a run with one task that changes nothing.
 * The agent gets the checkout read-only in its sandbox; no branch is pushed
 * and no PR opened; its answer (the result file's summary, or the end of its
 * output) is posted as a reply. An answer is a success, never "no changes".
 */
import { buildQuestionPrompt } from "../../pipeline/prompt.js";
import { buildBranchName } from "../../workspace/branch-name.js";
import { isValidAgentName } from "../grammar/names.js";
import { badAgentName, tooManyWords } from "../grammar/shared.js";
import { refused, silent } from "../outcome.js";
import { defineVerb } from "../verb.js";
import { prepareRun } from "./new-run.js";
import { agentListing } from "./words.js";

export interface AskCommand {
  verb: "ask";
  agent?: string;
  question: string;
}

export const askVerb = defineVerb<AskCommand>({
  name: "ask",
  aliases: [],
  usage: "/orch ask [AGENT] -- QUESTION",
  description: "a task that changes nothing: the agent reads a read-only checkout, its answer is the reply",
  examples: ["/orch ask -- where is the retry limit of the HTTP client set?", "/orch ask claude -- why does the login test time out on CI?"],
  flags: [],
  text: "question",
  needsOpenThread: true,

  parse(args, text) {
    const [agent, ...extra] = args.positionals;
    if (agent !== undefined && !isValidAgentName(agent)) return badAgentName(agent);
    if (extra.length > 0) return tooManyWords("`ask` takes at most one AGENT", args, "Put the question after `--`.");
    if (text === undefined || text.trim() === "") {
      return { problem: "`ask` needs a question after `--`, like `/orch ask -- where is the retry limit set?`." };
    }
    return { verb: "ask", ...(agent === undefined ? {} : { agent: agent.toLowerCase() }), question: text };
  },

  async run(deps, verbRequest, command) {
    const { store, config, attempts } = deps;
    const { request, repoConfig } = verbRequest;
    const agent = command.agent ?? repoConfig.defaultAgent ?? config.defaultAgent;
    if (!config.agents[agent]) return refused({ kind: "unknown_agent", agent, agents: agentListing(config) });
    const { thread, head } = await prepareRun(deps, verbRequest);
    const prompt = buildQuestionPrompt({
      thread: { ...request.thread, owner: request.owner, repo: request.repo },
      requestedBy: request.sender,
      question: command.question,
    });
    await store.createRun({
      ...head,
      // The branch name is the worktree's inside orch's cache; a question never pushes it.
      tasks: [{ key: "t1", mode: "ask", prompt, agent, branch: buildBranchName({ threadNumber: thread.number, taskKey: "t1", attemptNumber: 1 }) }],
    });
    attempts.wake();
    attempts.refreshStatus(thread.id);
    return silent;
  },
});
