/**
 * The server config file, `orch.config.yml` (path from `ORCH_CONFIG`): the agent
 * registry, concurrency limits, the kill grace and the git identity orch commits
 * with. It belongs to the operator; a repository can never define or change an
 * agent.
 *
 * The file is validated strictly, and every problem is reported at once, one line
 * each, naming the file and the key path:
 *
 *     orch.config.yml: agents.codex.timeout: expected a duration like 30m, 90s or 2h; got "soon"
 *     orch.config.yml: unknown key "agent" at top level (did you mean "agents"?)
 *
 * Parsing happens in two passes over the plain YAML data: a zod schema for the
 * shape of each key, then cross-key checks (default_agent and per_agent must
 * name defined agents). The cross-key pass runs even when the schema failed, so
 * one restart shows every mistake.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { isSecretName, ORCH_SECRET_NAMES } from "../agents/secret-names.js";

/** One entry of the agent registry, as the runner needs it. */
export interface AgentSpec {
  /** The registry key, e.g. `codex`. */
  name: string;
  /** argv; `command[0]` is the program. Every `{prompt}` is replaced by the prompt text, never through a shell. */
  command: string[];
  /** Names of variables passed through from orch's environment, besides the basics orch always passes. */
  env: string[];
  /** The agent is killed (with everything it started) when it runs longer than this. */
  timeoutMs: number;
  /** No output and no file change in the worktree for this long ends it too (`timed_out`, "idle"); undefined: no such limit. */
  idleTimeoutMs?: number;
  /** `bwrap` (the default): the agent runs in orch's sandbox. `none`: the operator's explicit, warned opt-out. */
  sandbox: "bwrap" | "none";
  /** False cuts the sandbox's network (only a loopback inside). */
  network: boolean;
  /** A folder copied into the attempt's fresh HOME before the agent starts (its login files); absolute. */
  homeTemplate?: string;
  /** One line for `/orch help`. */
  description?: string;
}

/** The validated server config, with every default filled in. */
export interface ServerConfig {
  /** The agent `/orch dispatch` uses when none is named; always a key of `agents`. */
  defaultAgent: string;
  /** Keyed by agent name. Has no prototype, so any lookup by a user-typed name is safe. */
  agents: Record<string, AgentSpec>;
  concurrency: {
    /** Attempts running at once on this host. */
    maxRunning: number;
    /** Attempts running at once for one repository. */
    perRepository: number;
    /** Attempts running at once per agent; an agent not listed is limited only by the other two. */
    perAgent: Record<string, number>;
  };
  /** Time between SIGTERM and SIGKILL when an attempt is cancelled or times out. */
  killGraceMs: number;
  /** Identity of the commits orch makes itself (what an agent left uncommitted). */
  git: { authorName: string; authorEmail: string };
  sandbox: {
    /** More paths the agent must not see, besides the ones orch always hides. */
    hide: string[];
    /** Folders inside hidden ones shown again read-only (an agent installed under a hidden HOME). */
    expose: string[];
  };
}

/**
 * The server config file is missing, unreadable or invalid. The message names
 * the file and has one line per problem; it is meant for the operator's
 * terminal, never for GitHub.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** The file name as shown in the message. */
  readonly source: string;
  /** One entry per problem, each already prefixed with the source. */
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(problems.join("\n"));
    this.source = source;
    this.problems = problems;
  }
}

export const DEFAULT_AGENT_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_KILL_GRACE_MS = 10_000;
export const DEFAULT_MAX_RUNNING = 4;
export const DEFAULT_PER_REPOSITORY = 2;
export const DEFAULT_GIT_AUTHOR_NAME = "orch[bot]";
export const DEFAULT_GIT_AUTHOR_EMAIL = "orch[bot]@users.noreply.github.com";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Parses a duration into milliseconds, or returns undefined when it is not one.
 *
 * Accepted: a non-negative number of seconds (`90`, `1.5`), or a string of
 * hour, minute and second parts in that order, each at most once, whole
 * numbers only: `90s`, `30m`, `2h`, `1h30m`, `1h0m15s`. Surrounding blanks are
 * ignored. Anything else (`"90"`, `"1.5h"`, `"30 m"`, `"-5s"`, `"soon"`) is not
 * a duration: a quoted number in YAML is usually a typo for a unit, so it is
 * refused rather than guessed. Range checks are the caller's business.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") {
    return Number.isFinite(text) && text >= 0 ? Math.round(text * SECOND) : undefined;
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!match || match[0] === "") return undefined;
  const [, hours = "0", minutes = "0", seconds = "0"] = match;
  return Number(hours) * HOUR + Number(minutes) * MINUTE + Number(seconds) * SECOND;
}

/** Renders milliseconds the way the config file writes them: `1h30m`, `10s`, `0s`. */
function formatConfigDuration(ms: number): string {
  if (ms % SECOND !== 0) return `${ms / SECOND}s`;
  let rest = ms / SECOND;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""];
  return parts.join("") || "0s";
}

const AGENT_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Shells whose `-c` script would interpret the prompt as commands. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "ash", "busybox"]);

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

/** A short rendering of a YAML value for "got ..." in messages. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Leaf validators. Each reads the raw YAML value and says what it expected and
// what it got, so the zod error map below only has to cover structure.

function duration(params: { minMs: number; maxMs: number }) {
  return z.unknown().transform((value, ctx): number => {
    const ms = typeof value === "string" || typeof value === "number" ? parseDuration(value) : undefined;
    if (ms === undefined) {
      ctx.addIssue(`expected a duration like 30m, 90s or 2h (or a number of seconds); got ${describe(value)}`);
      return z.NEVER;
    }
    if (ms < params.minMs || ms > params.maxMs) {
      ctx.addIssue(
        `must be between ${formatConfigDuration(params.minMs)} and ${formatConfigDuration(params.maxMs)}; got ${describe(value)}`,
      );
      return z.NEVER;
    }
    return ms;
  });
}

function integerBetween(min: number, max: number) {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      ctx.addIssue(`expected a whole number from ${min} to ${max}; got ${describe(value)}`);
      return z.NEVER;
    }
    return value;
  });
}

function text(what: string) {
  return z.unknown().transform((value, ctx): string => {
    if (value === undefined) {
      ctx.addIssue(`is required: ${what}`);
      return z.NEVER;
    }
    if (typeof value !== "string" || value.trim() === "") {
      ctx.addIssue(`expected ${what}; got ${describe(value)}`);
      return z.NEVER;
    }
    if (/[\0\r\n]/.test(value)) {
      ctx.addIssue(`expected ${what} on one line; got a value with a line break or NUL`);
      return z.NEVER;
    }
    return value;
  });
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
    ctx.addIssue(`expected a non-empty list of arguments like ["codex", "exec", "{prompt}"]; got ${describe(value)}`);
    return z.NEVER;
  }
  let isValid = true;
  value.forEach((arg: unknown, index) => {
    if (typeof arg !== "string" || arg === "") {
      ctx.addIssue({ code: "custom", path: [index], message: `expected a non-empty string; got ${describe(arg)}` });
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
    ctx.addIssue(`expected a list of environment variable names like [OPENAI_API_KEY]; got ${describe(value)}`);
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
      fail(`expected a variable name (letters, digits and _, not starting with a digit); got ${describe(name)}`);
      return;
    }
    const why = whyAgentEnvIsForbidden(name);
    if (why !== undefined) return fail(why);
    if (seen.has(name)) return fail(`"${name}" is listed twice`);
    seen.add(name);
  });
  return isValid ? (value as string[]) : z.NEVER;
});

function absolutePath(what: string) {
  return z.unknown().transform((value, ctx): string => {
    if (typeof value !== "string" || !value.startsWith("/") || /[\0\r\n]/.test(value)) {
      ctx.addIssue(`expected ${what} as an absolute path like /etc/orch/homes/codex; got ${describe(value)}`);
      return z.NEVER;
    }
    return value.replace(/\/+$/, "") || "/";
  });
}

const pathListSchema = z.unknown().transform((value, ctx): string[] => {
  if (!Array.isArray(value)) {
    ctx.addIssue(`expected a list of absolute paths like [/srv/secrets]; got ${describe(value)}`);
    return z.NEVER;
  }
  let isValid = true;
  value.forEach((path: unknown, index) => {
    if (typeof path !== "string" || !path.startsWith("/") || /[\0\r\n]/.test(path)) {
      ctx.addIssue({ code: "custom", path: [index], message: `expected an absolute path; got ${describe(path)}` });
      isValid = false;
    }
  });
  return isValid ? (value as string[]) : z.NEVER;
});

const sandboxModeSchema = z.unknown().transform((value, ctx): "bwrap" | "none" => {
  if (value === "bwrap" || value === "none") return value;
  ctx.addIssue(`expected bwrap (orch's sandbox, the default) or none (no sandbox: the agent can read everything orch can); got ${describe(value)}`);
  return z.NEVER;
});

const booleanSchema = z.unknown().transform((value, ctx): boolean => {
  if (typeof value === "boolean") return value;
  ctx.addIssue(`expected true or false; got ${describe(value)}`);
  return z.NEVER;
});

const agentSchema = z.strictObject({
  command: commandSchema,
  env: envSchema.optional(),
  timeout: duration({ minMs: SECOND, maxMs: 24 * HOUR }).optional(),
  idle_timeout: duration({ minMs: SECOND, maxMs: 24 * HOUR }).optional(),
  description: text("a one-line description").optional(),
  sandbox: sandboxModeSchema.optional(),
  network: booleanSchema.optional(),
  home: absolutePath("the folder copied into each attempt's HOME").optional(),
});

const sandboxSchema = z.strictObject({
  hide: pathListSchema.optional(),
  expose: pathListSchema.optional(),
});

const concurrencySchema = z.strictObject({
  max_running: integerBetween(1, 256).optional(),
  per_repository: integerBetween(1, 256).optional(),
  per_agent: z.record(z.string(), integerBetween(1, 256)).optional(),
});

const gitSchema = z.strictObject({
  author_name: text("a name").optional(),
  author_email: text("an email address")
    .refine((email) => /^[^\s<>@]+@[^\s<>@]+$/.test(email), {
      error: (issue) => `expected an email address like orch@example.com; got ${describe(issue.input)}`,
    })
    .optional(),
});

const serverConfigSchema = z.strictObject({
  default_agent: text("the name of the agent /orch dispatch uses when none is named"),
  agents: z.record(z.string(), agentSchema),
  concurrency: concurrencySchema.optional(),
  kill_grace: duration({ minMs: SECOND, maxMs: 10 * MINUTE }).optional(),
  git: gitSchema.optional(),
  sandbox: sandboxSchema.optional(),
});

type RawServerConfig = z.output<typeof serverConfigSchema>;

/** Known keys of each mapping, for "did you mean" on unknown keys. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const [first] = path;
  if (path.length === 0) return Object.keys(serverConfigSchema.shape);
  if (path.length === 2 && first === "agents") return Object.keys(agentSchema.shape);
  if (path.length === 1 && first === "concurrency") return Object.keys(concurrencySchema.shape);
  if (path.length === 1 && first === "git") return Object.keys(gitSchema.shape);
  if (path.length === 1 && first === "sandbox") return Object.keys(sandboxSchema.shape);
  return [];
}

/** Messages for the structural issues zod raises itself (missing keys, wrong container types). */
const structuralErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    const expected = issue.expected === "object" || issue.expected === "record" ? "a mapping" : issue.expected;
    return `expected ${expected}; got ${describe(issue.input)}`;
  }
  return undefined;
};

// ---------------------------------------------------------------------------
// Turning issues into lines.

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const key = String(part);
      const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
      out += plain ? (out === "" ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The closest known key, when one is close enough to be a typo, a case slip or `-` for `_`. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const normalize = (key: string) => key.toLowerCase().replace(/[-_\s]/g, "");
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = normalize(key) === normalize(unknown) ? 0 : editDistance(unknown.toLowerCase(), key);
    if (distance <= Math.max(1, Math.floor(key.length / 4)) && (!best || distance < best.distance)) {
      best = { key, distance };
    }
  }
  return best?.key;
}

function issueLines(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => {
      const suggestion = suggestKey(key, known);
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known.length ? ` (known keys: ${known.join(", ")})` : "";
      return where === "" ? `unknown key "${key}" at top level${hint}` : `${where}: unknown key "${key}"${hint}`;
    });
  }
  return [where === "" ? issue.message : `${where}: ${issue.message}`];
}

/**
 * Checks that need more than one key. They read the raw data defensively, so
 * they also run when the schema failed elsewhere.
 */
function crossKeyProblems(data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const agents = isPlainObject(data["agents"]) ? data["agents"] : undefined;
  const agentNames = agents ? Object.keys(agents) : [];
  const listNames = () => (agentNames.length ? agentNames.join(", ") : "none are defined");

  if (agents && agentNames.length === 0) {
    problems.push("agents: define at least one agent (see orch.config.example.yml)");
  }
  for (const name of agentNames) {
    if (!AGENT_NAME.test(name)) {
      problems.push(
        `${formatPath(["agents", name])}: invalid agent name "${name}": use a lowercase letter followed by up to 31 of a-z, 0-9, "_" or "-"`,
      );
    }
  }
  const defaultAgent = data["default_agent"];
  if (agents && typeof defaultAgent === "string" && defaultAgent.trim() !== "" && !Object.hasOwn(agents, defaultAgent)) {
    problems.push(`default_agent: "${defaultAgent}" is not one of the agents (${listNames()})`);
  }
  const concurrency = data["concurrency"];
  const perAgent = isPlainObject(concurrency) ? concurrency["per_agent"] : undefined;
  if (agents && isPlainObject(perAgent)) {
    for (const name of Object.keys(perAgent)) {
      if (!Object.hasOwn(agents, name)) {
        problems.push(`${formatPath(["concurrency", "per_agent", name])}: "${name}" is not one of the agents (${listNames()})`);
      }
    }
  }
  return problems;
}

/**
 * A record without a prototype: commands look agents up by names typed in
 * comments, and `agents["constructor"]` must be undefined, not Object.
 */
function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function toServerConfig(raw: RawServerConfig): ServerConfig {
  const agents = emptyRecord<AgentSpec>();
  for (const [name, entry] of Object.entries(raw.agents)) {
    agents[name] = {
      name,
      command: entry.command,
      env: entry.env ?? [],
      timeoutMs: entry.timeout ?? DEFAULT_AGENT_TIMEOUT_MS,
      ...(entry.idle_timeout === undefined ? {} : { idleTimeoutMs: entry.idle_timeout }),
      sandbox: entry.sandbox ?? "bwrap",
      network: entry.network ?? true,
      ...(entry.home === undefined ? {} : { homeTemplate: entry.home }),
      ...(entry.description === undefined ? {} : { description: entry.description }),
    };
  }
  return {
    defaultAgent: raw.default_agent,
    agents,
    concurrency: {
      maxRunning: raw.concurrency?.max_running ?? DEFAULT_MAX_RUNNING,
      perRepository: raw.concurrency?.per_repository ?? DEFAULT_PER_REPOSITORY,
      perAgent: Object.assign(emptyRecord<number>(), raw.concurrency?.per_agent),
    },
    killGraceMs: raw.kill_grace ?? DEFAULT_KILL_GRACE_MS,
    git: {
      authorName: raw.git?.author_name ?? DEFAULT_GIT_AUTHOR_NAME,
      authorEmail: raw.git?.author_email ?? DEFAULT_GIT_AUTHOR_EMAIL,
    },
    sandbox: { hide: raw.sandbox?.hide ?? [], expose: raw.sandbox?.expose ?? [] },
  };
}

/** Reads YAML text into plain data, or the syntax problems with their line and column. */
function readYaml(yamlText: string): { data: unknown } | { problems: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return `line ${line}, column ${col}: YAML syntax error: ${error.message}`;
      }),
    };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    // Unresolved or excessive aliases only surface when the document is converted.
    return { problems: [`YAML error: ${error instanceof Error ? error.message : String(error)}`] };
  }
}

/**
 * Parses and validates the server config. `source` names the file in messages
 * (usually its path). Throws ConfigError listing every problem, one line each,
 * each line starting with `source`. Never returns a partial config.
 */
export function parseServerConfig(yamlText: string, source: string): ServerConfig {
  const fail = (problems: string[]): never => {
    throw new ConfigError(
      source,
      problems.map((problem) => `${source}: ${problem}`),
    );
  };

  const read = readYaml(yamlText);
  if ("problems" in read) return fail(read.problems);
  const { data } = read;
  if (data === null || data === undefined) {
    return fail(["the file is empty; copy orch.config.example.yml and define at least one agent"]);
  }
  if (!isPlainObject(data)) {
    return fail([`expected a mapping with default_agent and agents at the top level; got ${describe(data)}`]);
  }

  const parsed = serverConfigSchema.safeParse(data, { error: structuralErrors });
  const problems = [...(parsed.success ? [] : parsed.error.issues.flatMap(issueLines)), ...crossKeyProblems(data)];
  if (problems.length > 0 || !parsed.success) return fail(problems);
  return toServerConfig(parsed.data);
}

/**
 * Reads and validates the server config file at `file`. A missing file is a
 * ConfigError that names the path and says how to start one.
 */
export function loadServerConfig(file: string): ServerConfig {
  let yamlText: string;
  try {
    yamlText = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new ConfigError(file, [
        `${file}: no such file. Copy orch.config.example.yml to ${file} and edit it, or point ORCH_CONFIG at your server config file.`,
      ]);
    }
    throw new ConfigError(file, [`${file}: cannot read the server config file: ${(error as Error).message}`]);
  }
  return parseServerConfig(yamlText, file);
}
