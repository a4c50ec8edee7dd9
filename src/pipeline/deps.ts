import type { Logger } from "pino";
import type { ServerConfig } from "../config/server-config.js";
import type { OrchMetrics } from "../metrics/metrics.js";
import type { Redactor } from "../secrets/redactor.js";
import type { Store } from "../store/store.js";
import type { RepoCache } from "../workspace/repo-cache.js";
import type { AttemptReporter } from "./attempt-reporter.js";
import type { GitHubFactory } from "./ports.js";

/** What every sandbox must hide besides ORCH_HOME, and the bwrap to run; app start-up fills it in. */
export interface SandboxSettings {
  /** Absolute path of bwrap, checked at start; undefined when no agent uses the sandbox. */
  bwrap: string | undefined;
  /** orch's working directory (it holds `.env`). */
  orchCwd: string;
  /** The HOME of the user orch runs as. */
  orchUserHome: string;
  /** The SQLite database's folder (PostgreSQL has none here). */
  databaseDir?: string;
  /** PRIVATE_KEY_PATH, when the key is a file. */
  privateKeyFile?: string;
}

/** What the dispatch pipeline works with; app.ts builds the real ones. */
export interface PipelineDeps {
  store: Store;
  config: ServerConfig;
  cache: RepoCache;
  github: GitHubFactory;
  /** Check runs and status comments. */
  reporter: AttemptReporter;
  /** ORCH_HOME, absolute: attempt folders (prompt, result file, log) live in <home>/attempts/<id>. */
  home: string;
  /** orch's own environment: the source the agent's reduced environment is picked from. */
  env: NodeJS.ProcessEnv;
  sandbox: SandboxSettings;
  /** Everything the pipeline publishes or records from an agent passes it. */
  redactor: Redactor;
  /** Attempt and workspace durations, for /metrics. */
  metrics: Pick<OrchMetrics, "attemptEnded" | "workspaceAllocated">;
  log: Logger;
}
