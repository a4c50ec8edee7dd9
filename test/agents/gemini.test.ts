/**
 * The real Gemini CLI (pinned in install-clis.ts) driven by a scripted fake
 * model (fake-gemini.ts), with the `gemini` entry exactly as shipped in
 * orch.config.example.yml: first the CLI alone, then inside orch's sandbox
 * through startAgent, then through orch's whole pipeline from an
 * `/orch dispatch gemini` comment to a pushed branch.
 *
 * The fake is also every run's HTTPS_PROXY (NO_PROXY=127.0.0.1): any request
 * for the real network (the CLI's usage statistics go to play.googleapis.com
 * unless its settings say no) arrives there as a CONNECT, and each test
 * expects none.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgentArgv } from "../../src/agents/build-argv.js";
import { buildAgentEnv, startAgent } from "../../src/agents/runner.js";
import { loadServerConfig, type AgentSpec } from "../../src/config/server-config.js";
import { buildFilesSection } from "../../src/pipeline/prompt.js";
import { buildBwrapArgv } from "../../src/sandbox/bwrap-argv.js";
import { checkSandbox } from "../../src/sandbox/check-sandbox.js";
import { resolveProgram } from "../../src/sandbox/resolve-program.js";
import { resolveSandboxView } from "../../src/sandbox/sandbox-view.js";
import { issueCommentCreated } from "../fakes/events.js";
import { git, readFileAtRef } from "../helpers/git-remote.js";
import { OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";
import { makeVisibleTempDir } from "../helpers/visible-dir.js";
import { functionResponsesOf, startFakeGemini, textOf, type FakeGemini, type FakeGeminiRequest, type FakeGeminiScriptStep } from "./fake-gemini.js";
import { CLI_ROOT, installCli, type InstalledCli } from "./install-clis.js";

const EXAMPLE_CONFIG = fileURLToPath(new URL("../../orch.config.example.yml", import.meta.url));
/** Shaped like a Google AI Studio key, so it is the kind of value that must never leak. */
const FAKE_KEY = "AIzaSyFakeGeminiKeyForOrchTests-0123456";
/** What `home:` should hold for Gemini CLI (docs/agents.md): API-key auth, nothing sent to Google but the model calls, no terminal warnings. */
const SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" } },
  privacy: { usageStatisticsEnabled: false },
  telemetry: { enabled: false },
  ui: { showCompatibilityWarnings: false },
};
/**
 * A user policy (`~/.gemini/policies/*.toml`) that takes web_fetch away: auto_edit approves it
 * without asking, and it fetches any URL the model names from inside the sandbox's network.
 */
const NO_WEB_FETCH_POLICY = '[[rule]]\ntoolName = "web_fetch"\ndecision = "deny"\npriority = 100\n';
/** The harness's remote holds this README; the fake model changes its one line. */
const README = "# widgets\n";
const EDITED_README = "# widgets (ready)\n";
const SUMMARY = "Marked the README as ready";

let cli: InstalledCli;
/** The shipped entry, untouched. */
let shipped: AgentSpec;
let scratch: string;
const fakes: FakeGemini[] = [];

beforeAll(async () => {
  cli = await installCli("gemini");
  shipped = loadServerConfig(EXAMPLE_CONFIG).agents.gemini!;
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "orch-gemini-"));
});

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

async function startFake(turns: FakeGeminiScriptStep[]): Promise<FakeGemini> {
  const fake = await startFakeGemini({ turns });
  fakes.push(fake);
  return fake;
}

/** Where the result file is, read from the prompt the CLI sent (orch's files section names it), as a model would. */
function resultFileIn(request: FakeGeminiRequest): string {
  const match = /Your result file is (\/\S+) \(/.exec(textOf(request));
  if (!match) throw new Error(`the prompt the model got names no result file:\n${textOf(request)}`);
  return match[1]!;
}

/**
 * What the fake model does for every happy run: read README.md, change its
 * one line, write the result file the prompt names, and say it is done.
 */
function editReadmeScript(): FakeGeminiScriptStep[] {
  return [
    { calls: [{ name: "read_file", args: { file_path: "README.md" } }] },
    {
      calls: [
        { name: "replace", args: { file_path: "README.md", instruction: "Mark the README as ready", old_string: "# widgets", new_string: "# widgets (ready)" } },
      ],
    },
    (request) => ({
      calls: [{ name: "write_file", args: { file_path: resultFileIn(request), content: JSON.stringify({ status: "succeeded", summary: SUMMARY }) } }],
    }),
    { text: "Done: the README says ready." },
  ];
}

/** The environment variables a test gives the CLI besides orch's: the fake key, the fake model, and the fake as the proxy tripwire. */
function fakeEnv(fake: FakeGemini): Record<string, string> {
  return {
    GEMINI_API_KEY: FAKE_KEY,
    GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
    HTTPS_PROXY: fake.baseUrl,
    HTTP_PROXY: fake.baseUrl,
    NO_PROXY: "127.0.0.1",
  };
}
const FAKE_ENV_NAMES = ["GOOGLE_GEMINI_BASE_URL", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"];

function expectNoRealNetwork(fake: FakeGemini): void {
  expect(fake.requests.filter((request) => request.kind === "unknown").map((request) => request.note)).toEqual([]);
}

/** The model turns the fake answered, by what it did. */
function turnNotes(fake: FakeGemini): string[] {
  return fake.requests.filter((request) => request.kind === "turn").map((request) => request.note);
}

/** A home template folder: `.gemini/settings.json`, and `.gemini/policies/orch.toml` unless `policy` is null. */
function makeHomeTemplate(name: string, settings: object = SETTINGS, policy: string | null = NO_WEB_FETCH_POLICY): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(path.join(dir, ".gemini", "policies"), { recursive: true });
  fs.writeFileSync(path.join(dir, ".gemini", "settings.json"), `${JSON.stringify(settings, null, 2)}\n`);
  if (policy !== null) fs.writeFileSync(path.join(dir, ".gemini", "policies", "orch.toml"), policy);
  return dir;
}

/** A worktree stand-in: `files` in a fresh git repository (Gemini CLI looks for the project root). */
async function makeGitRepo(dir: string, files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  await git(dir, ["init", "--quiet"]);
  return dir;
}

describe("Gemini CLI alone, with the shipped flags", () => {
  let run = 0;

  /** A fresh worktree (README.md plus `files`), io folder and HOME (from a template), like one attempt's. */
  async function prepare(params: { files?: Record<string, string>; settings?: object; policy?: string | null } = {}) {
    run += 1;
    const root = path.join(scratch, `alone-${run}`);
    const worktree = await makeGitRepo(path.join(root, "worktree"), { "README.md": README, ...params.files });
    const ioDir = path.join(root, "io");
    const home = path.join(root, "home");
    const tmp = path.join(root, "tmp");
    fs.mkdirSync(ioDir);
    fs.mkdirSync(tmp);
    fs.cpSync(makeHomeTemplate(`alone-${run}-template`, params.settings, params.policy), home, { recursive: true });
    const resultFile = path.join(ioDir, "result.json");
    const prompt = `Mark the README as ready.\n\n${buildFilesSection({ resultFile })}`;
    return { worktree, ioDir, home, tmp, resultFile, prompt };
  }

  /** Runs the CLI as orch would (argv, stdin /dev/null, a reduced environment), without orch's sandbox. */
  async function runGemini(params: { args: string[]; cwd: string; home: string; tmp: string; env: Record<string, string | undefined> }) {
    const startedAt = Date.now();
    const env = Object.fromEntries(
      Object.entries({ PATH: process.env.PATH, HOME: params.home, TMPDIR: params.tmp, TERM: "dumb", CI: "1", NO_COLOR: "1", ...params.env }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const child = spawn(cli.bin, params.args, { cwd: params.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.once("close", (exitCode) => resolve(exitCode)));
    return { code, output, ms: Date.now() - startedAt };
  }

  function shippedArgs(params: { prompt: string; ioDir: string }, drop: (arg: string) => boolean = () => false): string[] {
    return buildAgentArgv({ command: shipped.command.filter((arg) => !drop(arg)) }, { prompt: params.prompt, attemptDir: params.ioDir }).slice(1);
  }

  it("reads README.md, edits one line, writes the result file the prompt names outside its worktree, and ends with text", async () => {
    const attempt = await prepare();
    const fake = await startFake(editReadmeScript());
    const { code, output } = await runGemini({ args: shippedArgs(attempt), cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: fakeEnv(fake) });

    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringContaining("Done: the README says ready.") });
    expect(output).not.toContain("Error executing tool");
    expect(fs.readFileSync(path.join(attempt.worktree, "README.md"), "utf8")).toBe(EDITED_README);
    expect(JSON.parse(fs.readFileSync(attempt.resultFile, "utf8"))).toEqual({ status: "succeeded", summary: SUMMARY });
    expect(turnNotes(fake)).toEqual(["turn 1: calls read_file", "turn 2: calls replace", "turn 3: calls write_file", "turn 4: text"]);
    // Each tool's result came back to the model in the next turn.
    const turns = fake.requests.filter((request) => request.kind === "turn");
    expect(functionResponsesOf(turns[1]!)).toEqual([{ name: "read_file", response: { output: README } }]);
    expect(functionResponsesOf(turns[2]!)[0]!.response.output).toMatch(/^Successfully modified file: .*README\.md \(1 replacements\)/);
    expect(functionResponsesOf(turns[3]!)[0]!.response).not.toHaveProperty("error");
    // auto_edit offers the file tools and no shell: headless, what would ask is denied, so it is not even offered.
    expect(fake.offeredTools()[0]).toEqual(expect.arrayContaining(["read_file", "replace", "write_file"]));
    expect(fake.offeredTools()[0]).not.toContain("run_shell_command");
    // The key went to the model as Gemini API keys do; the one side request was the model router.
    expect(turns.every((request) => request.headers["x-goog-api-key"] === FAKE_KEY)).toBe(true);
    expect(fake.requests.filter((request) => request.kind === "side").map((request) => request.note)).toEqual([
      expect.stringMatching(/^side: generateJson \{"complexity_reasoning":.*"complexity_score":10\}$/),
    ]);
    expectNoRealNetwork(fake);
    // With ui.showCompatibilityWarnings off, TERM=dumb costs no warnings.
    expect(output).not.toContain("Warning:");
  });

  it("cannot write the result file without --include-directories: Path not in workspace, and still exits 0", async () => {
    const attempt = await prepare();
    const fake = await startFake(editReadmeScript());
    const args = shippedArgs(attempt, (arg) => arg.startsWith("--include-directories"));
    const { code, output } = await runGemini({ args, cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: fakeEnv(fake) });

    expect(code).toBe(0);
    expect(output).toContain("Error executing tool write_file: Path not in workspace");
    expect(fs.existsSync(attempt.resultFile)).toBe(false);
    expect(fs.readFileSync(path.join(attempt.worktree, "README.md"), "utf8")).toBe(EDITED_README);
  });

  it.each([
    { name: "offered, and run without asking, with no policy", policy: null, isOffered: true },
    { name: "not offered with the home template's policy denying it", policy: NO_WEB_FETCH_POLICY, isOffered: false },
  ])("web_fetch under auto_edit: $name", async ({ policy, isOffered }) => {
    const attempt = await prepare({ policy });
    const fake = await startFake([{ calls: [{ name: "web_fetch", args: { prompt: "Summarise https://example.com/" } }] }, { text: "Fetched." }]);
    const { code, output } = await runGemini({ args: shippedArgs(attempt), cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: fakeEnv(fake) });

    expect(fake.offeredTools()[0]!.includes("web_fetch")).toBe(isOffered);
    if (isOffered) {
      // The policy let it run: it got as far as its private-address check of the URL (this host has no internet), not "denied by policy".
      expect(code).toBe(0);
      expect(output).toContain("Error executing tool web_fetch");
      expect(output).not.toContain("denied by policy");
    } else {
      expect(code).toBe(1);
      expect(output).toContain("fake-gemini: turn 1 calls web_fetch, but the CLI offered only");
    }
  });

  it.each([
    { name: "without --skip-trust it refuses the fresh worktree: exit 55", dropSkipTrust: true, env: {}, code: 55 },
    { name: "GEMINI_CLI_TRUST_WORKSPACE=true trusts it like --skip-trust", dropSkipTrust: true, env: { GEMINI_CLI_TRUST_WORKSPACE: "true" }, code: 0 },
    { name: "with --skip-trust it runs", dropSkipTrust: false, env: {}, code: 0 },
  ])("folder trust is on by default: $name", async ({ dropSkipTrust, env, code }) => {
    const attempt = await prepare();
    const fake = await startFake(editReadmeScript());
    const args = shippedArgs(attempt, (arg) => dropSkipTrust && arg === "--skip-trust");
    const result = await runGemini({ args, cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: { ...fakeEnv(fake), ...env } });

    expect(result.code).toBe(code);
    if (code === 55) {
      expect(result.output).toContain("Gemini CLI is not running in a trusted directory.");
      expect(turnNotes(fake)).toEqual([]);
    } else {
      expect(fs.readFileSync(path.join(attempt.worktree, "README.md"), "utf8")).toBe(EDITED_README);
    }
  });

  it.each([
    { name: "package.json under auto_edit", file: "package.json", mode: "--approval-mode=auto_edit" },
    { name: "a nested go.mod under auto_edit", file: "tools/go.mod", mode: "--approval-mode=auto_edit" },
    { name: "Dockerfile under --approval-mode=yolo", file: "Dockerfile", mode: "--approval-mode=yolo" },
    { name: "package-lock.json under --yolo", file: "package-lock.json", mode: "--yolo" },
  ])("headless it refuses to edit build files in any mode: $name", async ({ file, mode }) => {
    const attempt = await prepare({ files: { [file]: "Status: draft\n" } });
    const fake = await startFake([
      { calls: [{ name: "replace", args: { file_path: file, instruction: "Mark it ready", old_string: "Status: draft", new_string: "Status: ready" } }] },
      { text: "Tried." },
    ]);
    const args = shippedArgs(attempt).map((arg) => (arg.startsWith("--approval-mode") ? mode : arg));
    const { code, output } = await runGemini({ args, cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: fakeEnv(fake) });

    expect(code).toBe(0);
    expect(output).toContain("Error executing tool replace: Tool execution denied by policy. Modifying build configuration files requires explicit user confirmation");
    expect(fs.readFileSync(path.join(attempt.worktree, file), "utf8")).toBe("Status: draft\n");
    if (mode !== "--approval-mode=auto_edit") {
      // yolo offers the shell (which auto_edit does not), and --yolo is a plain spelling of it, not a deprecated one.
      expect(fake.offeredTools()[0]).toContain("run_shell_command");
      expect(output).toContain("YOLO mode is enabled.");
      expect(output).not.toMatch(/deprecat/i);
    }
  });

  it.each([
    { name: "TERM=dumb", term: "dumb", showCompatibilityWarnings: undefined, warnings: ["Basic terminal detected (TERM=dumb)", "256-color support not detected"] },
    { name: "no TERM at all", term: undefined, showCompatibilityWarnings: undefined, warnings: ["256-color support not detected"] },
    { name: "TERM=dumb and ui.showCompatibilityWarnings: false", term: "dumb", showCompatibilityWarnings: false, warnings: [] },
  ])("terminal warnings on every run: $name", async ({ term, showCompatibilityWarnings, warnings }) => {
    const ui = showCompatibilityWarnings === undefined ? {} : { ui: { showCompatibilityWarnings } };
    const attempt = await prepare({ settings: { ...SETTINGS, ui: undefined, ...ui } });
    const fake = await startFake([{ text: "Hello." }]);
    const { code, output } = await runGemini({ args: shippedArgs(attempt), cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: { ...fakeEnv(fake), TERM: term } });

    expect(code).toBe(0);
    const printed = output.split("\n").filter((line) => line.startsWith("Warning: "));
    expect(printed).toHaveLength(warnings.length);
    warnings.forEach((warning, i) => expect(printed[i]).toContain(warning));
  });

  it("when the model stalls, gives up after its 60 s response-headers timeout with general.maxAttempts: 1 (exit 1)", async () => {
    const attempt = await prepare({ settings: { ...SETTINGS, general: { maxAttempts: 1 } } });
    const fake = await startFake([{ stall: true }]);
    const { code, output, ms } = await runGemini({ args: shippedArgs(attempt), cwd: attempt.worktree, home: attempt.home, tmp: attempt.tmp, env: fakeEnv(fake) });

    expect(code).toBe(1);
    expect(output).toContain("fetch failed sending request");
    expect(turnNotes(fake)).toEqual(["turn 1: stall"]);
    // undici's headersTimeout, which the CLI sets to 60 s (not a setting); by default it then retries, up to 10 attempts.
    expect(ms).toBeGreaterThan(59_000);
    expect(ms).toBeLessThan(120_000);
  }, 180_000);
});

describe("Gemini CLI in orch's sandbox (startAgent), with the shipped entry", () => {
  it("edits the worktree and writes the result file in the attempt's io folder, its HOME the attempt's own from a home template", async () => {
    const check = await checkSandbox();
    if (!check.ok) throw new Error(check.problem);
    // Outside /tmp, so what the sandbox hides is hidden because orch says so.
    const layout = makeVisibleTempDir("gemini-sandbox-");
    try {
      const orchHome = path.join(layout, "orch", ".orch");
      const worktree = await makeGitRepo(path.join(orchHome, "worktrees", "1"), { "README.md": README });
      const ioDir = path.join(orchHome, "attempts", "1", "io");
      const agentHome = path.join(orchHome, "attempts", "1", "home");
      fs.mkdirSync(ioDir, { recursive: true });
      // What run-agent.ts does with a `home:` folder.
      fs.cpSync(makeHomeTemplate("sandbox-template"), agentHome, { recursive: true });
      const resultFile = path.join(ioDir, "result.json");
      const prompt = `Mark the README as ready.\n\n${buildFilesSection({ resultFile })}`;
      fs.writeFileSync(path.join(ioDir, "prompt.md"), prompt);
      const view = resolveSandboxView({
        worktree,
        ioDir,
        promptFile: path.join(ioDir, "prompt.md"),
        agentHome,
        readOnlyBinds: [],
        hidden: { orchHome, orchCwd: path.join(layout, "orch"), orchUserHome: os.homedir(), operatorPaths: [] },
        // This repository may lie under a hidden folder (/root, /home): show the CLI's install again, read-only.
        exposed: [CLI_ROOT],
        // The fake model listens on the host's loopback.
        network: true,
      });
      const fake = await startFake(editReadmeScript());
      const source = { ...process.env, PATH: `${cli.binDir}:${process.env.PATH ?? ""}`, ...fakeEnv(fake) };
      const command = buildAgentArgv(shipped, { prompt, attemptDir: view.ioDir, resultFile: path.join(view.ioDir, "result.json") });
      const env = buildAgentEnv({
        source,
        passThrough: [...shipped.env, ...FAKE_ENV_NAMES],
        extra: { HOME: view.agentHome, TMPDIR: "/tmp", ORCH_ATTEMPT_DIR: view.ioDir, ORCH_RESULT_FILE: resultFile, ORCH_ATTEMPT_ID: "gemini-sandbox" },
      });
      const program = resolveProgram({ program: command[0]!, pathEnv: env.PATH, view });
      if (!program.ok) throw new Error(program.problem);
      const logFile = path.join(layout, "agent.log");
      const agent = await startAgent({
        argv: buildBwrapArgv({ bwrap: check.bwrap, view, command: [program.path, ...command.slice(1)] }),
        program: command[0],
        sandboxed: true,
        cwd: view.worktree,
        env,
        logFile,
        redact: async (text) => text.split(FAKE_KEY).join("[redacted]"),
        timeoutMs: 120_000,
        killGraceMs: 1_000,
      });
      const exit = await agent.exited;
      const log = fs.readFileSync(logFile, "utf8");

      expect({ exit, log }).toMatchObject({ exit: { reason: "exited", exitCode: 0 }, log: expect.stringContaining("Done: the README says ready.") });
      expect(log).not.toContain("Error executing tool");
      expect(fs.readFileSync(path.join(worktree, "README.md"), "utf8")).toBe(EDITED_README);
      expect(JSON.parse(fs.readFileSync(resultFile, "utf8"))).toEqual({ status: "succeeded", summary: SUMMARY });
      expect(turnNotes(fake)).toEqual(["turn 1: calls read_file", "turn 2: calls replace", "turn 3: calls write_file", "turn 4: text"]);
      // Its state went to the attempt's HOME (a session record), next to the settings from the template.
      expect(fs.readdirSync(path.join(agentHome, ".gemini")).sort()).toEqual(expect.arrayContaining(["settings.json", "tmp"]));
      expect(fs.readdirSync(path.join(agentHome, ".gemini", "tmp"), { recursive: true }).some((name) => String(name).includes("session-"))).toBe(true);
      expect(log).not.toContain(FAKE_KEY);
      expectNoRealNetwork(fake);
    } finally {
      fs.rmSync(layout, { recursive: true, force: true });
    }
  });
});

describe("Gemini CLI through orch's pipeline: /orch dispatch gemini", () => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  /** The shipped entry plus only what a test needs: the fake's variables, a home template, the CLI on PATH, and `extra`. */
  async function startGeminiHarness(fake: FakeGemini, extra: Partial<AgentSpec> = {}): Promise<Harness> {
    const { name: _name, ...entry } = shipped;
    return startHarness({
      agents: { gemini: { ...entry, env: [...entry.env, ...FAKE_ENV_NAMES], homeTemplate: makeHomeTemplate(`pipeline-${Date.now()}`), ...extra } },
      env: { ...fakeEnv(fake), PATH: `${cli.binDir}:${process.env.PATH ?? ""}` },
      // This repository may lie under a folder every sandbox hides.
      expose: [CLI_ROOT],
    });
  }

  async function latestAttempt(h: Harness, number: number) {
    const thread = await h.store.findThread({ owner: OWNER, repo: REPO, number });
    const run = thread ? await h.store.findRun({ threadId: thread.id }) : undefined;
    return run?.tasks[0]?.attempts.at(-1);
  }

  it("edits the README on the pushed branch and reports the agent's own summary", async () => {
    const fake = await startFake(editReadmeScript());
    harness = await startGeminiHarness(fake);
    const h = harness;
    h.github.threads.set(21, { state: "open", title: "Mark the README as ready", body: "It still says draft." });

    const deliveredAt = Date.now();
    await h.deliver("issue_comment", issueCommentCreated({ owner: OWNER, repo: REPO, number: 21, body: "/orch dispatch gemini", title: "Mark the README as ready" }));
    const tookMs = Date.now() - deliveredAt;

    const attempt = await latestAttempt(h, 21);
    expect(attempt).toMatchObject({ state: "succeeded", agent: "gemini", exitCode: 0, summary: SUMMARY });
    console.info(`gemini pipeline: comment → first model request ${fake.requests[0]!.at - deliveredAt} ms, whole attempt ${tookMs} ms`);
    const branch = attempt!.branch!;
    expect(await readFileAtRef(h.remote.barePath, `refs/heads/${branch}`, "README.md")).toBe(EDITED_README);
    expect(await git(h.remote.barePath, ["diff", "--name-only", `main..${branch}`])).toBe("README.md");
    const checkRun = h.github.checkRuns.find((run) => run.head_sha === h.remote.headSha);
    expect(checkRun!.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(checkRun!.output?.summary).toContain(SUMMARY);
    expect(checkRun!.output?.text).toContain("Done: the README says ready.");
    expect(checkRun!.output?.text).not.toContain("Error executing tool");
    expect(h.github.pulls).toHaveLength(1);

    // The model got orch's prompt, with the result file by its path inside the sandbox, and the shipped flags worked there.
    expect(turnNotes(fake)).toEqual(["turn 1: calls read_file", "turn 2: calls replace", "turn 3: calls write_file", "turn 4: text"]);
    const firstTurn = fake.requests.find((request) => request.kind === "turn")!;
    expect(textOf(firstTurn)).toContain("resolve issue #21");
    expect(resultFileIn(firstTurn)).toBe(path.join(fs.realpathSync(h.home), "attempts", String(attempt!.id), "io", "result.json"));
    expect(fake.requests.filter((request) => request.kind === "turn").every((request) => request.headers["x-goog-api-key"] === FAKE_KEY)).toBe(true);
    expectNoRealNetwork(fake);

    // The key reached the model and nothing else: no GitHub request, no object on the remote.
    expect(h.github.requests.filter((request) => JSON.stringify(request.body ?? "").includes(FAKE_KEY))).toEqual([]);
    expect(await git(h.remote.barePath, ["log", "--all", "-p", "--format=%H%n%B"])).not.toContain(FAKE_KEY);
    expect(h.github.unexpected).toEqual([]);
  });

  it("ends a stalled model's attempt timed_out as idle after idle_timeout", async () => {
    const fake = await startFake([{ stall: true }]);
    const idleTimeoutMs = 10_000;
    harness = await startGeminiHarness(fake, { idleTimeoutMs });
    const h = harness;
    h.github.threads.set(22, { state: "open", title: "Mark the README as ready", body: "It still says draft." });

    const deliveredAt = Date.now();
    await h.deliver("issue_comment", issueCommentCreated({ owner: OWNER, repo: REPO, number: 22, body: "/orch dispatch gemini" }));
    const tookMs = Date.now() - deliveredAt;
    console.info(`gemini pipeline, stalled model: comment → attempt ended ${tookMs} ms (idle_timeout ${idleTimeoutMs} ms)`);

    const attempt = await latestAttempt(h, 22);
    expect(attempt).toMatchObject({ state: "timed_out", summary: expect.stringMatching(/^idle for 10\.0s \(no output, no file change\)/) });
    expect(turnNotes(fake)).toEqual(["turn 1: stall"]);
    expect(tookMs).toBeGreaterThan(idleTimeoutMs);
    // Well before the CLI's own 60 s headers timeout would have made it print a retry.
    expect(tookMs).toBeLessThan(45_000);
    expect(h.github.pulls).toEqual([]);
    // SIGTERM was enough: the CLI (a launcher that ignores SIGTERM, and the node process it relaunches) was gone within the harness's 0.5 s grace.
    const log = h.github.checkRuns.find((run) => run.head_sha === h.remote.headSha)!.output?.text ?? "";
    expect(log).toMatch(/\[orch\] idle for 10\.0s \(no output, no file change\) after \d+\.\ds, killed everything in its sandbox\n/);
    expect(log).not.toContain("SIGTERM was not enough");
    expectNoRealNetwork(fake);
  });
});
