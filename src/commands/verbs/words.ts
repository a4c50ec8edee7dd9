/** Small facts verbs put into their outcomes. */
import type { ServerConfig } from "../../config/server-config.js";
import type { AgentListing } from "../outcome.js";
import type { ThreadRequest } from "../request.js";

export function agentListing(config: Pick<ServerConfig, "agents" | "defaultAgent">): AgentListing {
  return { names: Object.keys(config.agents), defaultAgent: config.defaultAgent };
}

export function threadNoun(request: Pick<ThreadRequest, "thread">): "issue" | "pull request" {
  return request.thread.kind === "issue" ? "issue" : "pull request";
}
