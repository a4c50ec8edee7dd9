import type { AgentSpec } from "../config/server-config.js";

/** The placeholder an agent's argv uses for the prompt text. */
export const PROMPT_PLACEHOLDER = "{prompt}";

/**
 * What the placeholders of an agent's argv stand for. Paths are as the agent
 * sees them (inside its sandbox): a CLI with a sandbox of its own needs to be
 * told it may write the result file (`--add-dir {attempt_dir}`).
 */
export interface ArgvValues {
  /** `{prompt}`: the prompt text. */
  prompt: string;
  /** `{attempt_dir}`: the attempt's own folder, which holds the prompt file (read-only) and the result file. */
  attemptDir?: string;
  /** `{result_file}`: where the agent may write its result. */
  resultFile?: string;
}

const PLACEHOLDERS = /\{(prompt|attempt_dir|result_file)\}/g;

/**
 * Builds the argv to spawn for one attempt: a copy of `spec.command` in which
 * every `{prompt}`, `{attempt_dir}` and `{result_file}` inside every element
 * is replaced by its value (a placeholder without a value stays as written).
 *
 * The replacement is literal and happens in one pass over the registry's
 * text. The result goes to spawn without a shell, so `$VAR`, `~`, globs,
 * quotes, `;`, backticks and newlines in the prompt stay exactly as written,
 * and an element that held `{prompt}` stays one element however hostile the
 * prompt is. A placeholder that appears inside the prompt itself is text, not
 * a placeholder: it is never expanded. Elements without placeholders are
 * copied unchanged; an argv without `{prompt}` at all is fine (the agent then
 * reads the prompt from ORCH_PROMPT_FILE).
 */
export function buildAgentArgv(spec: Pick<AgentSpec, "command">, values: ArgvValues): string[] {
  const byName: Record<string, string | undefined> = {
    prompt: values.prompt,
    attempt_dir: values.attemptDir,
    result_file: values.resultFile,
  };
  // A replacer function, not a replacement string: a string would give `$&`,
  // `$1` and `$$` in the prompt a meaning.
  return spec.command.map((arg) => arg.replace(PLACEHOLDERS, (whole, name: string) => byName[name] ?? whole));
}
