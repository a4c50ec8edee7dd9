/**
 * The server config file, `orch.config.yml` (path from `ORCH_CONFIG`): the agent
 * registry, concurrency limits, the kill grace, the git identity orch commits
 * with, caps, and the council's judge. It belongs to the operator; a repository can never define or change an
 * agent.
 *
 * The file is validated strictly, and every problem is reported at once, one line
 * each, naming the file and the key path:
 *
 *     orch.config.yml: agents.codex.timeout: expected a duration like 30m, 90s or 2h; got "soon"
 *     orch.config.yml: unknown key "agent" at top level (did you mean "agents"?)
 *
 * Parsing happens in two passes over the plain YAML data (read-yaml.ts): a zod
 * schema for the shape of each key (an agent entry's in agent-schema.ts, single
 * values' in value-schemas.ts), then cross-key checks (default_agent, per_agent
 * and council.judge must name defined agents). The cross-key pass runs even when the
 * schema failed, so one restart shows every mistake. config-issues.ts turns
 * zod's issues into the key paths and did-you-means of the lines.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { MINUTE, SECOND } from "../duration.js";
import { agentSchema, whyAgentNameIsInvalid } from "./agent-schema.js";
import { ConfigError } from "./config-error.js";
import { buildConfigIssues, describeValue, formatPath, structuralErrors, type ConfigIssue } from "./config-issues.js";
import { readYaml } from "./read-yaml.js";
import { dollars, duration, integerBetween, pathListSchema, text } from "./value-schemas.js";

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
    /** Attempts running at once in all, over every host sharing the database. */
    maxRunning: number;
    /** Attempts running at once on one host; max_running unless set lower. */
    maxRunningPerHost: number;
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
  scale: {
    /** A host that has not heartbeaten for this long is dead: its running attempts are lost. */
    hostTtlMs: number;
  };
  /** Caps: ceilings a repository's `.github/orch.yml` may lower, never raise. */
  limits: Caps;
  council: {
    /** The agent that ranks a council's candidates (anonymised, shuffled); undefined: no judge, a person picks. Always a key of `agents`. */
    judge?: string;
  };
}

/** What a task or run may spend (server `limits:`, lowered by a repository's own keys). */
export interface Caps {
  /** Attempts one task may have, however they were started. */
  maxAttemptsPerTask: number;
  /** New attempts orch starts by itself after a failed verify, per task. */
  maxAutoRetries: number;
  /** Wall clock one run may take; undefined: no cap. */
  runTimeoutMs?: number;
  /** What one run's agents' reported usage (attempts' and judges') may add up to, in US dollars; undefined: no cap. */
  maxCostUsd?: number;
}

export const DEFAULT_AGENT_TIMEOUT_MS = 30 * MINUTE;
export const DEFAULT_KILL_GRACE_MS = 10 * SECOND;
export const DEFAULT_MAX_RUNNING = 4;
export const DEFAULT_PER_REPOSITORY = 2;
export const DEFAULT_HOST_TTL_MS = 60 * SECOND;
export const DEFAULT_CAPS: Caps = { maxAttemptsPerTask: 10, maxAutoRetries: 3 };
export const DEFAULT_GIT_AUTHOR_NAME = "orch[bot]";
export const DEFAULT_GIT_AUTHOR_EMAIL = "orch[bot]@users.noreply.github.com";

const sandboxSchema = z.strictObject({
  hide: pathListSchema.optional(),
  expose: pathListSchema.optional(),
});

const concurrencySchema = z.strictObject({
  max_running: integerBetween(1, 256).optional(),
  max_running_per_host: integerBetween(1, 256).optional(),
  per_repository: integerBetween(1, 256).optional(),
  per_agent: z.record(z.string(), integerBetween(1, 256)).optional(),
});

const gitSchema = z.strictObject({
  author_name: text("a name").optional(),
  author_email: text("an email address")
    .refine((email) => /^[^\s<>@]+@[^\s<>@]+$/.test(email), {
      error: (issue) => `expected an email address like orch@example.com; got ${describeValue(issue.input)}`,
    })
    .optional(),
});

const scaleSchema = z.strictObject({
  host_ttl: duration({ minMs: SECOND, maxMs: 60 * MINUTE }).optional(),
});

const limitsSchema = z.strictObject({
  max_attempts_per_task: integerBetween(1, 100).optional(),
  max_auto_retries: integerBetween(0, 10).optional(),
  run_timeout: duration({ minMs: SECOND, maxMs: 7 * 24 * 60 * MINUTE }).optional(),
  max_cost_usd: dollars().optional(),
});

const councilSchema = z.strictObject({
  judge: text("the name of the agent that ranks a council's candidates").optional(),
});

const serverConfigSchema = z.strictObject({
  default_agent: text("the name of the agent /orch dispatch uses when none is named"),
  agents: z.record(z.string(), agentSchema),
  concurrency: concurrencySchema.optional(),
  kill_grace: duration({ minMs: SECOND, maxMs: 10 * MINUTE }).optional(),
  git: gitSchema.optional(),
  sandbox: sandboxSchema.optional(),
  scale: scaleSchema.optional(),
  limits: limitsSchema.optional(),
  council: councilSchema.optional(),
});

type RawServerConfig = z.output<typeof serverConfigSchema>;

/** A problem zod found, as one line after the file name. */
function issueLine(issue: ConfigIssue): string {
  if (issue.kind === "unknown_key") {
    const { at, key, suggestion, knownKeys } = issue;
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : knownKeys.length ? ` (known keys: ${knownKeys.join(", ")})` : "";
    return at === "" ? `unknown key "${key}" at top level${hint}` : `${at}: unknown key "${key}"${hint}`;
  }
  return issue.at === "" ? issue.message : `${issue.at}: ${issue.message}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
    const why = whyAgentNameIsInvalid(name);
    if (why !== undefined) problems.push(`${formatPath(["agents", name])}: ${why}`);
  }
  const defaultAgent = data["default_agent"];
  if (agents && typeof defaultAgent === "string" && defaultAgent.trim() !== "" && !Object.hasOwn(agents, defaultAgent)) {
    problems.push(`default_agent: "${defaultAgent}" is not one of the agents (${listNames()})`);
  }
  const concurrency = data["concurrency"];
  const total = isPlainObject(concurrency) ? concurrency["max_running"] ?? DEFAULT_MAX_RUNNING : DEFAULT_MAX_RUNNING;
  const perHost = isPlainObject(concurrency) ? concurrency["max_running_per_host"] : undefined;
  if (typeof perHost === "number" && typeof total === "number" && perHost > total) {
    problems.push(
      `concurrency.max_running_per_host: ${perHost} is more than max_running (${total}), the limit over all hosts together; raise max_running or lower max_running_per_host`,
    );
  }
  const perAgent = isPlainObject(concurrency) ? concurrency["per_agent"] : undefined;
  if (agents && isPlainObject(perAgent)) {
    for (const name of Object.keys(perAgent)) {
      if (!Object.hasOwn(agents, name)) {
        problems.push(`${formatPath(["concurrency", "per_agent", name])}: "${name}" is not one of the agents (${listNames()})`);
      }
    }
  }
  const council = data["council"];
  const judge = isPlainObject(council) ? council["judge"] : undefined;
  if (agents && typeof judge === "string" && judge.trim() !== "" && !Object.hasOwn(agents, judge)) {
    problems.push(`council.judge: "${judge}" is not one of the agents (${listNames()}); the judge is an agent of the registry, run in the sandbox like any other`);
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
      maxRunningPerHost: raw.concurrency?.max_running_per_host ?? raw.concurrency?.max_running ?? DEFAULT_MAX_RUNNING,
      perRepository: raw.concurrency?.per_repository ?? DEFAULT_PER_REPOSITORY,
      perAgent: Object.assign(emptyRecord<number>(), raw.concurrency?.per_agent),
    },
    killGraceMs: raw.kill_grace ?? DEFAULT_KILL_GRACE_MS,
    git: {
      authorName: raw.git?.author_name ?? DEFAULT_GIT_AUTHOR_NAME,
      authorEmail: raw.git?.author_email ?? DEFAULT_GIT_AUTHOR_EMAIL,
    },
    sandbox: { hide: raw.sandbox?.hide ?? [], expose: raw.sandbox?.expose ?? [] },
    scale: { hostTtlMs: raw.scale?.host_ttl ?? DEFAULT_HOST_TTL_MS },
    limits: {
      maxAttemptsPerTask: raw.limits?.max_attempts_per_task ?? DEFAULT_CAPS.maxAttemptsPerTask,
      maxAutoRetries: raw.limits?.max_auto_retries ?? DEFAULT_CAPS.maxAutoRetries,
      ...(raw.limits?.run_timeout === undefined ? {} : { runTimeoutMs: raw.limits.run_timeout }),
      ...(raw.limits?.max_cost_usd === undefined ? {} : { maxCostUsd: raw.limits.max_cost_usd }),
    },
    council: raw.council?.judge === undefined ? {} : { judge: raw.council.judge },
  };
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
    return fail([`expected a mapping with default_agent and agents at the top level; got ${describeValue(data)}`]);
  }

  const parsed = serverConfigSchema.safeParse(data, { error: structuralErrors });
  const schemaProblems = parsed.success ? [] : buildConfigIssues(serverConfigSchema, parsed.error.issues).map(issueLine);
  const problems = [...schemaProblems, ...crossKeyProblems(data)];
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
