/**
 * `/orch council [AGENT...] [--n N] [-- INSTRUCTIONS]`: one task, several
 * attempts at once (one per AGENT, or N of one agent), within the
 * concurrency limits. None opens a PR: once they have all ended the status
 * comment compares them, and `/orch pick aN` (or the Pick button) opens the
 * chosen one's PR and supersedes the others. With the server's
 * `council.judge`, a judge agent ranks them first (pipeline/judge-council.ts),
 * and with the repository's `council.auto_pick` orch picks its top-ranked one.
 */
import { buildTaskPrompt } from "../../pipeline/prompt.js";
import { buildBranchName } from "../../workspace/branch-name.js";
import { isValidAgentName } from "../grammar/names.js";
import { badAgentName } from "../grammar/shared.js";
import { refused, silent } from "../outcome.js";
import { defineVerb } from "../verb.js";
import { prepareRun, runCaps } from "./new-run.js";
import { agentListing } from "./words.js";

/** Attempts one council may run: two to compare, five at most. */
export const COUNCIL_MIN = 2;
export const COUNCIL_MAX = 5;

export interface CouncilCommand {
  verb: "council";
  /** Named agents, in order; with `n`, at most one (the default agent when none). */
  agents: string[];
  n?: number;
  instructions?: string;
}

export const councilVerb = defineVerb<CouncilCommand>({
  name: "council",
  aliases: [],
  usage: "/orch council [AGENT...] [--n N] [-- INSTRUCTIONS]",
  description: "one task, several attempts at once (one per AGENT, or N of one agent), compared, then picked",
  examples: ["/orch council claude codex gemini", "/orch council claude --n 3 -- make the flaky test deterministic"],
  flags: ["--n"],
  text: "instructions",
  needsOpenThread: true,

  parse(args, text) {
    const instructions = text === undefined ? {} : { instructions: text };
    const hasN = args.flags.includes("--n");
    const numbers = args.positionals.filter((word) => /^[0-9]+$/.test(word));
    const names = args.positionals.filter((word) => !/^[0-9]+$/.test(word));
    const bad = names.find((name) => !isValidAgentName(name));
    if (bad !== undefined) return badAgentName(bad);
    const agents = names.map((name) => name.toLowerCase());
    if (hasN) {
      if (numbers.length !== 1) return { problem: `\`--n\` takes one number of attempts, ${COUNCIL_MIN} to ${COUNCIL_MAX}, like \`/orch council claude --n 3\`.` };
      const n = Number(numbers[0]);
      if (n < COUNCIL_MIN || n > COUNCIL_MAX) return { problem: `\`--n ${numbers[0]}\`: a council runs ${COUNCIL_MIN} to ${COUNCIL_MAX} attempts.` };
      if (agents.length > 1) return { problem: "`--n` runs N attempts of one agent; name one agent with it, or name several agents without it." };
      return { verb: "council", agents, n, ...instructions };
    }
    if (numbers.length > 0) return { problem: `\`${numbers[0]}\` is not an agent; for N attempts of one agent write \`--n ${numbers[0]}\`.` };
    if (agents.length < COUNCIL_MIN) {
      return { problem: `a council compares ${COUNCIL_MIN} or more attempts: name two agents or more (\`/orch council claude codex\`), or one with \`--n 3\`.` };
    }
    if (agents.length > COUNCIL_MAX) return { problem: `a council runs at most ${COUNCIL_MAX} attempts; you named ${agents.length} agents.` };
    return { verb: "council", agents, ...instructions };
  },

  async run(deps, verbRequest, command) {
    const { store, config, attempts } = deps;
    const { request, repoConfig } = verbRequest;
    const defaultAgent = repoConfig.defaultAgent ?? config.defaultAgent;
    const agents = command.n !== undefined ? Array.from({ length: command.n }, () => command.agents[0] ?? defaultAgent) : command.agents;
    const unknown = agents.find((agent) => !config.agents[agent]);
    if (unknown !== undefined) return refused({ kind: "unknown_agent", agent: unknown, agents: agentListing(config) });
    const caps = runCaps(config, repoConfig);
    const { maxAttemptsPerTask } = caps;
    if (agents.length > maxAttemptsPerTask) return refused({ kind: "council_too_big", size: agents.length, limit: maxAttemptsPerTask });
    const { thread, head } = await prepareRun(deps, verbRequest, caps);
    const instructions = [
      command.instructions,
      `Other agents work on this same task at the same time, each in its own checkout; a maintainer compares the results and picks one.`,
    ]
      .filter(Boolean)
      .join("\n\n");
    const prompt = buildTaskPrompt({ thread: { ...request.thread, owner: request.owner, repo: request.repo }, requestedBy: request.sender, instructions });
    const branch = (attemptNumber: number) => buildBranchName({ threadNumber: thread.number, taskKey: "t1", attemptNumber });
    await store.createRun({
      ...head,
      verify: repoConfig.verify && { ...repoConfig.verify, maxAutoRetries: 0 },
      tasks: [
        {
          key: "t1",
          mode: "council",
          prompt,
          agent: agents[0]!,
          branch: branch(1),
          council: agents.map((agent, index) => ({ agent, branch: branch(index + 1) })),
          // As at dispatch, like verify: the judge ranks them once they have all ended, and with auto_pick orch picks its first.
          ...(config.council.judge === undefined ? {} : { judge: config.council.judge }),
          autoPick: repoConfig.council.autoPick,
        },
      ],
    });
    attempts.wake();
    attempts.refreshStatus(thread.id);
    return silent;
  },
});
