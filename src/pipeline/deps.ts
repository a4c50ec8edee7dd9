import type { Logger } from "pino";
import type { ServerConfig } from "../config/server-config.js";
import type { Store } from "../store/store.js";
import type { RepoCache } from "../workspace/repo-cache.js";
import type { GitHubFactory } from "./ports.js";
import type { StatusReporter } from "./status-reporter.js";

/** What the dispatch pipeline works with; app.ts builds the real ones. */
export interface PipelineDeps {
  store: Store;
  config: ServerConfig;
  cache: RepoCache;
  github: GitHubFactory;
  status: StatusReporter;
  /** ORCH_HOME, absolute: attempt folders (prompt, result file, log) live in <home>/attempts/<id>. */
  home: string;
  /** orch's own environment: the source the agent's reduced environment is picked from. */
  env: NodeJS.ProcessEnv;
  log: Logger;
}
