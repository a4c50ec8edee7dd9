/**
 * Replies to commands: address the user, say what happened (or what was
 * wrong and what would be right), and quote the command in a collapsed block.
 */
import { codeBlock, escapeInline } from "./markdown.js";

/** What help shows of a verb. */
export interface VerbHelp {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly description: string;
  readonly examples: readonly string[];
}

/** An agent of the server, with the operator's one-line description if any. */
export interface AgentHelp {
  name: string;
  description?: string | undefined;
}

export interface ReplySection {
  /** The command line as the user wrote it. */
  line: string;
  /** Markdown: the outcome or the error. */
  message: string;
}

/** One reply for all the commands of one comment (or one button press, or label). */
export function renderReply(params: { user: string; sections: ReplySection[] }): string {
  const { user, sections } = params;
  if (sections.length === 1) {
    const [only] = sections as [ReplySection];
    return `@${user} ${only.message}\n\n${quoteCommand([only.line])}`;
  }
  const body = sections.map((section) => `- ${section.message.replace(/\n/g, "\n  ")}`).join("\n");
  return `@${user}\n\n${body}\n\n${quoteCommand(sections.map((s) => s.line))}`;
}

function quoteCommand(lines: string[]): string {
  const summary = lines.length === 1 ? "Your command" : "Your commands";
  return `<details><summary>${summary}</summary>\n\n${codeBlock(lines.join("\n"))}\n\n</details>`;
}

/** `/orch help`, or the help of one verb, rendered from the verb registry. */
export function renderHelp(params: { verbs: readonly VerbHelp[]; topic?: VerbHelp | undefined; agents: readonly AgentHelp[]; defaultAgent: string }): string {
  const { verbs, topic, agents, defaultAgent } = params;
  const agentLine = renderAgents(agents, defaultAgent);
  if (topic) {
    const aliases = topic.aliases.length ? `\nAlias: ${topic.aliases.map((a) => `\`${a}\``).join(", ")}.` : "";
    return [
      `\`${topic.usage}\`: ${topic.description}.${aliases}`,
      "",
      "Examples:",
      codeBlock(topic.examples.join("\n")),
      agentLine,
    ].join("\n");
  }
  const rows = verbs.map((verb) => `| \`${verb.usage}\` | ${verb.description} |`);
  return [
    "here is what orch understands. Write each command on its own line of a comment on an issue or pull request.",
    "",
    "| command | what it does |",
    "| --- | --- |",
    ...rows,
    "",
    "TASK is a task key like `t1`; it may be left out when the latest run has one task. Text after `--` goes to the agent.",
    agentLine,
  ].join("\n");
}

/** The server's agents: one line when none has a description, else a list with them. */
function renderAgents(agents: readonly AgentHelp[], defaultAgent: string): string {
  const name = (agent: AgentHelp) => `\`${agent.name}\`${agent.name === defaultAgent ? " (default)" : ""}`;
  if (agents.every((agent) => !agent.description)) return `Agents on this server: ${agents.map(name).join(", ")}.`;
  const lines = agents.map((agent) => `- ${name(agent)}${agent.description ? `: ${escapeInline(agent.description)}` : ""}`);
  return ["Agents on this server:", "", ...lines].join("\n");
}
