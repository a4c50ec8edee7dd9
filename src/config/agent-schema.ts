/**
 * One entry of the server config's agent registry, `agents.<name>`, and the
 * rules that keep an agent from running issue text as commands or holding
 * orch's credentials:
 *
 *     codex:
 *       command: [codex, exec, "{prompt}"]   # argv, never a shell; {prompt} is the prompt text
 *       env: [OPENAI_API_KEY]                # passed through; never orch's own secrets
 *       timeout: 30m
 *       idle_timeout: 5m
 *       description: Codex in a sandbox      # one line for /orch help
 *       sandbox: bwrap                       # or none, the operator's warned opt-out
 *       network: true
 *       home: /etc/orch/homes/codex          # copied into each attempt's HOME
 */
import { basename } from "node:path";
import { z } from "zod";
import { isSecretName, ORCH_SECRET_NAMES } from "../agents/secret-names.js";
import { HOUR, SECOND } from "../duration.js";
import { describeValue } from "./config-issues.js";
import { absolutePath, booleanSchema, duration, text } from "./value-schemas.js";

const AGENT_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Shells whose `-c` script would interpret the prompt as commands. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "ash", "busybox"]);

/** Why `name` cannot name an agent, or undefined when it can. Agent names are typed in comments and used in paths. */
export function whyAgentNameIsInvalid(name: string): string | undefined {
  if (AGENT_NAME.test(name)) return undefined;
  return `invalid agent name "${name}": use a lowercase letter followed by up to 31 of a-z, 0-9, "_" or "-"`;
}

/**
 * Why `name` may not be listed in an agent's `env`, or undefined when it may.
 * orch fetches and pushes with its own token after the agent exits, so an
 * agent (or a prompt injected through an issue) can change the repository only
 * through the branch orch pushes; passing a secret through would undo that.
 * The runner drops the same names (secret-names.ts); refusing them here tells
 * the operator why at startup.
 * The answer is one sentence for the operator, saying what to do.
 */
export function whyAgentEnvIsForbidden(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (upper.startsWith("ORCH_")) {
    return `"${name}" is reserved: names starting with ORCH_ belong to orch (it sets ORCH_PROMPT_FILE, ORCH_RESULT_FILE and ORCH_ATTEMPT_ID itself), and an agent must never see orch's own settings`;
  }
  if (ORCH_SECRET_NAMES.has(upper)) {
    return `"${name}" is one of orch's own credentials and is never passed to an agent: the agent must never hold orch's credentials (orch fetches and pushes with its own token after the agent exits); remove it`;
  }
  if (isSecretName(upper)) {
    return `"${name}" can hand git a credential and is never passed to an agent: the agent must never hold orch's credentials (orch fetches and pushes itself after the agent exits); remove it`;
  }
  return undefined;
}

const commandSchema = z.unknown().transform((value, ctx): string[] => {
  if (value === undefined) {
    ctx.addIssue(`is required: the program and its arguments, like ["codex", "exec", "{prompt}"]`);
    return z.NEVER;
  }
  if (typeof value === "string") {
    ctx.addIssue(
      `expected a list of arguments like ["codex", "exec", "{prompt}"]; got a string. orch never runs a shell, so split the command into its arguments`,
    );
    return z.NEVER;
  }
  if (!Array.isArray(value) || value.length === 0) {
    ctx.addIssue(`expected a non-empty list of arguments like ["codex", "exec", "{prompt}"]; got ${describeValue(value)}`);
    return z.NEVER;
  }
  let isValid = true;
  value.forEach((arg: unknown, index) => {
    if (typeof arg !== "string" || arg === "") {
      ctx.addIssue({ code: "custom", path: [index], message: `expected a non-empty string; got ${describeValue(arg)}` });
      isValid = false;
    } else if (arg.includes("\0")) {
      ctx.addIssue({ code: "custom", path: [index], message: "an argument cannot contain a NUL character" });
      isValid = false;
    }
  });
  if (!isValid) return z.NEVER;
  const argv = value as string[];
  const program = argv[0] as string;
  if (program.includes("{prompt}")) {
    ctx.addIssue({ code: "custom", path: [0], message: "the program (first element) cannot contain {prompt}" });
    return z.NEVER;
  }
  // A prompt inside `sh -c '...'` is a script built from issue text: anyone who can
  // write an issue could run commands on this host. Refuse it; the script can read
  // the prompt from "$ORCH_PROMPT_FILE" instead.
  const programName = basename(program);
  if (SHELLS.has(programName)) {
    argv.forEach((arg, index) => {
      const previous = argv[index - 1];
      if (index >= 2 && previous !== undefined && /^-[a-z]*c[a-z]*$/.test(previous) && arg.includes("{prompt}")) {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `{prompt} inside a ${programName} -c script would let issue text run as shell commands; read the prompt from "$ORCH_PROMPT_FILE" in the script instead`,
        });
        isValid = false;
      }
    });
  }
  return isValid ? argv : z.NEVER;
});

const envSchema = z.unknown().transform((value, ctx): string[] => {
  if (!Array.isArray(value)) {
    ctx.addIssue(`expected a list of environment variable names like [OPENAI_API_KEY]; got ${describeValue(value)}`);
    return z.NEVER;
  }
  const seen = new Set<string>();
  let isValid = true;
  value.forEach((name: unknown, index) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", path: [index], message });
      isValid = false;
    };
    if (typeof name !== "string" || !ENV_NAME.test(name)) {
      fail(`expected a variable name (letters, digits and _, not starting with a digit); got ${describeValue(name)}`);
      return;
    }
    const why = whyAgentEnvIsForbidden(name);
    if (why !== undefined) return fail(why);
    if (seen.has(name)) return fail(`"${name}" is listed twice`);
    seen.add(name);
  });
  return isValid ? (value as string[]) : z.NEVER;
});

const sandboxModeSchema = z.unknown().transform((value, ctx): "bwrap" | "none" => {
  if (value === "bwrap" || value === "none") return value;
  ctx.addIssue(`expected bwrap (orch's sandbox, the default) or none (no sandbox: the agent can read everything orch can); got ${describeValue(value)}`);
  return z.NEVER;
});

/** One `agents.<name>` entry as written; server-config.ts fills in the defaults. Its name is checked by whyAgentNameIsInvalid. */
export const agentSchema = z.strictObject({
  command: commandSchema,
  env: envSchema.optional(),
  timeout: duration({ minMs: SECOND, maxMs: 24 * HOUR }).optional(),
  idle_timeout: duration({ minMs: SECOND, maxMs: 24 * HOUR }).optional(),
  description: text("a one-line description").optional(),
  sandbox: sandboxModeSchema.optional(),
  network: booleanSchema.optional(),
  home: absolutePath("the folder copied into each attempt's HOME").optional(),
});
