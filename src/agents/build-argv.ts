import type { AgentSpec } from "../config/server-config.js";

/** The placeholder an agent's argv uses for the prompt text. */
export const PROMPT_PLACEHOLDER = "{prompt}";

/**
 * Builds the argv to spawn for one attempt: a copy of `spec.command` in which
 * every `{prompt}` inside every element is replaced by `prompt`.
 *
 * The replacement is literal and happens once. The result goes to spawn without
 * a shell, so `$VAR`, `~`, globs, quotes, `;`, backticks and newlines in the
 * prompt stay exactly as written, and an element that held `{prompt}` stays one
 * element however hostile the prompt is. A `{prompt}` that appears inside the
 * prompt itself is text, not a placeholder: it is never expanded again. Elements
 * without the placeholder are copied unchanged; an argv without it at all is
 * fine (the agent then reads the prompt from ORCH_PROMPT_FILE).
 */
export function buildAgentArgv(spec: Pick<AgentSpec, "command">, prompt: string): string[] {
  // split/join rather than String.replace: replace() gives `$&`, `$1` and `$$`
  // in the replacement a meaning, and a prompt is free to contain them.
  return spec.command.map((arg) => arg.split(PROMPT_PLACEHOLDER).join(prompt));
}
