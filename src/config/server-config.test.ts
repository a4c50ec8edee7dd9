import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { loadServerConfig, parseServerConfig, type ServerConfig } from "./server-config.js";

const SOURCE = "orch.config.yml";

/** A minimal valid file; cases append or replace lines to break one thing at a time. */
const MINIMAL = `
default_agent: codex
agents:
  codex:
    command: ["codex", "exec", "{prompt}"]
`;

/** The ConfigError thrown for `yaml`, or a failure if the text was accepted. */
function configErrorFor(yaml: string): ConfigError {
  try {
    parseServerConfig(yaml, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for:\n${yaml}`);
}

describe("parseServerConfig: valid files", () => {
  it("fills in every default", () => {
    const want: ServerConfig = {
      defaultAgent: "codex",
      agents: {
        codex: { name: "codex", command: ["codex", "exec", "{prompt}"], env: [], timeoutMs: 30 * 60_000, sandbox: "bwrap", network: true },
      },
      concurrency: { maxRunning: 4, maxRunningPerHost: 4, perRepository: 2, perAgent: {} },
      killGraceMs: 10_000,
      git: { authorName: "orch[bot]", authorEmail: "orch[bot]@users.noreply.github.com" },
      sandbox: { hide: [], expose: [] },
      limits: { maxAttemptsPerTask: 10, maxAutoRetries: 3 },
      council: {},
      scale: { hostTtlMs: 60_000 },
    };
    expect(parseServerConfig(MINIMAL, SOURCE)).toEqual(want);
  });

  it("gives agents and perAgent no prototype, so user-typed names cannot hit Object.prototype", () => {
    const config = parseServerConfig(`${MINIMAL}concurrency:\n  per_agent: {codex: 1}\n`, SOURCE);
    expect(config.agents["constructor"]).toBeUndefined();
    expect(config.agents["toString"]).toBeUndefined();
    expect(config.concurrency.perAgent["hasOwnProperty"]).toBeUndefined();
    expect(config.concurrency.perAgent["codex"]).toBe(1);
  });

  it("maps every key to its camelCase field", () => {
    const config = parseServerConfig(
      `
default_agent: claude
agents:
  codex:
    command: ["codex", "exec", "{prompt}"]
    env: [OPENAI_API_KEY, CODEX_API_KEY]
    timeout: 1h30m
    idle_timeout: 5m
    description: Codex in a sandbox
    network: false
    home: /etc/orch/homes/codex/
  claude:
    command: [claude, -p, "{prompt}"]
    timeout: 600
  my-agent_2:
    command: [/opt/bin/agent]
    sandbox: none
concurrency:
  max_running: 8
  max_running_per_host: 3
  per_repository: 3
  per_agent: {codex: 1, claude: 2}
kill_grace: 30s
git:
  author_name: orch
  author_email: orch@example.com
sandbox:
  hide: [/srv/secrets]
  expose: [/root/.nvm]
scale:
  host_ttl: 2m
`,
      SOURCE,
    );
    expect(config).toEqual({
      defaultAgent: "claude",
      agents: {
        codex: {
          name: "codex",
          command: ["codex", "exec", "{prompt}"],
          env: ["OPENAI_API_KEY", "CODEX_API_KEY"],
          timeoutMs: 90 * 60_000,
          idleTimeoutMs: 5 * 60_000,
          description: "Codex in a sandbox",
          sandbox: "bwrap",
          network: false,
          homeTemplate: "/etc/orch/homes/codex",
        },
        claude: { name: "claude", command: ["claude", "-p", "{prompt}"], env: [], timeoutMs: 600_000, sandbox: "bwrap", network: true },
        "my-agent_2": { name: "my-agent_2", command: ["/opt/bin/agent"], env: [], timeoutMs: 30 * 60_000, sandbox: "none", network: true },
      },
      concurrency: { maxRunning: 8, maxRunningPerHost: 3, perRepository: 3, perAgent: { codex: 1, claude: 2 } },
      killGraceMs: 30_000,
      git: { authorName: "orch", authorEmail: "orch@example.com" },
      sandbox: { hide: ["/srv/secrets"], expose: ["/root/.nvm"] },
      scale: { hostTtlMs: 120_000 },
      limits: { maxAttemptsPerTask: 10, maxAutoRetries: 3 },
      council: {},
    } satisfies ServerConfig);
  });

  it.each([
    { name: "{prompt} inside a flag", command: '["aider", "--message={prompt}"]' },
    { name: "no {prompt} at all (reads ORCH_PROMPT_FILE)", command: '["my-agent"]' },
    { name: "a shell script reading the prompt file", command: '[bash, -c, "agent < \\"$ORCH_PROMPT_FILE\\""]' },
    { name: "a shell running a script with the prompt as an argument", command: '[bash, run.sh, "{prompt}"]' },
  ])("accepts a command with $name", ({ command }) => {
    const config = parseServerConfig(`default_agent: a\nagents:\n  a:\n    command: ${command}\n`, SOURCE);
    expect(config.agents["a"]?.command.length).toBeGreaterThan(0);
  });

  it.each([
    { name: "the shortest timeout", timeout: "1s", want: 1_000 },
    { name: "the longest timeout", timeout: "24h", want: 86_400_000 },
    { name: "a timeout in seconds", timeout: "3600", want: 3_600_000 },
  ])("accepts $name", ({ timeout, want }) => {
    const config = parseServerConfig(`${MINIMAL}    timeout: ${timeout}\n`, SOURCE);
    expect(config.agents["codex"]?.timeoutMs).toBe(want);
  });
});

describe("parseServerConfig: each problem names its key", () => {
  it.each([
    // Required keys and types.
    { name: "missing default_agent", yaml: `agents:\n  codex:\n    command: [codex]\n`, want: /^orch\.config\.yml: default_agent: is required/m },
    { name: "missing agents", yaml: `default_agent: codex\n`, want: /^orch\.config\.yml: agents: is required/m },
    { name: "agents is a list", yaml: `default_agent: codex\nagents: [codex]\n`, want: /^orch\.config\.yml: agents: expected a mapping; got a list/m },
    { name: "no agents", yaml: `default_agent: codex\nagents: {}\n`, want: /^orch\.config\.yml: agents: define at least one agent/m },
    { name: "default agent not defined", yaml: MINIMAL.replace("default_agent: codex", "default_agent: claude"), want: /^orch\.config\.yml: default_agent: "claude" is not one of the agents \(codex\)/m },
    { name: "default agent that is only an Object prototype key", yaml: MINIMAL.replace("default_agent: codex", "default_agent: toString"), want: /^orch\.config\.yml: default_agent: "toString" is not one of the agents/m },
    { name: "default agent not a string", yaml: MINIMAL.replace("default_agent: codex", "default_agent: [codex]"), want: /^orch\.config\.yml: default_agent: expected the name of the agent .*; got a list/m },

    // Agent names.
    { name: "upper-case agent name", yaml: `default_agent: Codex\nagents:\n  Codex:\n    command: [codex]\n`, want: /^orch\.config\.yml: agents\.Codex: invalid agent name "Codex"/m },
    { name: "agent name starting with a digit", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [codex]\n  2fast:\n    command: [x]\n`, want: /^orch\.config\.yml: agents\["2fast"\]: invalid agent name/m },
    { name: "agent name too long", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [codex]\n  ${"a".repeat(33)}:\n    command: [x]\n`, want: new RegExp(`^orch\\.config\\.yml: agents\\.${"a".repeat(33)}: invalid agent name`, "m") },
    { name: "agent entry not a mapping", yaml: `default_agent: codex\nagents:\n  codex: codex exec\n`, want: /^orch\.config\.yml: agents\.codex: expected a mapping; got "codex exec"/m },

    // command.
    { name: "command missing", yaml: `default_agent: codex\nagents:\n  codex:\n    timeout: 30m\n`, want: /^orch\.config\.yml: agents\.codex\.command: is required/m },
    { name: "command as one string", yaml: `default_agent: codex\nagents:\n  codex:\n    command: codex exec "{prompt}"\n`, want: /^orch\.config\.yml: agents\.codex\.command: expected a list of arguments .*got a string\. orch never runs a shell/m },
    { name: "empty command", yaml: `default_agent: codex\nagents:\n  codex:\n    command: []\n`, want: /^orch\.config\.yml: agents\.codex\.command: expected a non-empty list/m },
    { name: "empty argument", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [codex, ""]\n`, want: /^orch\.config\.yml: agents\.codex\.command\[1\]: expected a non-empty string; got ""/m },
    { name: "number argument", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [codex, 3]\n`, want: /^orch\.config\.yml: agents\.codex\.command\[1\]: expected a non-empty string; got 3/m },
    { name: "NUL in an argument", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [codex, "a\\0b"]\n`, want: /^orch\.config\.yml: agents\.codex\.command\[1\]: an argument cannot contain a NUL/m },
    { name: "{prompt} as the program", yaml: `default_agent: codex\nagents:\n  codex:\n    command: ["{prompt}"]\n`, want: /^orch\.config\.yml: agents\.codex\.command\[0\]: the program .* cannot contain \{prompt\}/m },
    { name: "{prompt} inside sh -c", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [sh, -c, "codex exec '{prompt}'"]\n`, want: /^orch\.config\.yml: agents\.codex\.command\[2\]: \{prompt\} inside a sh -c script/m },
    { name: "{prompt} inside /bin/bash -lc", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [/bin/bash, -lc, "codex {prompt}"]\n`, want: /^orch\.config\.yml: agents\.codex\.command\[2\]: \{prompt\} inside a bash -c script/m },

    // env.
    { name: "env not a list", yaml: `${MINIMAL}    env: OPENAI_API_KEY\n`, want: /^orch\.config\.yml: agents\.codex\.env: expected a list of environment variable names/m },
    { name: "env name with a dash", yaml: `${MINIMAL}    env: [OPENAI-API-KEY]\n`, want: /^orch\.config\.yml: agents\.codex\.env\[0\]: expected a variable name .*got "OPENAI-API-KEY"/m },
    { name: "env name starting with a digit", yaml: `${MINIMAL}    env: [OK, 1KEY]\n`, want: /^orch\.config\.yml: agents\.codex\.env\[1\]: expected a variable name/m },
    { name: "env name with an = sign", yaml: `${MINIMAL}    env: ["KEY=value"]\n`, want: /^orch\.config\.yml: agents\.codex\.env\[0\]: expected a variable name/m },
    { name: "env name listed twice", yaml: `${MINIMAL}    env: [KEY, KEY]\n`, want: /^orch\.config\.yml: agents\.codex\.env\[1\]: "KEY" is listed twice/m },

    // Durations and ranges.
    { name: "timeout not a duration", yaml: `${MINIMAL}    timeout: soon\n`, want: /^orch\.config\.yml: agents\.codex\.timeout: expected a duration like 30m, 90s or 2h.*; got "soon"$/m },
    { name: "timeout quoted number", yaml: `${MINIMAL}    timeout: "90"\n`, want: /^orch\.config\.yml: agents\.codex\.timeout: expected a duration .*got "90"$/m },
    { name: "idle_timeout not a duration", yaml: `${MINIMAL}    idle_timeout: never\n`, want: /^orch\.config\.yml: agents\.codex\.idle_timeout: expected a duration like 30m, 90s or 2h.*; got "never"$/m },
    { name: "timeout zero", yaml: `${MINIMAL}    timeout: 0s\n`, want: /^orch\.config\.yml: agents\.codex\.timeout: must be between 1s and 24h; got "0s"$/m },
    { name: "timeout over a day", yaml: `${MINIMAL}    timeout: 25h\n`, want: /^orch\.config\.yml: agents\.codex\.timeout: must be between 1s and 24h; got "25h"$/m },
    { name: "timeout negative number", yaml: `${MINIMAL}    timeout: -5\n`, want: /^orch\.config\.yml: agents\.codex\.timeout: expected a duration .*got -5$/m },
    { name: "kill_grace not a duration", yaml: `${MINIMAL}kill_grace: later\n`, want: /^orch\.config\.yml: kill_grace: expected a duration .*got "later"$/m },
    { name: "kill_grace too long", yaml: `${MINIMAL}kill_grace: 1h\n`, want: /^orch\.config\.yml: kill_grace: must be between 1s and 10m; got "1h"$/m },
    { name: "description empty", yaml: `${MINIMAL}    description: ""\n`, want: /^orch\.config\.yml: agents\.codex\.description: expected a one-line description; got ""/m },
    { name: "description on two lines", yaml: `${MINIMAL}    description: "a\\nb"\n`, want: /^orch\.config\.yml: agents\.codex\.description: expected a one-line description on one line/m },

    // Containment.
    { name: "sandbox a word orch does not know", yaml: `${MINIMAL}    sandbox: docker\n`, want: /^orch\.config\.yml: agents\.codex\.sandbox: expected bwrap \(orch's sandbox, the default\) or none .*got "docker"$/m },
    { name: "sandbox off as a boolean", yaml: `${MINIMAL}    sandbox: false\n`, want: /^orch\.config\.yml: agents\.codex\.sandbox: expected bwrap .*got false$/m },
    { name: "network as a string", yaml: `${MINIMAL}    network: "no"\n`, want: /^orch\.config\.yml: agents\.codex\.network: expected true or false; got "no"$/m },
    { name: "home relative", yaml: `${MINIMAL}    home: homes/codex\n`, want: /^orch\.config\.yml: agents\.codex\.home: expected the folder copied into each attempt's HOME as an absolute path .*got "homes\/codex"$/m },
    { name: "sandbox.hide not a list", yaml: `${MINIMAL}sandbox:\n  hide: /srv\n`, want: /^orch\.config\.yml: sandbox\.hide: expected a list of absolute paths .*got "\/srv"$/m },
    { name: "sandbox.expose with a relative path", yaml: `${MINIMAL}sandbox:\n  expose: [/opt, node]\n`, want: /^orch\.config\.yml: sandbox\.expose\[1\]: expected an absolute path; got "node"$/m },
    { name: "sandbox key misspelt", yaml: `${MINIMAL}sandbox:\n  hyde: [/srv]\n`, want: /^orch\.config\.yml: sandbox: unknown key "hyde" \(did you mean "hide"\?\)$/m },

    // concurrency.
    { name: "max_running zero", yaml: `${MINIMAL}concurrency:\n  max_running: 0\n`, want: /^orch\.config\.yml: concurrency\.max_running: expected a whole number from 1 to 256; got 0$/m },
    { name: "max_running too big", yaml: `${MINIMAL}concurrency:\n  max_running: 257\n`, want: /^orch\.config\.yml: concurrency\.max_running: expected a whole number from 1 to 256; got 257$/m },
    { name: "per_repository fractional", yaml: `${MINIMAL}concurrency:\n  per_repository: 1.5\n`, want: /^orch\.config\.yml: concurrency\.per_repository: expected a whole number from 1 to 256; got 1\.5$/m },
    { name: "per_repository a string", yaml: `${MINIMAL}concurrency:\n  per_repository: "2"\n`, want: /^orch\.config\.yml: concurrency\.per_repository: expected a whole number .*got "2"$/m },
    { name: "per_agent for an unknown agent", yaml: `${MINIMAL}concurrency:\n  per_agent: {claude: 2}\n`, want: /^orch\.config\.yml: concurrency\.per_agent\.claude: "claude" is not one of the agents \(codex\)$/m },
    { name: "per_agent limit zero", yaml: `${MINIMAL}concurrency:\n  per_agent: {codex: 0}\n`, want: /^orch\.config\.yml: concurrency\.per_agent\.codex: expected a whole number from 1 to 256; got 0$/m },
    { name: "concurrency a number", yaml: `${MINIMAL}concurrency: 4\n`, want: /^orch\.config\.yml: concurrency: expected a mapping; got 4$/m },

    // git.
    { name: "git author_email without @", yaml: `${MINIMAL}git:\n  author_email: orch\n`, want: /^orch\.config\.yml: git\.author_email: expected an email address .*got "orch"$/m },
    { name: "git author_name empty", yaml: `${MINIMAL}git:\n  author_name: ""\n`, want: /^orch\.config\.yml: git\.author_name: expected a name; got ""$/m },
  ])("$name", ({ yaml, want }) => {
    expect(configErrorFor(yaml).message).toMatch(want);
  });
});

describe("parseServerConfig: forbidden env names", () => {
  it.each([
    { name: "GitHub token", env: "GITHUB_TOKEN" },
    { name: "gh CLI token", env: "GH_TOKEN" },
    { name: "app private key", env: "PRIVATE_KEY" },
    { name: "app private key path", env: "PRIVATE_KEY_PATH" },
    { name: "webhook secret", env: "WEBHOOK_SECRET" },
    { name: "OAuth client secret", env: "GITHUB_CLIENT_SECRET" },
    { name: "database URL", env: "DATABASE_URL" },
    { name: "GHES token for gh", env: "GH_ENTERPRISE_TOKEN" },
    { name: "GHES token", env: "GITHUB_ENTERPRISE_TOKEN" },
    { name: "lower-case spelling of a secret", env: "github_token" },
  ])("refuses $name and says why", ({ env }) => {
    const message = configErrorFor(`${MINIMAL}    env: [OPENAI_API_KEY, ${env}]\n`).message;
    expect(message).toMatch(/^orch\.config\.yml: agents\.codex\.env\[1\]: /m);
    expect(message).toContain(`"${env}" is one of orch's own credentials`);
    expect(message).toContain("the agent must never hold orch's credentials");
  });

  it.each([
    { name: "git askpass program", env: "GIT_ASKPASS" },
    { name: "ssh askpass program", env: "SSH_ASKPASS" },
    { name: "SSH agent socket", env: "SSH_AUTH_SOCK" },
    { name: "git config from the environment", env: "GIT_CONFIG_PARAMETERS" },
    { name: "numbered git config", env: "GIT_CONFIG_KEY_0" },
  ])("refuses variables that carry git credentials: $name", ({ env }) => {
    const message = configErrorFor(`${MINIMAL}    env: [${env}]\n`).message;
    expect(message).toMatch(new RegExp(`^orch\\.config\\.yml: agents\\.codex\\.env\\[0\\]: "${env}" can hand git a credential`, "m"));
    expect(message).toContain("the agent must never hold orch's credentials");
  });

  it.each([
    { name: "orch's home", env: "ORCH_HOME" },
    { name: "the prompt file orch sets itself", env: "ORCH_PROMPT_FILE" },
    { name: "any ORCH_ name", env: "ORCH_ANYTHING" },
  ])("refuses ORCH_ names: $name", ({ env }) => {
    const message = configErrorFor(`${MINIMAL}    env: [${env}]\n`).message;
    expect(message).toMatch(new RegExp(`^orch\\.config\\.yml: agents\\.codex\\.env\\[0\\]: "${env}" is reserved: names starting with ORCH_ belong to orch`, "m"));
  });

  it.each([
    { name: "a name that merely contains TOKEN", env: "MY_GITHUB_TOKEN_HINT" },
    { name: "a name that ends like ORCH_", env: "NOT_ORCH_HOME" },
  ])("allows $name", ({ env }) => {
    expect(parseServerConfig(`${MINIMAL}    env: [${env}]\n`, SOURCE).agents["codex"]?.env).toEqual([env]);
  });
});

describe("parseServerConfig: council.judge", () => {
  it.each([
    { name: "no council key", yaml: MINIMAL, want: {} },
    { name: "an empty council", yaml: `${MINIMAL}council: {}\n`, want: {} },
    { name: "a judge from the registry", yaml: `${MINIMAL}council:\n  judge: codex\n`, want: { judge: "codex" } },
  ])("accepts $name", ({ yaml, want }) => {
    expect(parseServerConfig(yaml, SOURCE).council).toEqual(want);
  });

  it.each([
    {
      name: "a judge that is not an agent",
      yaml: `${MINIMAL}council:\n  judge: claude\n`,
      want: /^orch\.config\.yml: council\.judge: "claude" is not one of the agents \(codex\); the judge is an agent of the registry, run in the sandbox like any other$/m,
    },
    { name: "a judge that is not a name", yaml: `${MINIMAL}council:\n  judge: [codex]\n`, want: /^orch\.config\.yml: council\.judge: /m },
    { name: "an empty judge", yaml: `${MINIMAL}council:\n  judge: ""\n`, want: /^orch\.config\.yml: council\.judge: /m },
  ])("refuses $name", ({ yaml, want }) => {
    expect(configErrorFor(yaml).message).toMatch(want);
  });
});

describe("parseServerConfig: unknown keys", () => {
  it.each([
    { name: "typo at top level", yaml: `${MINIMAL}agent: x\n`, want: /^orch\.config\.yml: unknown key "agent" at top level \(did you mean "agents"\?\)$/m },
    { name: "camelCase at top level", yaml: `${MINIMAL}killGrace: 5s\n`, want: /^orch\.config\.yml: unknown key "killGrace" at top level \(did you mean "kill_grace"\?\)$/m },
    { name: "dash for underscore", yaml: `default-agent: codex\n${MINIMAL}`, want: /^orch\.config\.yml: unknown key "default-agent" at top level \(did you mean "default_agent"\?\)$/m },
    { name: "typo in an agent", yaml: `${MINIMAL}    timout: 5m\n`, want: /^orch\.config\.yml: agents\.codex: unknown key "timout" \(did you mean "timeout"\?\)$/m },
    { name: "no close match in an agent lists the known keys", yaml: `${MINIMAL}    shell: true\n`, want: /^orch\.config\.yml: agents\.codex: unknown key "shell" \(known keys: command, env, timeout, idle_timeout, description, sandbox, network, home\)$/m },
    { name: "max_running_per_host above max_running", yaml: `${MINIMAL}concurrency:\n  max_running: 4\n  max_running_per_host: 6\n`, want: /^orch\.config\.yml: concurrency\.max_running_per_host: 6 is more than max_running \(4\), the limit over all hosts together; raise max_running or lower max_running_per_host$/m },
    { name: "host_ttl too short", yaml: `${MINIMAL}scale:\n  host_ttl: 0s\n`, want: /^orch\.config\.yml: scale\.host_ttl: /m },
    { name: "max_auto_retries out of range", yaml: `${MINIMAL}limits:\n  max_auto_retries: 11\n`, want: /^orch\.config\.yml: limits\.max_auto_retries: expected a whole number from 0 to 10; got 11$/m },
    { name: "typo in concurrency", yaml: `${MINIMAL}concurrency:\n  max_runing: 2\n`, want: /^orch\.config\.yml: concurrency: unknown key "max_runing" \(did you mean "max_running"\?\)$/m },
    { name: "typo in council", yaml: `${MINIMAL}council:\n  judges: codex\n`, want: /^orch\.config\.yml: council: unknown key "judges" \(did you mean "judge"\?\)$/m },
    { name: "typo in git", yaml: `${MINIMAL}git:\n  author: orch\n`, want: /^orch\.config\.yml: git: unknown key "author" \(known keys: author_name, author_email\)$/m },
    { name: "unrelated top-level key", yaml: `${MINIMAL}repositories: [a/b]\n`, want: /^orch\.config\.yml: unknown key "repositories" at top level \(known keys: default_agent, agents, concurrency, kill_grace, git, sandbox, scale, limits, council\)$/m },
  ])("$name", ({ yaml, want }) => {
    expect(configErrorFor(yaml).message).toMatch(want);
  });
});

describe("parseServerConfig: files that are not a config", () => {
  it.each([
    { name: "empty file", yaml: "", want: /^orch\.config\.yml: the file is empty; copy orch\.config\.example\.yml/ },
    { name: "only comments", yaml: "# nothing here\n", want: /^orch\.config\.yml: the file is empty/ },
    { name: "a list at top level", yaml: "- codex\n- claude\n", want: /^orch\.config\.yml: expected a mapping with default_agent and agents at the top level; got a list$/ },
    { name: "a scalar at top level", yaml: "codex\n", want: /^orch\.config\.yml: expected a mapping .*; got "codex"$/ },
  ])("$name", ({ yaml, want }) => {
    expect(configErrorFor(yaml).message).toMatch(want);
  });

  it.each([
    { name: "unclosed flow list", yaml: `default_agent: codex\nagents:\n  codex:\n    command: [codex, exec\n`, want: /^orch\.config\.yml: line \d+, column \d+: YAML syntax error: /m },
    { name: "unclosed quote", yaml: `default_agent: "codex\n`, want: /^orch\.config\.yml: line \d+, column \d+: YAML syntax error: Missing closing "quote/m },
    { name: "duplicate key", yaml: `${MINIMAL}default_agent: claude\n`, want: /^orch\.config\.yml: line 6, column 1: YAML syntax error: Map keys must be unique/m },
    { name: "tab indentation", yaml: `default_agent: codex\nagents:\n\tcodex:\n\t\tcommand: [codex]\n`, want: /^orch\.config\.yml: line 3, column 1: YAML syntax error: /m },
    { name: "alias to a missing anchor", yaml: `default_agent: *nope\nagents: {}\n`, want: /^orch\.config\.yml: (line \d+, column \d+: YAML syntax error|YAML error): .*nope/m },
  ])("YAML syntax error: $name", ({ yaml, want }) => {
    expect(configErrorFor(yaml).message).toMatch(want);
  });
});

describe("parseServerConfig: the error as a whole", () => {
  const broken = `
agent: x
default_agent: nope
agents:
  codex:
    command: codex exec
    timeout: soon
    env: [GITHUB_TOKEN]
concurrency:
  max_running: 0
  per_agent: {claude: 1}
`;

  it("reports every problem at once, one line each, each naming the file", () => {
    const error = configErrorFor(broken);
    expect(error.problems).toHaveLength(7);
    expect(error.message.split("\n")).toEqual(error.problems);
    for (const line of error.problems) expect(line.startsWith("orch.config.yml: ")).toBe(true);
    for (const path of [
      /agents\.codex\.command: /,
      /agents\.codex\.timeout: /,
      /agents\.codex\.env\[0\]: /,
      /concurrency\.max_running: /,
      /unknown key "agent" at top level/,
      /default_agent: "nope" is not one of the agents/,
      /concurrency\.per_agent\.claude: /,
    ]) {
      expect(error.problems.filter((line) => path.test(line))).toHaveLength(1);
    }
  });

  it("uses the source it was given", () => {
    const error = configErrorFor(broken);
    expect(error.source).toBe(SOURCE);
    expect(() => parseServerConfig("", "/etc/orch/orch.config.yml")).toThrow(/^\/etc\/orch\/orch\.config\.yml: the file is empty/);
  });

  it("is an Error named ConfigError", () => {
    const error = configErrorFor("");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConfigError");
  });
});

describe("loadServerConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads and validates a file, naming it in errors", () => {
    const file = join(dir, "bad.yml");
    writeFileSync(file, `${MINIMAL}    timeout: soon\n`);
    expect(() => loadServerConfig(file)).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: agents\\.codex\\.timeout: expected a duration`),
    );
  });

  it("says to copy the example when the file is missing, and names the path", () => {
    const file = join(dir, "missing", "orch.config.yml");
    let error: unknown;
    try {
      loadServerConfig(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(file);
    expect((error as ConfigError).message).toMatch(/Copy orch\.config\.example\.yml to .*orch\.config\.yml/);
    expect((error as ConfigError).message).toMatch(/ORCH_CONFIG/);
  });

  it("accepts the shipped orch.config.example.yml, with the four documented agents", () => {
    const example = fileURLToPath(new URL("../../orch.config.example.yml", import.meta.url));
    const config = loadServerConfig(example);
    expect(config.defaultAgent).toBe("codex");
    expect(Object.keys(config.agents).sort()).toEqual(["aider", "claude", "codex", "gemini"]);
    for (const agent of Object.values(config.agents)) {
      expect(agent.env.length).toBeGreaterThan(0);
      expect(agent.command.some((arg) => arg.includes("{prompt}"))).toBe(true);
    }
    // The entries themselves are proven with the real CLIs (npm run test:agents); here, what they all keep:
    // an idle limit, and the attempt's folder named to every CLI with a sandbox of its own.
    for (const agent of Object.values(config.agents)) expect(agent.idleTimeoutMs).toBe(10 * 60_000);
    for (const name of ["codex", "claude", "gemini"]) {
      expect(config.agents[name]?.command.some((arg) => arg.includes("{attempt_dir}"))).toBe(true);
    }
    expect(config.agents["codex"]?.command.slice(-2)).toEqual(["--", "{prompt}"]);
    expect(config.agents["claude"]?.command.slice(-2)).toEqual(["--", "{prompt}"]);
    expect(config.agents["gemini"]?.command.at(-1)).toBe("--prompt={prompt}");
    expect(config.agents["aider"]?.command.at(-1)).toBe("--message={prompt}");
    expect(config.concurrency).toEqual({ maxRunning: 4, maxRunningPerHost: 4, perRepository: 2, perAgent: { claude: 2 } });
    expect(config.scale).toEqual({ hostTtlMs: 60_000 });
  });
});
