/**
 * Codex CLI, the real CLI (install-clis.ts), driven by a scripted fake of the
 * OpenAI Responses API (fake-openai.ts): first alone, then in orch's sandbox,
 * then through orch's whole pipeline with the `codex` entry exactly as
 * orch.config.example.yml ships it. The fake model reads README.md, patches
 * it, writes the result file orch's prompt names, and ends with a message;
 * or it stalls, as a hung API would.
 *
 * Nothing here reaches a real network: the model's address is in the `home:`
 * template's .codex/config.toml (`openai_base_url`), and the shipped entry
 * turns off the rest (plugin sync from GitHub and chatgpt.com, analytics),
 * which a recording proxy below checks.
 *
 * Every layout lies outside /tmp: Codex refuses to set up its own sandbox's
 * helper under its TMPDIR, so with a HOME there no command of the model runs.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgentArgv } from "../../src/agents/build-argv.js";
import { buildAgentEnv, startAgent } from "../../src/agents/runner.js";
import { loadServerConfig, type AgentSpec } from "../../src/config/server-config.js";
import { buildBwrapArgv } from "../../src/sandbox/bwrap-argv.js";
import { checkSandbox } from "../../src/sandbox/check-sandbox.js";
import { resolveProgram } from "../../src/sandbox/resolve-program.js";
import { resolveSandboxView, type SandboxView } from "../../src/sandbox/sandbox-view.js";
import { issueCommentCreated } from "../fakes/events.js";
import { freePort } from "../helpers/free-port.js";
import { git, readFileAtRef } from "../helpers/git-remote.js";
import { OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";
import { waitUntilGone } from "../helpers/processes.js";
import { makeVisibleTempDir } from "../helpers/visible-dir.js";
import { findToolOutputs, findUserText, startFakeOpenAI, type FakeOpenAI, type RecordedRequest, type ScriptedTurn } from "./fake-openai.js";
import { CLI_ROOT, installCli, type InstalledCli } from "./install-clis.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Shaped like a real project key, so the redactor's patterns would catch it too, not only its listing in `env`. */
const API_KEY = "sk-proj-fakeCodexTestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123";
const SUMMARY = "Said in the README that Codex maintains it";
const RESULT = JSON.stringify({ status: "succeeded", summary: SUMMARY });
const README = "# widgets\n";
const EDITED_README = "# widgets, maintained with Codex\n";
const PATCH = ["*** Begin Patch", "*** Update File: README.md", "@@", "-# widgets", "+# widgets, maintained with Codex", "*** End Patch", ""].join("\n");
/** A command whose output says whether the model's commands could see the key: in their environment, in a file, in any process's. */
const LEAK_PROBE = `echo "key=[$CODEX_API_KEY]" > leak.txt; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c '^CODEX_API_KEY=' || true`;

/** The shipped entry, read from the example config as an operator would copy it. */
const shipped = loadServerConfig(path.join(REPO_ROOT, "orch.config.example.yml")).agents.codex!;

let cli: InstalledCli;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  cli = await installCli("codex");
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh folder outside /tmp (see the top of the file), removed after the test. */
function visibleDir(prefix: string): string {
  const dir = makeVisibleTempDir(prefix);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeModel(turns: ScriptedTurn[]): Promise<FakeOpenAI> {
  const fake = await startFakeOpenAI({ turns });
  cleanups.push(() => fake.close());
  return fake;
}

/** A HOME template for Codex: .codex/config.toml pointing it at the fake model, as an operator's `home:` folder would hold it. */
function writeHomeTemplate(dir: string, baseUrl: string): string {
  fs.mkdirSync(path.join(dir, ".codex"), { recursive: true });
  fs.writeFileSync(path.join(dir, ".codex", "config.toml"), `openai_base_url = ${JSON.stringify(baseUrl)}\n`);
  return dir;
}

/** A git repository with one commit holding README.md. */
function makeRepo(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "README.md"), README);
  const run = (args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.test", ...args], { cwd: dir, stdio: "pipe" });
  run(["init", "-q", "--initial-branch=main"]);
  run(["add", "README.md"]);
  run(["commit", "-qm", "initial"]);
  return dir;
}

/** The task's turns: read README.md, patch it, write the result file, probe for the key, end with a message. */
function editReadmeTurns(resultFile: (request: RecordedRequest) => string): ScriptedTurn[] {
  return [
    { shell: "cat README.md" },
    { patch: PATCH },
    (request) => ({ shell: `printf '%s\\n' '${RESULT}' > ${resultFile(request)}` }),
    { shell: LEAK_PROBE },
    { message: "Done: the README names its maintainer." },
  ];
}

/**
 * What Codex sent back for each tool call, as the model saw it, in order.
 * Every request carries the whole conversation (`store: false`), so the last
 * one holds them all. The fake's shell script ends each output with `[exit N]`.
 */
function toolOutputsOf(fake: FakeOpenAI): string[] {
  const last = fake.modelRequests().at(-1);
  return last ? findToolOutputs(last).map((output) => output.text.replace(/^Script completed\nWall time [\d.]+ seconds\nOutput:\n/, "")) : [];
}

/** The result file's path as orch's prompt names it. */
function resultFileFromPrompt(request: RecordedRequest): string {
  const match = /^Your result file is (\/\S+) \(/m.exec(findUserText(request).join("\n"));
  if (!match) throw new Error("the prompt does not name the result file");
  return match[1]!;
}

/** The shipped entry's argv with the installed CLI as its program. */
function shippedArgv(values: { prompt: string; attemptDir: string; resultFile: string }): string[] {
  const [program, ...rest] = buildAgentArgv(shipped, values);
  expect(program).toBe("codex");
  return [cli.bin, ...rest];
}

/** `argv` without `flag` and the value after it (to show what a flag of the shipped entry is for). */
function without(argv: string[], flag: string, value: string): string[] {
  const at = argv.findIndex((arg, index) => arg === flag && argv[index + 1] === value);
  expect(at).toBeGreaterThan(0);
  return [...argv.slice(0, at), ...argv.slice(at + 2)];
}

/** Host processes whose environment holds `value`: what is left of an agent that was given it. */
function processesHolding(value: string): number[] {
  return fs.readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return false;
    try {
      return fs.readFileSync(`/proc/${entry}/environ`, "latin1").includes(value);
    } catch {
      return false;
    }
  }).map(Number);
}

interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs the CLI as orch would without its sandbox: no shell, stdin /dev/null, only the environment given. */
async function runCli(params: { argv: string[]; cwd: string; env: Record<string, string> }): Promise<CliRun> {
  const { argv, cwd, env } = params;
  const startedAt = Date.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { exitCode, stdout, stderr, durationMs: Date.now() - startedAt };
}

/** An HTTP proxy that refuses everything and records what was asked of it: where a CLI goes besides its model. */
async function startRecordingProxy(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502);
    res.end();
  });
  server.on("connect", (req: http.IncomingMessage, socket: import("node:stream").Duplex) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("Codex CLI alone, as the shipped entry runs it", () => {
  // Run outside a sandbox, Codex makes this (empty) folder whatever TMPDIR says; inside orch's, /tmp is the sandbox's own.
  const daemonDir = `/tmp/codex-daemon-${os.userInfo().uid}`;
  let hadDaemonDir = false;

  beforeAll(() => {
    hadDaemonDir = fs.existsSync(daemonDir);
  });

  afterAll(() => {
    if (!hadDaemonDir) fs.rmSync(daemonDir, { recursive: true, force: true });
  });

  /** A repository, an io folder and a HOME whose config.toml points Codex at `baseUrl`. */
  function hostLayout(baseUrl: string) {
    const root = visibleDir("codex-alone-");
    const ioDir = path.join(root, "io");
    fs.mkdirSync(ioDir);
    const home = writeHomeTemplate(path.join(root, "home"), baseUrl);
    const repo = makeRepo(path.join(root, "repo"));
    return { repo, home, ioDir, resultFile: path.join(ioDir, "result.json") };
  }

  function hostEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, TMPDIR: visibleDir("codex-tmp-"), CODEX_API_KEY: API_KEY, ...extra };
  }

  it("reads README.md, patches it, writes the result file in the --add-dir folder, and prints the model's last message", async () => {
    let resultFile = "";
    const fake = await fakeModel(editReadmeTurns(() => resultFile));
    const layout = hostLayout(fake.baseUrl);
    resultFile = layout.resultFile;
    const prompt = `Say in the README who maintains it. Your result file is ${layout.resultFile}.`;

    const run = await runCli({ argv: shippedArgv({ prompt, attemptDir: layout.ioDir, resultFile }), cwd: layout.repo, env: hostEnv(layout.home) });

    expect(run).toMatchObject({ exitCode: 0, stdout: "Done: the README names its maintainer.\n" });
    expect(fake.problems).toEqual([]);
    expect(toolOutputsOf(fake)).toEqual([`${README}\n[exit 0]`, "{}", "\n[exit 0]", "0\n\n[exit 0]"]);
    expect(fs.readFileSync(path.join(layout.repo, "README.md"), "utf8")).toBe(EDITED_README);
    expect(fs.readFileSync(resultFile, "utf8")).toBe(`${RESULT}\n`);
    expect(fs.readFileSync(path.join(layout.repo, "leak.txt"), "utf8")).toBe("key=[]\n");
    // One WebSocket try (the fake answers 426: use HTTP), then one streamed POST per turn, each with the key.
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /v1/responses", ...Array(5).fill("POST /v1/responses")]);
    const turns = fake.modelRequests();
    expect(turns.map((request) => request.headers.authorization)).toEqual(Array(5).fill(`Bearer ${API_KEY}`));
    expect(turns[0]!.headers.version).toBe(cli.version);
    expect(turns[0]!.body).toMatchObject({ stream: true, store: false });
    expect(findUserText(turns[0]!)).toContain(prompt);
    // The key went to the model's API only, never back to the model in a tool's output.
    expect(turns.some((request) => JSON.stringify(request.body).includes(API_KEY))).toBe(false);
  });

  it("keeps every *KEY*, *TOKEN* and *SECRET* variable from the model's commands; without ignore_default_excludes=false they see them", async () => {
    const command = "env | cut -d= -f1 | grep -E 'KEY|TOKEN|SECRET' | sort | tr '\\n' ' '";
    const names = async (argv: (values: { prompt: string; attemptDir: string; resultFile: string }) => string[]) => {
      const fake = await fakeModel([{ shell: command }, { message: "listed" }]);
      const layout = hostLayout(fake.baseUrl);
      const run = await runCli({
        argv: argv({ prompt: "List the variables.", attemptDir: layout.ioDir, resultFile: layout.resultFile }),
        cwd: layout.repo,
        env: hostEnv(layout.home, { DEPLOY_TOKEN: "t0ken", OTHER_SECRET: "s3cret" }),
      });
      expect(run.exitCode).toBe(0);
      return toolOutputsOf(fake)[0];
    };

    expect(await names(shippedArgv)).toBe("\n[exit 0]");
    expect(await names((values) => without(shippedArgv(values), "-c", "shell_environment_policy.ignore_default_excludes=false"))).toBe(
      "CODEX_API_KEY DEPLOY_TOKEN OTHER_SECRET \n[exit 0]",
    );
  });

  it("cannot write the result file without --add-dir {attempt_dir}: its sandbox makes everything outside the worktree and /tmp read-only", async () => {
    let resultFile = "";
    const fake = await fakeModel([() => ({ shell: `echo '${RESULT}' > ${resultFile}` }), { message: "tried" }]);
    const layout = hostLayout(fake.baseUrl);
    resultFile = layout.resultFile;
    const argv = without(shippedArgv({ prompt: "Write the result.", attemptDir: layout.ioDir, resultFile }), "--add-dir", layout.ioDir);

    const run = await runCli({ argv, cwd: layout.repo, env: hostEnv(layout.home) });

    expect(run.exitCode).toBe(0);
    expect(toolOutputsOf(fake)).toEqual([`/bin/bash: line 1: ${resultFile}: Read-only file system\n\n[exit 1]`]);
    expect(fs.existsSync(resultFile)).toBe(false);
  });

  it.each([
    { name: "a subcommand's name", prompt: "review" },
    { name: "a dash", prompt: "--help is not an option here: just answer" },
  ])("takes everything after -- as the prompt, even one that is $name", async ({ prompt }) => {
    const fake = await fakeModel([{ message: "answered" }]);
    const layout = hostLayout(fake.baseUrl);

    const run = await runCli({ argv: shippedArgv({ prompt, attemptDir: layout.ioDir, resultFile: layout.resultFile }), cwd: layout.repo, env: hostEnv(layout.home) });

    expect(run).toMatchObject({ exitCode: 0, stdout: "answered\n" });
    expect(findUserText(fake.modelRequests()[0]!)).toContain(prompt);
  });

  it("talks to nothing but its model; without --disable plugins and analytics.enabled=false it also calls GitHub and chatgpt.com", async () => {
    const hostsContacted = async (argv: (values: { prompt: string; attemptDir: string; resultFile: string }) => string[]) => {
      const proxy = await startRecordingProxy();
      const fake = await fakeModel([{ shell: "true" }, { message: "ok" }]);
      const layout = hostLayout(fake.baseUrl);
      const proxies = Object.fromEntries(["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"].map((name) => [name, proxy.url]));
      const run = await runCli({
        argv: argv({ prompt: "Do nothing.", attemptDir: layout.ioDir, resultFile: layout.resultFile }),
        cwd: layout.repo,
        env: hostEnv(layout.home, { ...proxies, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1" }),
      });
      expect(run.exitCode).toBe(0);
      expect(fake.modelRequests()).toHaveLength(2);
      return [...new Set(proxy.seen)].sort();
    };

    expect(await hostsContacted(shippedArgv)).toEqual([]);
    const withDefaults = (values: { prompt: string; attemptDir: string; resultFile: string }) =>
      without(without(shippedArgv(values), "--disable", "plugins"), "-c", "analytics.enabled=false");
    expect(await hostsContacted(withDefaults)).toEqual(
      expect.arrayContaining(["CONNECT ab.chatgpt.com:443", "CONNECT api.github.com:443", "CONNECT chatgpt.com:443", "CONNECT github.com:443"]),
    );
  });

  it("gives up on an API it cannot reach with exit 1 in under a minute, since the entry turns its unbounded retries off", async () => {
    // Nothing listens there: connection refused, as when the network is down.
    const layout = hostLayout(`http://127.0.0.1:${await freePort()}/v1`);

    const run = await runCli({ argv: shippedArgv({ prompt: "Anything.", attemptDir: layout.ioDir, resultFile: layout.resultFile }), cwd: layout.repo, env: hostEnv(layout.home) });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("ERROR: Connection failed: error sending request");
    expect(run.stderr).not.toContain("waiting for network");
    expect(run.durationMs).toBeLessThan(60_000);
  });
});

describe("Codex CLI in orch's sandbox", () => {
  let bwrap: string;

  beforeAll(async () => {
    const check = await checkSandbox();
    if (!check.ok) throw new Error(check.problem);
    bwrap = check.bwrap;
  });

  /** One attempt's layout as orch makes it under `parent`: a worktree, an io folder with the prompt, a HOME copied from a template. */
  function sandboxLayout(params: { parent: string; fake: FakeOpenAI }): { view: SandboxView; resultFile: string } {
    const orchHome = path.join(params.parent, "orch", ".orch");
    const ioDir = path.join(orchHome, "attempts/1/io");
    const home = path.join(orchHome, "attempts/1/home");
    fs.mkdirSync(ioDir, { recursive: true });
    fs.writeFileSync(path.join(ioDir, "prompt.md"), "Say in the README who maintains it.\n");
    // The attempt's HOME is a copy of the entry's `home:` folder, as the pipeline makes it.
    fs.cpSync(writeHomeTemplate(visibleDir("codex-home-template-"), params.fake.baseUrl), home, { recursive: true });
    const worktree = makeRepo(path.join(orchHome, "worktrees/1"));
    const view = resolveSandboxView({
      worktree,
      ioDir,
      promptFile: path.join(ioDir, "prompt.md"),
      agentHome: home,
      readOnlyBinds: [],
      hidden: { orchHome, orchCwd: path.join(params.parent, "orch"), orchUserHome: os.homedir(), operatorPaths: [] },
      // This repository (and the CLI in it) may lie under a folder the sandbox hides.
      exposed: [path.join(CLI_ROOT, "codex")],
      network: true,
    });
    return { view, resultFile: path.join(view.ioDir, "result.json") };
  }

  async function runSandboxed(params: { view: SandboxView; resultFile: string }) {
    const { view, resultFile } = params;
    const env = buildAgentEnv({
      source: { PATH: `${cli.binDir}:/usr/bin:/bin`, CODEX_API_KEY: API_KEY },
      passThrough: shipped.env,
      extra: { HOME: view.agentHome, TMPDIR: "/tmp", ORCH_ATTEMPT_DIR: view.ioDir, ORCH_RESULT_FILE: resultFile, ORCH_ATTEMPT_ID: "1" },
    });
    const command = buildAgentArgv(shipped, { prompt: "Say in the README who maintains it.", attemptDir: view.ioDir, resultFile });
    const program = resolveProgram({ program: command[0]!, pathEnv: env.PATH, view });
    if (!program.ok) throw new Error(program.problem);
    const logFile = path.join(path.dirname(view.ioDir), "agent.log");
    const agent = await startAgent({
      argv: buildBwrapArgv({ bwrap, view, command: [program.path, ...command.slice(1)] }),
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

  it("runs its own sandbox inside orch's: commands as uid 1000 without network, HOME and .git read-only, the key out of reach", async () => {
    let resultFile = "";
    let modelUrl = "";
    const [read, patch, write, leak, end] = editReadmeTurns(() => resultFile);
    const fake = await fakeModel([
      read!,
      patch!,
      write!,
      leak!,
      () => ({
        shell: [
          "id -u",
          "touch ~/.codex/x 2>&1 | sed 's/.*: //'",
          "git commit -qam mine 2>&1 | sed 's/.*: //'",
          `node -e 'require("http").get(process.argv[1], () => console.log("reached the model")).on("error", (e) => console.log(e.code))' '${modelUrl}'`,
        ].join("; "),
      }),
      end!,
    ]);
    modelUrl = fake.baseUrl;
    const { view, resultFile: file } = sandboxLayout({ parent: visibleDir("codex-sandbox-"), fake });
    resultFile = file;

    const { exit, log } = await runSandboxed({ view, resultFile });

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    expect(log).toContain("Done: the README names its maintainer.\n");
    expect(fake.problems).toEqual([]);
    expect(toolOutputsOf(fake)).toEqual([
      `${README}\n[exit 0]`,
      "{}",
      "\n[exit 0]",
      // No process whose environment it could read holds the key (orch's bwrap, Codex's launcher and Codex itself do).
      "0\n\n[exit 0]",
      "1000\nRead-only file system\nRead-only file system\nEPERM\n\n[exit 0]",
    ]);
    expect(fs.readFileSync(path.join(view.worktree, "README.md"), "utf8")).toBe(EDITED_README);
    expect(fs.readFileSync(resultFile, "utf8")).toBe(`${RESULT}\n`);
    expect(fs.readFileSync(path.join(view.worktree, "leak.txt"), "utf8")).toBe("key=[]\n");
    expect(fake.modelRequests().some((request) => JSON.stringify(request.body).includes(API_KEY))).toBe(false);
    // Codex itself wrote its state under the attempt's HOME, not in the worktree.
    expect(fs.readdirSync(path.join(view.agentHome, ".codex"))).toEqual(expect.arrayContaining(["config.toml", "sessions"]));
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: view.worktree, encoding: "utf8" })).toBe(" M README.md\n?? leak.txt\n");
  });

  it("runs no command at all when its HOME lies under TMPDIR, where it will not put its sandbox's helper (ORCH_HOME in /tmp)", async () => {
    const fake = await fakeModel([{ shell: "echo ran" }, { message: "tried" }]);
    const parent = fs.mkdtempSync(path.join("/tmp", "codex-in-tmp-"));
    cleanups.push(() => fs.rmSync(parent, { recursive: true, force: true }));
    const { view, resultFile } = sandboxLayout({ parent, fake });

    const { exit, log } = await runSandboxed({ view, resultFile });

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    expect(log).toContain(`Refusing to create helper binaries under temporary dir "/tmp"`);
    expect(toolOutputsOf(fake)).toEqual(["bwrap: execvp codex-linux-sandbox: No such file or directory\n\n[exit 1]"]);
  });
});

describe("Codex CLI through orch's pipeline, with the shipped entry", () => {
  const target = { owner: OWNER, repo: REPO };
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  /** The shipped entry plus only what the test needs: a HOME template pointing at the fake, and the idle limit. */
  function codexEntry(fake: FakeOpenAI, extra: Partial<AgentSpec> = {}): Omit<AgentSpec, "name"> {
    const { name: _name, ...entry } = shipped;
    return { ...entry, homeTemplate: writeHomeTemplate(visibleDir("codex-home-template-"), fake.baseUrl), ...extra };
  }

  async function startCodexHarness(entry: Omit<AgentSpec, "name">): Promise<Harness> {
    harness = await startHarness({
      agents: { codex: entry },
      env: { PATH: `${cli.binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`, CODEX_API_KEY: API_KEY },
      // The CLI lives in this repository, which may lie under a folder every sandbox hides.
      expose: [path.join(CLI_ROOT, "codex")],
      // Not under /tmp: Codex's sandbox will not start with a HOME (ORCH_HOME) there.
      root: makeVisibleTempDir("codex-e2e-"),
    });
    return harness;
  }

  async function latestAttempt(h: Harness, number: number) {
    const thread = await h.store.findThread({ ...target, number });
    const run = thread ? await h.store.findRun({ threadId: thread.id }) : undefined;
    return run?.tasks[0]?.attempts.at(-1);
  }

  it("/orch dispatch codex: patches the README, reports the result file's summary, and the key goes nowhere but the model", async () => {
    const fake = await fakeModel(editReadmeTurns(resultFileFromPrompt));
    const h = await startCodexHarness(codexEntry(fake));
    h.github.threads.set(31, { state: "open", title: "Name a maintainer", body: "The README should say who maintains it." });

    const deliveredAt = Date.now();
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 31, body: "/orch dispatch codex", title: "Name a maintainer" }));
    const firstModelRequestMs = fake.modelRequests()[0]!.at - deliveredAt;
    console.log(`codex pipeline: comment -> first model request ${firstModelRequestMs} ms, whole attempt ${Date.now() - deliveredAt} ms`);

    const attempt = await latestAttempt(h, 31);
    expect(attempt).toMatchObject({ state: "succeeded", agent: "codex", exitCode: 0, summary: SUMMARY });
    expect(fake.problems).toEqual([]);
    expect(fake.modelRequests()).toHaveLength(5);
    expect(toolOutputsOf(fake)).toEqual([`${README}\n[exit 0]`, "{}", "\n[exit 0]", "0\n\n[exit 0]"]);
    // The prompt Codex got is orch's, ending with the result file's path inside the sandbox.
    const first = fake.modelRequests()[0]!;
    expect(findUserText(first).join("\n")).toMatch(/^You are a coding agent working on the GitHub repository acme\/widgets/m);
    expect(resultFileFromPrompt(first)).toMatch(/\/attempts\/\d+\/io\/result\.json$/);

    const branch = `refs/heads/${attempt!.branch}`;
    expect(await readFileAtRef(h.remote.barePath, branch, "README.md")).toBe(EDITED_README);
    expect(await readFileAtRef(h.remote.barePath, branch, "leak.txt")).toBe("key=[]\n");
    expect(await git(h.remote.barePath, ["diff", "--name-only", `main..${attempt!.branch}`])).toBe("README.md\nleak.txt");
    const checkRun = h.github.checkRuns.find((run) => run.head_sha === h.remote.headSha);
    expect(checkRun!.history.at(-1)).toEqual({ status: "completed", conclusion: "success" });
    expect(checkRun!.output?.summary).toContain(`**Summary:** ${SUMMARY}`);
    expect(checkRun!.output?.text).toContain("Done: the README names its maintainer.");
    expect(h.github.unexpected).toEqual([]);

    // The key reached the model's API, and nothing orch sent to GitHub or pushed, nor the model.
    expect(fake.modelRequests().every((request) => request.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(fake.modelRequests().some((request) => JSON.stringify(request.body).includes(API_KEY))).toBe(false);
    expect(JSON.stringify(h.github.requests)).not.toContain(API_KEY);
    const everything = await git(h.remote.barePath, ["log", "--all", "-p", "--format=%H%n%B"]);
    expect(everything).toContain("maintained with Codex");
    expect(everything).not.toContain(API_KEY);
    expect(processesHolding(API_KEY)).toEqual([]);
  });

  it("a stalled model ends the attempt timed_out once it has been idle for idle_timeout", async () => {
    const fake = await fakeModel([{ stall: true }]);
    const h = await startCodexHarness(codexEntry(fake, { idleTimeoutMs: 5_000 }));
    h.github.threads.set(32, { state: "open", title: "Name a maintainer", body: "The README should say who maintains it." });

    const deliveredAt = Date.now();
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 32, body: "/orch dispatch codex", title: "Name a maintainer" }));
    const endedAt = Date.now();
    const stalledAt = fake.modelRequests()[0]!.at;
    console.log(`codex pipeline, stalled model: attempt ended ${endedAt - deliveredAt} ms after the comment, ${endedAt - stalledAt} ms after the stalled request (idle_timeout 5s)`);

    const attempt = await latestAttempt(h, 32);
    expect(attempt).toMatchObject({ state: "timed_out", summary: "idle for 5.0s (no output, no file change); the agent's processes were killed" });
    expect(fake.modelRequests()).toHaveLength(1);
    expect(fake.problems).toEqual([]);
    expect(attempt!.pid === null || (await waitUntilGone(attempt!.pid))).toBe(true);
    expect(processesHolding(API_KEY)).toEqual([]);
    expect(h.github.checkRuns[0]!.history.at(-1)).toEqual({ status: "completed", conclusion: "timed_out" });
    expect(h.github.pulls).toEqual([]);
  });
});
