/**
 * What keeps agents contained, set up once at start: the redactor that knows
 * orch's secrets, and the sandbox settings (bubblewrap found and working,
 * and what every sandbox hides besides ORCH_HOME). A host where sandboxes
 * cannot start refuses to start rather than run agents unsandboxed; an agent
 * entry with `sandbox: none` is the operator's explicit, warned opt-out.
 */
import os from "node:os";
import path from "node:path";
import { ConfigError } from "./config/config-error.js";
import type { ServerConfig } from "./config/server-config.js";
import type { SandboxSettings } from "./pipeline/deps.js";
import { checkSandbox } from "./sandbox/check-sandbox.js";
import { collectKnownSecrets } from "./secrets/collect-known-secrets.js";
import { Redactor } from "./secrets/redactor.js";

export interface Containment {
  sandbox: SandboxSettings;
  redactor: Redactor;
  /** For the operator's terminal: agents that run unsandboxed. */
  warnings: string[];
}

/** The redactor that knows orch's secrets: its own environment's, the database URL's, and those of the agents' keys. */
export function createServerRedactor(params: {
  config: Pick<ServerConfig, "agents">;
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  onScanError?: (error: Error) => void;
}): Redactor {
  const { config, env, databaseUrl } = params;
  return new Redactor({
    known: collectKnownSecrets({ env, agentEnvNames: Object.values(config.agents).flatMap((agent) => agent.env), databaseUrl }),
    ...(params.onScanError ? { onScanError: params.onScanError } : {}),
  });
}

export async function prepareContainment(params: {
  config: ServerConfig;
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  /** orch's working directory (default process.cwd()). */
  cwd?: string;
  onScanError?: (error: Error) => void;
}): Promise<Containment> {
  const { config, env, databaseUrl } = params;
  const cwd = params.cwd ?? process.cwd();
  const agents = Object.values(config.agents);
  const redactor = createServerRedactor({ config, env, databaseUrl, ...(params.onScanError ? { onScanError: params.onScanError } : {}) });
  const unsandboxed = agents.filter((agent) => agent.sandbox === "none").map((agent) => agent.name);
  const warnings = unsandboxed.map(
    (name) =>
      `orch: agent "${name}" runs WITHOUT orch's sandbox (sandbox: none): it can read everything the user orch runs as can, including orch's private key, .env and database, and reach other attempts. Remove "sandbox: none" unless the agent runs in a container of its own.`,
  );
  let bwrap: string | undefined;
  if (agents.some((agent) => agent.sandbox === "bwrap")) {
    const check = await checkSandbox(env.ORCH_BWRAP ? { bwrap: env.ORCH_BWRAP } : {});
    if (!check.ok) throw new ConfigError("sandbox", [`orch cannot sandbox its agents: ${check.problem}`]);
    bwrap = check.bwrap;
  }
  const databaseFile = sqliteFile(databaseUrl, cwd);
  return {
    redactor,
    warnings,
    sandbox: {
      bwrap,
      orchCwd: cwd,
      orchUserHome: env.HOME || os.homedir(),
      ...(databaseFile ? { databaseDir: path.dirname(databaseFile) } : {}),
      ...(env.PRIVATE_KEY_PATH ? { privateKeyFile: path.resolve(cwd, env.PRIVATE_KEY_PATH) } : {}),
    },
  };
}

/** The file of a `file:` SQLite URL, absolute; undefined for PostgreSQL. */
function sqliteFile(databaseUrl: string, cwd: string): string | undefined {
  if (!databaseUrl.startsWith("file:")) return undefined;
  const file = databaseUrl.slice("file:".length).replace(/\?.*$/, "");
  return file === "" || file === ":memory:" ? undefined : path.resolve(cwd, file);
}
