/**
 * orch's own environment variables (Probot reads its own), with defaults
 * that make `npm start` work on a fresh clone: SQLite under ./data, ORCH_HOME
 * ./.orch, and the example agent registry when no config file is there yet.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Settings {
  databaseUrl: string;
  /** ORCH_HOME, absolute. */
  home: string;
  configPath: string;
  /** True when ORCH_CONFIG is unset and ./orch.config.yml is missing, so the shipped example is used. */
  isExampleConfig: boolean;
  gitBaseUrl: string;
  host: string;
}

export function readSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): Settings {
  const explicitConfig = env.ORCH_CONFIG;
  const defaultConfig = path.resolve(cwd, "orch.config.yml");
  const isExampleConfig = !explicitConfig && !fs.existsSync(defaultConfig);
  const gheHost = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : undefined;
  return {
    databaseUrl: env.DATABASE_URL || "file:./data/orch.db",
    home: path.resolve(cwd, env.ORCH_HOME || "./.orch"),
    configPath: explicitConfig
      ? path.resolve(cwd, explicitConfig)
      : isExampleConfig
        ? path.resolve(cwd, "orch.config.example.yml")
        : defaultConfig,
    isExampleConfig,
    gitBaseUrl: (env.ORCH_GIT_BASE_URL || gheHost || "https://github.com").replace(/\/+$/, ""),
    host: env.ORCH_HOST_ID || os.hostname(),
  };
}
