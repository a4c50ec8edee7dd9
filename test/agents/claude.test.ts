/**
 * Claude Code, the real CLI (install-clis.ts), driven by a scripted fake of
 * the Anthropic Messages API (fake-anthropic.ts): first alone, then in orch's
 * sandbox, then through orch's whole pipeline with the `claude` entry exactly
 * as orch.config.example.yml ships it. The fake model reads README.md, edits
 * it, writes the result file orch's prompt names, and ends with a text turn;
 * or it stalls, as a hung API would.
 *
 * Nothing here reaches a real network: the model is at ANTHROPIC_BASE_URL,
 * and the entry's `--settings` (CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1)
 * stops the rest: telemetry to api.anthropic.com, and the session-title
 * request to the model, which the tests check is never made.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgentArgv } from "../../src/agents/build-argv.js";
import { buildAgentEnv, startAgent } from "../../src/agents/runner.js";
import { loadServerConfig, type AgentSpec } from "../../src/config/server-config.js";
import { buildBwrapArgv } from "../../src/sandbox/bwrap-argv.js";
import { checkSandbox } from "../../src/sandbox/check-sandbox.js";
import { resolveProgram } from "../../src/sandbox/resolve-program.js";
import { resolveSandboxView, type SandboxView } from "../../src/sandbox/sandbox-view.js";
import { issueCommentCreated } from "../fakes/events.js";
import { git, readFileAtRef } from "../helpers/git-remote.js";
import { OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";
import { waitUntilAttemptGone } from "../helpers/processes.js";
import { makeVisibleTempDir } from "../helpers/visible-dir.js";
import {
  findPromptText,
  findToolResults,
  findWorkingDirectory,
  startFakeAnthropic,
  toolResultText,
  type FakeAnthropic,
  type FakeTurn,
  type MessagesRequest,
  type ScriptedTurn,
} from "./fake-anthropic.js";
import { CLI_ROOT, installCli, type InstalledCli } from "./install-clis.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Shaped like a real key, so the redactor's patterns would catch it too, not only its listing in `env`. */
const API_KEY = "sk-ant-api03-fakeClaudeTestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH-0123456789AA";
const SUMMARY = "Added a maintainer line to the README";
const RESULT = `${JSON.stringify({ status: "succeeded", summary: SUMMARY })}\n`;
/** What the `home:` template's .claude.json sets; Claude Code sends it back as metadata.user_id's device_id. */
const TEMPLATE_USER_ID = "0123456789abcdef".repeat(4);

/** The shipped entry, read from the example config as an operator would copy it. */
const shipped = loadServerConfig(path.join(REPO_ROOT, "orch.config.example.yml")).agents.claude!;

let cli: InstalledCli;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  cli = await installCli("claude");
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeModel(turns: ScriptedTurn[]): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic({ turns });
  cleanups.push(() => fake.close());
  return fake;
}

/** A `home:` folder for Claude Code: its first-run state answered, in .claude.json, with a user id of our own. */
function writeHomeTemplate(dir: string): string {
  fs.writeFileSync(path.join(dir, ".claude.json"), `${JSON.stringify({ hasCompletedOnboarding: true, userID: TEMPLATE_USER_ID })}\n`);
  return dir;
}

/** The four turns of the task: Read README.md, Edit one line, Write the result file, end with text. */
function editReadmeTurns(params: { readme: (request: MessagesRequest) => string; resultFile: (request: MessagesRequest) => string; from: string; to: string }): ScriptedTurn[] {
  const { readme, resultFile, from, to } = params;
  return [
    (request) => ({ toolUses: [{ name: "Read", input: { file_path: readme(request) } }] }),
    (request) => ({ toolUses: [{ name: "Edit", input: { file_path: readme(request), old_string: from, new_string: to } }] }),
    (request) => ({ toolUses: [{ name: "Write", input: { file_path: resultFile(request), content: RESULT } }] }),
    { text: "Done: the README has its maintainer line." },
  ];
}

/** What Claude Code reported back for each tool call, in order (the results in the requests after the first). */
function toolResultsOf(fake: FakeAnthropic): { isError: boolean; text: string }[] {
  return fake.requests
    .filter((request) => request.kind === "turn")
    .flatMap((request) => findToolResults(request.body as MessagesRequest))
    .map((result) => ({ isError: result.is_error === true, text: toolResultText(result.content) }));
}

function sideRequests(fake: FakeAnthropic) {
  return fake.requests.filter((request) => request.kind === "side" && request.method === "POST");
}

/** A git repository with one commit holding README.md. */
function makeRepo(dir: string, readme: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "README.md"), readme);
  const run = (args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.test", ...args], { cwd: dir, stdio: "pipe" });
  run(["init", "-q", "--initial-branch=main"]);
  run(["add", "README.md"]);
  run(["commit", "-qm", "initial"]);
  return dir;
}

interface CliRun {
  exitCode: number | null;
  output: string;
  durationMs: number;
}

/** Runs the CLI as orch would without its sandbox: no shell, stdin /dev/null, only the environment given. */
async function runCli(params: { argv: string[]; cwd: string; env: Record<string, string> }): Promise<CliRun> {
  const { argv, cwd, env } = params;
  const startedAt = Date.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  // "close", not "exit": all of its output has been read by then.
  const exitCode = await new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { exitCode, output, durationMs: Date.now() - startedAt };
}

/** The shipped entry's argv with the installed CLI as its program. */
function shippedArgv(values: { prompt: string; attemptDir: string; resultFile: string }): string[] {
  const [program, ...rest] = buildAgentArgv(shipped, values);
  expect(program).toBe("claude");
  return [cli.bin, ...rest];
}

describe("the fake model", () => {
  const tools = [{ name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"], additionalProperties: false } }];

  async function post(fake: FakeAnthropic, body: unknown, pathname = "/v1/messages") {
    const response = await fetch(`${fake.baseUrl}${pathname}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  }

  it("streams a scripted tool call, answers side requests without using a turn, and refuses what the script cannot answer", async () => {
    const fake = await fakeModel([{ toolUses: [{ name: "Read", input: { file_path: "/r/README.md" } }] }, { toolUses: [{ name: "Bash", input: { command: "ls" } }] }]);
    const title = await post(fake, {
      model: "claude-haiku",
      stream: false,
      tools: [],
      messages: [{ role: "user", content: "title?" }],
      output_config: { format: { type: "json_schema", schema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] } } },
    });
    expect(title.status).toBe(200);
    expect(JSON.parse(title.text)).toMatchObject({ content: [{ type: "text", text: '{"title":"Scripted session"}' }], stop_reason: "end_turn" });
    expect(await post(fake, { messages: [] }, "/v1/messages/count_tokens")).toMatchObject({ status: 200 });
    expect(fake.turnsUsed).toBe(0);

    const turn = await post(fake, { model: "m", stream: true, tools, messages: [{ role: "user", content: "go" }] });
    const events = [...turn.text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events).toEqual(["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    const partial = [...turn.text.matchAll(/"partial_json":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]!) as string).join("");
    expect(JSON.parse(partial)).toEqual({ file_path: "/r/README.md" });
    expect(turn.text).toContain('"stop_reason":"tool_use"');

    expect(await post(fake, { model: "m", stream: true, tools, messages: [] })).toMatchObject({ status: 400, text: expect.stringContaining("the script calls Bash, which the request does not offer (it offers Read)") });
    expect(await post(fake, { model: "m", stream: true, tools, messages: [] })).toMatchObject({ status: 400, text: expect.stringContaining("model request 3 is beyond the script (2 turns)") });
    expect(fake.problems).toHaveLength(2);
    expect(fake.requests.map((request) => request.kind)).toEqual(["side", "side", "turn", "refused", "refused"]);
  });

  it("never answers a stalled turn, and close() ends the waiting connection", async () => {
    const fake = await startFakeAnthropic({ turns: [{ stall: true }] });
    const pending = post(fake, { model: "m", stream: true, tools, messages: [] }).then(
      () => "answered",
      () => "connection ended",
    );
    expect(await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 500, "still waiting"))])).toBe("still waiting");
    await fake.close();
    expect(await pending).toBe("connection ended");
    expect(fake.requests.map((request) => request.kind)).toEqual(["turn"]);
  });
});

describe("Claude Code alone, as the shipped entry runs it", () => {
  function hostLayout() {
    const root = tempDir("orch-claude-");
    const home = path.join(root, "home");
    const ioDir = path.join(root, "io");
    fs.mkdirSync(home);
    fs.mkdirSync(ioDir);
    const repo = makeRepo(path.join(root, "repo"), "# widgets\n\nMaintainer: nobody\n");
    return { repo, home, ioDir, resultFile: path.join(ioDir, "result.json"), readme: path.join(repo, "README.md") };
  }

  function hostEnv(params: { home: string; fake: FakeAnthropic; extra?: Record<string, string> }): Record<string, string> {
    return {
      PATH: "/usr/bin:/bin",
      HOME: params.home,
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: params.fake.baseUrl,
      ...params.extra,
    };
  }

  it("reads README.md, edits it, writes the result file in the --add-dir folder outside its worktree, and ends with the model's text", async () => {
    const layout = hostLayout();
    const fake = await fakeModel(
      editReadmeTurns({ readme: () => layout.readme, resultFile: () => layout.resultFile, from: "Maintainer: nobody", to: "Maintainer: Claude Code" }),
    );
    const prompt = `Name the maintainer in the README. Your result file is ${layout.resultFile}.`;

    const run = await runCli({ argv: shippedArgv({ prompt, attemptDir: layout.ioDir, resultFile: layout.resultFile }), cwd: layout.repo, env: hostEnv({ home: layout.home, fake }) });

    expect(run).toMatchObject({ exitCode: 0, output: "Done: the README has its maintainer line.\n" });
    expect(fake.problems).toEqual([]);
    expect(fake.turnsUsed).toBe(4);
    expect(toolResultsOf(fake)).toEqual([
      { isError: false, text: expect.stringContaining("Maintainer: nobody") },
      { isError: false, text: expect.stringContaining("has been updated successfully") },
      { isError: false, text: expect.stringContaining(`File created successfully at: ${layout.resultFile}`) },
    ]);
    expect(fs.readFileSync(layout.readme, "utf8")).toBe("# widgets\n\nMaintainer: Claude Code\n");
    expect(fs.readFileSync(layout.resultFile, "utf8")).toBe(RESULT);
    // The prompt arrives whole, as the first user message; the key as x-api-key, on every model request.
    const turns = fake.requests.filter((request) => request.kind === "turn");
    expect(findPromptText(turns[0]!.body as MessagesRequest)).toBe(prompt);
    expect(turns.map((request) => request.headers["x-api-key"])).toEqual([API_KEY, API_KEY, API_KEY, API_KEY]);
    // The entry's --settings turns non-essential traffic off: nothing but the agent loop (and a HEAD / warm-up), no title request.
    expect(sideRequests(fake)).toEqual([]);
    expect(fs.readdirSync(path.join(layout.home, ".claude"))).not.toContain("telemetry");
  });

  it("refuses to write the result file without --add-dir: it lies outside the folders it may edit", async () => {
    const layout = hostLayout();
    const fake = await fakeModel(
      editReadmeTurns({ readme: () => layout.readme, resultFile: () => layout.resultFile, from: "Maintainer: nobody", to: "Maintainer: Claude Code" }),
    );
    const argv = shippedArgv({ prompt: "Name the maintainer in the README.", attemptDir: layout.ioDir, resultFile: layout.resultFile });
    const addDir = argv.indexOf("--add-dir");
    expect(argv[addDir + 1]).toBe(layout.ioDir);
    argv.splice(addDir, 2);

    const run = await runCli({ argv, cwd: layout.repo, env: hostEnv({ home: layout.home, fake }) });

    expect(run.exitCode).toBe(0);
    expect(toolResultsOf(fake)[2]).toEqual({ isError: true, text: `Claude requested permissions to write to ${layout.resultFile}, but you haven't granted it yet.` });
    expect(fs.existsSync(layout.resultFile)).toBe(false);
    // The worktree edit itself needs no flag beyond acceptEdits.
    expect(fs.readFileSync(layout.readme, "utf8")).toBe("# widgets\n\nMaintainer: Claude Code\n");
  });

  it("takes everything after -- as the prompt, even one that starts with a dash", async () => {
    const prompt = "--help is not an option here: just answer";
    const layout = hostLayout();
    const fake = await fakeModel([{ text: "answered" }]);

    const run = await runCli({ argv: shippedArgv({ prompt, attemptDir: layout.ioDir, resultFile: layout.resultFile }), cwd: layout.repo, env: hostEnv({ home: layout.home, fake }) });

    expect(run).toMatchObject({ exitCode: 0, output: "answered\n" });
    expect(findPromptText(fake.requests.find((request) => request.kind === "turn")!.body as MessagesRequest)).toBe(prompt);
  });

  // By hand, with the defaults: a try every 5 minutes (its stream watchdog), 10 retries; with
  // CLAUDE_CODE_MAX_RETRIES=2 it exited after 902s, with API_TIMEOUT_MS=3000 alone after 213s.
  it("gives up on a stalled model after API_TIMEOUT_MS when CLAUDE_CODE_MAX_RETRIES is 0, exiting 1", async () => {
    const layout = hostLayout();
    const fake = await fakeModel([{ stall: true }]);

    const run = await runCli({
      argv: shippedArgv({ prompt: "Name the maintainer in the README.", attemptDir: layout.ioDir, resultFile: layout.resultFile }),
      cwd: layout.repo,
      env: hostEnv({ home: layout.home, fake, extra: { API_TIMEOUT_MS: "3000", CLAUDE_CODE_MAX_RETRIES: "0" } }),
    });

    expect(run).toMatchObject({ exitCode: 1, output: "Request timed out\n" });
    expect(fake.turnsUsed).toBe(1);
    expect(fake.problems).toEqual([]);
  });
});

describe("Claude Code in orch's sandbox", () => {
  let bwrap: string;

  beforeAll(async () => {
    const check = await checkSandbox();
    if (!check.ok) throw new Error(check.problem);
    bwrap = check.bwrap;
  });

  /** One attempt's layout as orch makes it, outside /tmp so the sandbox hides orch's folders because orch says so. */
  function sandboxLayout(): { view: SandboxView; resultFile: string; readme: string } {
    const layout = makeVisibleTempDir("claude-sandbox-");
    cleanups.push(() => fs.rmSync(layout, { recursive: true, force: true }));
    const orchHome = path.join(layout, "orch", ".orch");
    const ioDir = path.join(orchHome, "attempts/1/io");
    const home = path.join(orchHome, "attempts/1/home");
    fs.mkdirSync(ioDir, { recursive: true });
    fs.writeFileSync(path.join(ioDir, "prompt.md"), "Name the maintainer in the README.\n");
    // The attempt's HOME is a copy of the entry's `home:` folder, as the pipeline makes it.
    fs.cpSync(writeHomeTemplate(tempDir("claude-home-template-")), home, { recursive: true });
    const worktree = makeRepo(path.join(orchHome, "worktrees/1"), "# widgets\n\nMaintainer: nobody\n");
    const view = resolveSandboxView({
      worktree,
      ioDir,
      promptFile: path.join(ioDir, "prompt.md"),
      agentHome: home,
      readOnlyBinds: [],
      hidden: { orchHome, orchCwd: path.join(layout, "orch"), orchUserHome: os.homedir(), operatorPaths: [] },
      // This repository (and the CLI in it) may lie under a folder the sandbox hides.
      exposed: [path.join(CLI_ROOT, "claude")],
      network: true,
    });
    return { view, resultFile: path.join(view.ioDir, "result.json"), readme: path.join(view.worktree, "README.md") };
  }

  /** Runs `command` as orch's runner does in this view; `uid` swaps the sandbox's uid 1000 for another. */
  async function runSandboxed(params: { view: SandboxView; command: string[]; fake: FakeAnthropic; uid?: number }) {
    const { view, command, fake } = params;
    const env = buildAgentEnv({
      source: { PATH: `${cli.binDir}:/usr/bin:/bin`, ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.baseUrl },
      passThrough: [...shipped.env, "ANTHROPIC_BASE_URL"],
      extra: { HOME: view.agentHome, TMPDIR: "/tmp", ORCH_ATTEMPT_DIR: view.ioDir, ORCH_RESULT_FILE: path.join(view.ioDir, "result.json"), ORCH_ATTEMPT_ID: "1" },
    });
    const program = resolveProgram({ program: command[0]!, pathEnv: env.PATH, view });
    if (!program.ok) throw new Error(program.problem);
    const logFile = path.join(path.dirname(view.ioDir), "agent.log");
    const argv = buildBwrapArgv({ bwrap, view, command: [program.path, ...command.slice(1)] });
    if (params.uid !== undefined) argv[argv.indexOf("--uid") + 1] = String(params.uid);
    const agent = await startAgent({
      argv,
      program: command[0]!,
      sandboxed: true,
      cwd: view.worktree,
      env,
      logFile,
      redact: async (text) => text.split(API_KEY).join("[redacted]"),
      timeoutMs: 120_000,
      killGraceMs: 2_000,
    });
    const exit = await agent.exited;
    return { exit, log: fs.readFileSync(logFile, "utf8") };
  }

  it("does the task as uid 1000 with a HOME copied from a template, which it reads, and asks for no title", async () => {
    const { view, resultFile, readme } = sandboxLayout();
    const [read, edit, write, end] = editReadmeTurns({ readme: () => readme, resultFile: () => resultFile, from: "Maintainer: nobody", to: "Maintainer: Claude Code" });
    const fake = await fakeModel([
      read!,
      edit!,
      write!,
      // Read-only commands run; anything else would need an approval nobody can give.
      { toolUses: [{ name: "Bash", input: { command: "id -u", description: "Print the user id" } }] },
      { toolUses: [{ name: "Bash", input: { command: "git commit --allow-empty -qm mine", description: "Commit" } }] },
      end!,
    ]);
    const command = buildAgentArgv(shipped, { prompt: "Name the maintainer in the README.", attemptDir: view.ioDir, resultFile });

    const { exit, log } = await runSandboxed({ view, command, fake });

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    expect(log).toContain("Done: the README has its maintainer line.\n");
    expect(fake.problems).toEqual([]);
    expect(toolResultsOf(fake)).toEqual([
      { isError: false, text: expect.stringContaining("Maintainer: nobody") },
      { isError: false, text: expect.stringContaining("has been updated successfully") },
      { isError: false, text: expect.stringContaining(`File created successfully at: ${resultFile}`) },
      { isError: false, text: "1000" },
      { isError: true, text: "This command requires approval" },
    ]);
    expect(fs.readFileSync(readme, "utf8")).toBe("# widgets\n\nMaintainer: Claude Code\n");
    expect(fs.readFileSync(resultFile, "utf8")).toBe(RESULT);
    // It used the template's .claude.json: its user id comes back as the device id.
    const metadata = (fake.requests.find((request) => request.kind === "turn")!.body as { metadata: { user_id: string } }).metadata;
    expect(JSON.parse(metadata.user_id)).toMatchObject({ device_id: TEMPLATE_USER_ID });
    expect(sideRequests(fake)).toEqual([]);
    expect(fs.readdirSync(path.join(view.agentHome, ".claude"))).not.toContain("telemetry");
  });

  it("refuses --dangerously-skip-permissions as uid 0, and runs it as the sandbox's uid 1000, where its Bash may commit", async () => {
    const { view, resultFile } = sandboxLayout();
    const fake = await fakeModel([
      { toolUses: [{ name: "Bash", input: { command: "git -c user.name=t -c user.email=t@example.test commit --allow-empty -qm mine && id -u", description: "Commit" } }] },
      { text: "committed" },
    ]);
    // The shipped entry with bypassPermissions instead of acceptEdits.
    const command = buildAgentArgv(shipped, { prompt: "Commit.", attemptDir: view.ioDir, resultFile });
    command.splice(command.indexOf("--permission-mode"), 2, "--dangerously-skip-permissions");

    const asRoot = await runSandboxed({ view, command, fake, uid: 0 });
    expect(asRoot.exit).toMatchObject({ reason: "exited", exitCode: 1 });
    expect(asRoot.log).toContain("--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n");
    expect(fake.turnsUsed).toBe(0);

    const { exit, log } = await runSandboxed({ view, command, fake });

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    expect(log).toContain("committed\n");
    expect(toolResultsOf(fake)).toEqual([{ isError: false, text: "1000" }]);
    expect(sideRequests(fake)).toEqual([]);
    expect(execFileSync("git", ["log", "--format=%s", "-1"], { cwd: view.worktree, encoding: "utf8" })).toBe("mine\n");
  });
});

describe("Claude Code through orch's pipeline, with the shipped entry", () => {
  const target = { owner: OWNER, repo: REPO };
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  /** The shipped entry plus only what the test needs: the fake's address passed through, a HOME template, and the idle limit. */
  function claudeEntry(extra: Partial<AgentSpec> = {}): Omit<AgentSpec, "name"> {
    const { name: _name, ...entry } = shipped;
    return { ...entry, env: [...shipped.env, "ANTHROPIC_BASE_URL"], homeTemplate: writeHomeTemplate(tempDir("claude-home-template-")), ...extra };
  }

  async function startClaudeHarness(fake: FakeAnthropic, entry: Omit<AgentSpec, "name">): Promise<Harness> {
    harness = await startHarness({
      agents: { claude: entry },
      env: { PATH: `${cli.binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`, ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.baseUrl },
      // The CLI lives in this repository, which may lie under a folder every sandbox hides.
      expose: [path.join(CLI_ROOT, "claude")],
    });
    return harness;
  }

  async function latestAttempt(h: Harness, number: number) {
    const thread = await h.store.findThread({ ...target, number });
    const run = thread ? await h.store.findRun({ threadId: thread.id }) : undefined;
    return run?.tasks[0]?.attempts.at(-1);
  }

  /** The result file's path as orch's prompt names it. */
  function resultFileFromPrompt(request: MessagesRequest): string {
    const match = /^Your result file is (\/\S+) \(/m.exec(findPromptText(request));
    if (!match) throw new Error("the prompt does not name the result file");
    return match[1]!;
  }

  function readmeInWorktree(request: MessagesRequest): string {
    const cwd = findWorkingDirectory(request);
    if (!cwd) throw new Error("the system prompt does not name the working directory");
    return path.join(cwd, "README.md");
  }

  it("/orch dispatch claude: edits the README, reports the result file's summary, and the key goes nowhere but the model", async () => {
    const fake = await fakeModel(editReadmeTurns({ readme: readmeInWorktree, resultFile: resultFileFromPrompt, from: "# widgets", to: "# widgets\n\nMaintained by Claude Code." }));
    const h = await startClaudeHarness(fake, claudeEntry());
    h.github.threads.set(21, { state: "open", title: "Name a maintainer", body: "The README should say who maintains it." });

    const deliveredAt = Date.now();
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 21, body: "/orch dispatch claude", title: "Name a maintainer" }));
    const firstModelRequestMs = fake.requests.find((request) => request.kind === "turn")!.at - deliveredAt;
    console.log(`claude pipeline: comment -> first model request ${firstModelRequestMs} ms, whole attempt ${Date.now() - deliveredAt} ms`);

    const attempt = await latestAttempt(h, 21);
    expect(attempt).toMatchObject({ state: "succeeded", agent: "claude", exitCode: 0, summary: SUMMARY });
    expect(fake.problems).toEqual([]);
    expect(fake.turnsUsed).toBe(4);
    expect(toolResultsOf(fake).map((result) => result.isError)).toEqual([false, false, false]);
    // The prompt Claude Code got is orch's, ending with the result file's path inside the sandbox.
    const firstTurn = fake.requests.find((request) => request.kind === "turn")!.body as MessagesRequest;
    expect(findPromptText(firstTurn)).toMatch(/^You are a coding agent working on the GitHub repository acme\/widgets/);
    expect(resultFileFromPrompt(firstTurn)).toMatch(/\/attempts\/\d+\/io\/result\.json$/);

    const branch = `refs/heads/${attempt!.branch}`;
    expect(await readFileAtRef(h.remote.barePath, branch, "README.md")).toBe("# widgets\n\nMaintained by Claude Code.\n");
    expect(await git(h.remote.barePath, ["diff", "--name-only", `main..${attempt!.branch}`])).toBe("README.md");
    const checkRun = h.github.checkRuns.find((run) => run.head_sha === h.remote.headSha);
    expect(checkRun!.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(checkRun!.output?.summary).toContain(SUMMARY);
    expect(checkRun!.output?.text).toContain("Done: the README has its maintainer line.");
    expect(h.github.unexpected).toEqual([]);

    // The key reached the model, and nothing orch sent to GitHub or pushed.
    expect(fake.requests.filter((request) => request.kind === "turn").every((request) => request.headers["x-api-key"] === API_KEY)).toBe(true);
    expect(JSON.stringify(h.github.requests)).not.toContain(API_KEY);
    const everything = await git(h.remote.barePath, ["log", "--all", "-p", "--format=%H%n%B"]);
    expect(everything).toContain("Maintained by Claude Code.");
    expect(everything).not.toContain(API_KEY);
    expect(sideRequests(fake)).toEqual([]);
  });

  it("a stalled model ends the attempt timed_out once it has been idle for idle_timeout", async () => {
    const fake = await fakeModel([{ stall: true }]);
    const h = await startClaudeHarness(fake, claudeEntry({ idleTimeoutMs: 5_000 }));
    h.github.threads.set(22, { state: "open", title: "Name a maintainer", body: "The README should say who maintains it." });

    const deliveredAt = Date.now();
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 22, body: "/orch dispatch claude", title: "Name a maintainer" }));
    const tookMs = Date.now() - deliveredAt;
    console.log(`claude pipeline, stalled model: attempt ended after ${tookMs} ms (idle_timeout 5s)`);

    const attempt = await latestAttempt(h, 22);
    expect(attempt).toMatchObject({ state: "timed_out", summary: "idle for 5.0s (no output, no file change); the agent's processes were killed" });
    expect(fake.turnsUsed).toBe(1);
    expect(fake.problems).toEqual([]);
    expect(await waitUntilAttemptGone(attempt!.id)).toBe(true);
    expect(h.github.checkRuns[0]!.history.at(-1)).toEqual({ status: "completed", conclusion: "timed_out" });
    expect(h.github.pulls).toEqual([]);
  });
});
