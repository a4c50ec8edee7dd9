/**
 * The environment an agent gets: rebuilt from scratch, never orch's own.
 */
import { isSecretName, ORCH_SECRET_NAMES } from "./secret-names.js";

export const BASIC_ENV_NAMES = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "TERM",
] as const;


/**
 * Builds the agent's environment from scratch: the basics a CLI needs (when
 * present in source), settings that keep CLIs non-interactive and colourless,
 * the names the agent entry lists, then `extra` (orch's own ORCH_* variables),
 * which wins (it sets HOME and TMPDIR for a sandboxed agent). Nothing else from orch's environment is copied, and credential
 * names (secret-names.ts) are dropped even when listed.
 *
 * `extra` is set by orch's code, not copied from its environment, so it may set
 * GIT_CONFIG_* for the agent; a credential name in it is a bug and throws.
 */
export function buildAgentEnv(params: {
  source: NodeJS.ProcessEnv;
  passThrough: readonly string[];
  extra: Record<string, string>;
}): Record<string, string> {
  const { source, passThrough, extra } = params;
  const env: Record<string, string> = {};
  const copy = (name: string) => {
    const value = source[name];
    if (value !== undefined && !isSecretName(name)) env[name] = value;
  };

  for (const name of BASIC_ENV_NAMES) copy(name);
  env.TERM ??= "dumb";
  env.NO_COLOR = "1";
  env.CI = "1";
  env.GIT_TERMINAL_PROMPT = "0";
  for (const name of passThrough) copy(name);

  for (const [name, value] of Object.entries(extra)) {
    if (ORCH_SECRET_NAMES.has(name.toUpperCase())) {
      throw new Error(`buildAgentEnv: refusing to give the agent ${name}`);
    }
    env[name] = value;
  }
  return env;
}
