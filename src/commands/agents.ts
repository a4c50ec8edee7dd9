import type { ServerConfig } from "../config/server-config.js";

/** "`claude`, `codex` (default)": the server's agents, for replies. */
export function listAgents(config: Pick<ServerConfig, "agents" | "defaultAgent">): string {
  return Object.keys(config.agents)
    .sort()
    .map((name) => `\`${name}\`${name === config.defaultAgent ? " (default)" : ""}`)
    .join(", ");
}

/**
 * The agent a Reassign button hands a task to: the default agent, or when
 * the task already used it, the first other agent by name. Undefined when the
 * server has a single agent.
 */
export function pickReassignAgent(config: Pick<ServerConfig, "agents" | "defaultAgent">, current: string): string | undefined {
  if (config.defaultAgent !== current) return config.defaultAgent;
  return Object.keys(config.agents)
    .sort()
    .find((name) => name !== current);
}
