import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isProcessGroupAlive, killProcessGroup } from "./process-group.js";
import { buildAgentEnv, startAgent } from "./runner.js";
import { buildBwrapArgv } from "../sandbox/bwrap-argv.js";
import { checkSandbox } from "../sandbox/check-sandbox.js";
import { resolveSandboxView, type SandboxView } from "../sandbox/sandbox-view.js";
import { makeVisibleTempDir } from "../../test/helpers/visible-dir.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/agents/", import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);

let dir: string;
let attemptDir: string;
let worktree: string;
let logFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "orch-runner-"));
  attemptDir = path.join(dir, "attempt");
  worktree = path.join(dir, "worktree");
  // Nested and not yet there: startAgent creates the log's parent directories.
  logFile = path.join(dir, "logs", "nested", "agent.log");
  await mkdir(attemptDir);
  await mkdir(worktree);
});

afterEach(async () => {
  // A failed test must not leave sleepers behind: the agent's group holds them all.
  const agentPid = readPidIfPresent(path.join(attemptDir, "agent.pid"));
  if (agentPid !== undefined) {
    try {
      process.kill(-agentPid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

function agentEnv(extra: Record<string, string> = {}): Record<string, string> {
  return buildAgentEnv({ source: process.env, passThrough: [], extra: { ORCH_ATTEMPT_DIR: attemptDir, ...extra } });
}

function start(overrides: Partial<Parameters<typeof startAgent>[0]> & { argv: string[] }) {
  return startAgent({
    cwd: worktree,
    env: agentEnv(),
    logFile,
    timeoutMs: 30_000,
    killGraceMs: 2_000,
    ...overrides,
  });
}

/** "gone" once reaped; "zombie" when dead but not yet reaped by its parent (init, for orphans). */
function processState(pid: number): "running" | "zombie" | "gone" {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "gone";
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ? "zombie" : "running";
  } catch {
    return "gone";
  }
}

function isGone(pid: number): boolean {
  return processState(pid) === "gone";
}

function readPidIfPresent(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForPid(name: string): Promise<number> {
  const file = path.join(attemptDir, name);
  await expect.poll(() => readPidIfPresent(file), { timeout: 10_000, interval: 20 }).toBeDefined();
  return readPidIfPresent(file)!;
}

/**
 * The agent and its grandchild are dead the moment `exited` settles. The
 * orphaned grandchild is reaped by init, not by orch, and some inits (this VM's
 * included) reap only every few seconds, so "gone" (ESRCH) is awaited; "not
 * running" is checked at once.
 */
async function expectAgentAndGrandchildGone(agentPid: number, grandchildPid: number) {
  expect(processState(agentPid)).toBe("gone");
  expect(processState(grandchildPid)).not.toBe("running");
  expect(isProcessGroupAlive(agentPid)).toBe(false);
  await expect.poll(() => isGone(grandchildPid), { timeout: 20_000, interval: 100 }).toBe(true);
  expect(() => process.kill(grandchildPid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
}

const log = () => readFile(logFile, "utf8");

describe("startAgent: an agent that exits by itself", () => {
  it("reports exit code 0 and logs its output between orch's header and footer", async () => {
    const agent = await start({ argv: [fixture("no-changes.sh")] });
    expect(agent.pid).toBeTypeOf("number");

    const exit = await agent.exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0, signal: null });
    const lines = (await log()).split("\n");
    expect(lines[0]).toMatch(/^\[orch\] started \S*no-changes\.sh at \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(lines[1]).toBe("no-changes: nothing to do here");
    expect(lines[2]).toMatch(/^\[orch\] exited with code 0 after \d+\.\ds$/);
    expect(lines.slice(3)).toEqual([""]);
  });

  it("reports exit code 1 and logs both its stdout and its stderr", async () => {
    const exit = await (await start({ argv: [fixture("fail.sh")] })).exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: 1, signal: null });
    const text = await log();
    expect(text).toContain("fail: starting work\n");
    expect(text).toContain("fail: something went wrong\n");
    expect(text).toMatch(/\[orch\] exited with code 1 after \d+\.\ds\n$/);
  });

  it("appends to an existing log, and puts the footer on its own line after output without a newline", async () => {
    await mkdir(path.dirname(logFile), { recursive: true });
    await writeFile(logFile, "earlier attempt output\n");

    await (await start({ argv: ["printf", "no newline at the end"] })).exited;

    const text = await log();
    expect(text.startsWith("earlier attempt output\n[orch] started printf at ")).toBe(true);
    expect(text).toMatch(/\nno newline at the end\n\[orch\] exited with code 0 after \d+\.\ds\n$/);
  });

  it("reports a signal that orch did not send, such as the OOM killer's SIGKILL", async () => {
    const exit = await (await start({ argv: ["bash", "-c", 'kill -KILL "$$"'] })).exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: null, signal: "SIGKILL" });
    expect(await log()).toMatch(/\[orch\] exited on signal SIGKILL after \d+\.\ds\n$/);
  });

  it("kills a background process the agent left running, then reports its exit 0", async () => {
    const agent = await start({ argv: [fixture("leave-background.sh")] });

    const exit = await agent.exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    const grandchild = readPidIfPresent(path.join(attemptDir, "grandchild.pid"))!;
    await expectAgentAndGrandchildGone(agent.pid!, grandchild);
    expect(await log()).toMatch(
      /\[orch\] exited with code 0 after \d+\.\ds; stopped the processes it left running\n$/,
    );
  });

  it("gives the agent end-of-file on stdin and no terminal, so a prompt for input cannot hang it", async () => {
    const script = '[ -t 0 ] || [ -t 1 ] || echo "no terminal"; cat; echo "stdin closed"';

    const exit = await (await start({ argv: ["bash", "-c", script], timeoutMs: 20_000 })).exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    expect(await log()).toContain("no terminal\nstdin closed\n");
  });
});

describe("startAgent: timeout", () => {
  it("kills the agent and its grandchild with SIGTERM and reports timed_out", async () => {
    const agent = await start({ argv: [fixture("sleep.sh")], timeoutMs: 1_000, killGraceMs: 2_000 });
    const agentPid = await waitForPid("agent.pid");
    const grandchild = await waitForPid("grandchild.pid");
    expect(agentPid).toBe(agent.pid);

    const exit = await agent.exited;

    expect(exit.reason).toBe("timed_out");
    await expectAgentAndGrandchildGone(agentPid, grandchild);
    const footer = (await log()).trimEnd().split("\n").at(-1);
    expect(footer).toBe("[orch] timed out after 1.0s, killed its process group");
  });

  it("sends SIGKILL after the grace period to an agent that ignores SIGTERM", async () => {
    const agent = await start({
      argv: [fixture("sleep.sh")],
      env: agentEnv({ IGNORE_TERM: "1" }),
      timeoutMs: 1_000,
      killGraceMs: 300,
    });
    const grandchild = await waitForPid("grandchild.pid");

    const exit = await agent.exited;

    expect(exit.reason).toBe("timed_out");
    await expectAgentAndGrandchildGone(agent.pid!, grandchild);
    expect(await log()).toMatch(
      /\[orch\] timed out after 1\.0s, killed its process group \(SIGKILL after 0\.3s: SIGTERM was not enough\)\n$/,
    );
  });
});

describe("startAgent: cancel", () => {
  it("kills the agent and its grandchild when the signal aborts, and reports cancelled", async () => {
    const controller = new AbortController();
    const agent = await start({ argv: [fixture("sleep.sh")], signal: controller.signal });
    const grandchild = await waitForPid("grandchild.pid");

    controller.abort();
    const exit = await agent.exited;

    expect(exit.reason).toBe("cancelled");
    await expectAgentAndGrandchildGone(agent.pid!, grandchild);
    expect(await log()).toMatch(/\[orch\] cancelled after \d+\.\ds, killed its process group\n$/);
  });

  it("does not start the agent when the signal is already aborted", async () => {
    const agent = await start({ argv: [fixture("print-env.sh")], signal: AbortSignal.abort() });

    const exit = await agent.exited;

    expect(agent.pid).toBeUndefined();
    expect(exit).toEqual({ reason: "cancelled", durationMs: 0 });
    expect(existsSync(path.join(attemptDir, "env.txt"))).toBe(false);
    expect(await log()).toBe(`[orch] cancelled before ${fixture("print-env.sh")} started\n`);
  });

  it("reports the timeout, not a cancel, when the abort comes during the kill", async () => {
    const controller = new AbortController();
    const agent = await start({
      argv: [fixture("sleep.sh")],
      env: agentEnv({ IGNORE_TERM: "1" }),
      signal: controller.signal,
      timeoutMs: 300,
      killGraceMs: 3_000,
    });
    await waitForPid("agent.pid");
    await new Promise((resolve) => setTimeout(resolve, 800)); // timed out, inside the grace period

    controller.abort();

    expect((await agent.exited).reason).toBe("timed_out");
  });
});

describe("startAgent: an agent that cannot start", () => {
  it.each([
    {
      name: "program not on PATH",
      argv: ["orch-no-such-agent"],
      message: 'could not start "orch-no-such-agent": program not found on PATH',
    },
    {
      name: "missing program path",
      argv: ["/nonexistent/orch-agent"],
      message: 'could not start "/nonexistent/orch-agent": no such program (or the interpreter on its #! line is missing)',
    },
    {
      name: "a directory instead of a program",
      argv: [os.tmpdir()],
      message: `could not start ${JSON.stringify(os.tmpdir())}: permission denied (is it an executable file?)`,
    },
    {
      name: "an argument longer than the kernel allows (a prompt in argv)",
      argv: ["echo", "x".repeat(200 * 1024)],
      message:
        'could not start "echo": its arguments are too long for the operating system (pass a long prompt as the file ORCH_PROMPT_FILE instead of {prompt})',
    },
    { name: "an empty command", argv: [], message: "could not start the agent: its command is empty" },
  ])("$name → spawn_failed with a message for the user", async ({ argv, message }) => {
    const agent = await start({ argv });

    const exit = await agent.exited;

    expect(agent.pid).toBeUndefined();
    expect(exit).toMatchObject({ reason: "spawn_failed", message });
    expect(await log()).toContain(`[orch] ${message}\n`);
  });

  it("names a missing working directory instead of blaming the program", async () => {
    const exit = await (await start({ argv: [fixture("no-changes.sh")], cwd: path.join(dir, "gone") })).exited;

    expect(exit).toMatchObject({
      reason: "spawn_failed",
      message: `could not start ${JSON.stringify(fixture("no-changes.sh"))}: its working directory does not exist`,
    });
  });
});

describe("startAgent: no shell", () => {
  it("passes every argument verbatim: spaces, $(...), ;, quotes, globs and newlines", async () => {
    const args = [
      "two words",
      "$(touch pwned)",
      "`touch pwned2`",
      "a; touch pwned3",
      "'single' \"double\"",
      "line one\nline two",
      "",
      "*",
      "$HOME",
      "| cat > pwned4",
      "--flag=--value",
    ];

    const exit = await (await start({ argv: [fixture("echo-args.sh"), ...args] })).exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    const records = (await readFile(path.join(attemptDir, "args.bin"), "utf8")).split("\0").slice(0, -1);
    expect(records).toEqual(args);
    for (const name of ["pwned", "pwned2", "pwned3", "pwned4"]) {
      expect(existsSync(path.join(worktree, name))).toBe(false);
    }
  });
});

describe("startAgent: environment", () => {
  it("gives the agent only the reduced environment, never orch's secrets", async () => {
    const env = buildAgentEnv({
      source: {
        PATH: process.env.PATH,
        HOME: "/home/orch",
        GITHUB_TOKEN: "ghs_secret",
        PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
        WEBHOOK_SECRET: "hook",
        DATABASE_URL: "postgresql://orch:pw@db/orch",
        OPENAI_API_KEY: "sk-test",
        UNRELATED: "x",
      },
      passThrough: ["OPENAI_API_KEY", "GITHUB_TOKEN"],
      extra: { ORCH_ATTEMPT_DIR: attemptDir },
    });

    await (await start({ argv: [fixture("print-env.sh")], env })).exited;

    const seen = (await readFile(path.join(attemptDir, "env.txt"), "utf8")).split("\n");
    expect(seen).toContain("OPENAI_API_KEY=sk-test");
    expect(seen).toContain("HOME=/home/orch");
    expect(seen).toContain(`ORCH_ATTEMPT_DIR=${attemptDir}`);
    expect(seen).toContain("CI=1");
    const names = seen.map((line) => line.split("=")[0]);
    for (const secret of ["GITHUB_TOKEN", "PRIVATE_KEY", "WEBHOOK_SECRET", "DATABASE_URL", "UNRELATED"]) {
      expect(names).not.toContain(secret);
    }
    expect(await log()).not.toContain("sk-test");
  });
});

describe("fixture agents", () => {
  it("commit-file.sh commits orch-agent.txt with the prompt's first line", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: worktree, encoding: "utf8" }).trim();
    git("init", "--quiet");
    const promptFile = path.join(attemptDir, "prompt.md");
    await writeFile(promptFile, "Fix the flaky test\nmore details\n");

    const exit = await (await start({ argv: [fixture("commit-file.sh")], env: agentEnv({ ORCH_PROMPT_FILE: promptFile }) })).exited;

    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
    expect(git("log", "--format=%s")).toBe("agent: add orch-agent.txt");
    expect(git("status", "--porcelain")).toBe("");
    expect(await readFile(path.join(worktree, "orch-agent.txt"), "utf8")).toBe("Fix the flaky test\n");
  });

  it("blocked.sh writes a blocked result file", async () => {
    const resultFile = path.join(attemptDir, "result.json");

    await (await start({ argv: [fixture("blocked.sh")], env: agentEnv({ ORCH_RESULT_FILE: resultFile }) })).exited;

    expect(JSON.parse(await readFile(resultFile, "utf8"))).toEqual({
      status: "blocked",
      summary: "need the API key for staging",
    });
  });

  it("edit-no-commit.sh leaves a file behind", async () => {
    await (await start({ argv: [fixture("edit-no-commit.sh")] })).exited;

    expect(existsSync(path.join(worktree, "orch-agent-draft.txt"))).toBe(true);
  });
});

describe("killProcessGroup and isProcessGroupAlive", () => {
  it("is safe on a group that is already gone", async () => {
    const agent = await start({ argv: [fixture("no-changes.sh")] });
    await agent.exited;

    expect(isProcessGroupAlive(agent.pid!)).toBe(false);
    await expect(killProcessGroup(agent.pid!, 100)).resolves.toBeUndefined();
  });

  it("treats a group whose only member is an unreaped zombie as gone, so a kill does not wait on it", async () => {
    // The zombie's parent execs `sleep`, which never reaps it: what orphans
    // look like under an init that does not reap (node as PID 1 in a container).
    const pidFile = path.join(attemptDir, "zombie.pid");
    const parent = spawn("bash", ["-c", 'setsid sleep 0.1 & echo "$!" > "$0"; exec sleep 300', pidFile], {
      stdio: "ignore",
      detached: true,
    });
    try {
      const zombie = await waitForPid("zombie.pid");
      await expect.poll(() => processState(zombie), { timeout: 10_000 }).toBe("zombie");
      expect(() => process.kill(-zombie, 0)).not.toThrow(); // kill(2) alone would call it alive

      expect(isProcessGroupAlive(zombie)).toBe(false);
      await expect(killProcessGroup(zombie, 60_000)).resolves.toBeUndefined();
    } finally {
      process.kill(-parent.pid!, "SIGKILL");
    }
  });

  it.each([0, 1, -5, 1.5, Number.NaN, process.pid])("refuses the group id %s (it would hit orch itself or everything)", (pgid) => {
    expect(() => isProcessGroupAlive(pgid)).toThrow(RangeError);
  });
});

describe("buildAgentEnv", () => {
  const source = {
    PATH: "/usr/bin:/bin",
    HOME: "/home/orch",
    USER: "orch",
    LANG: "C.UTF-8",
    TZ: "UTC",
    GITHUB_TOKEN: "ghs_x",
    GH_TOKEN: "gho_x",
    PRIVATE_KEY: "pem",
    PRIVATE_KEY_PATH: "/keys/app.pem",
    WEBHOOK_SECRET: "hook",
    DATABASE_URL: "postgresql://x",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: "Authorization: token x",
    GIT_ASKPASS: "/usr/bin/askpass",
    SSH_AUTH_SOCK: "/tmp/agent.sock",
    OPENAI_API_KEY: "sk-x",
    ANTHROPIC_API_KEY: "sk-ant-x",
    APP_ID: "1234",
  };
  const secrets = [
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "PRIVATE_KEY",
    "PRIVATE_KEY_PATH",
    "WEBHOOK_SECRET",
    "DATABASE_URL",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_KEY_0",
    "GIT_CONFIG_VALUE_0",
    "GIT_ASKPASS",
    "SSH_AUTH_SOCK",
  ];

  it.each([
    { name: "nothing listed", passThrough: [] },
    { name: "every secret listed by the operator", passThrough: secrets },
    { name: "secrets listed in lower case", passThrough: secrets.map((name) => name.toLowerCase()) },
  ])("never passes orch's credentials ($name)", ({ passThrough }) => {
    const env = buildAgentEnv({ source, passThrough, extra: {} });

    for (const name of secrets) expect(env).not.toHaveProperty(name);
    expect(env).not.toHaveProperty("APP_ID");
  });

  it("keeps the basics, passes the listed names, and sets the non-interactive defaults", () => {
    const env = buildAgentEnv({
      source,
      passThrough: ["OPENAI_API_KEY", "NOT_SET_ANYWHERE"],
      extra: { ORCH_PROMPT_FILE: "/attempt/prompt.md" },
    });

    expect(env).toEqual({
      PATH: "/usr/bin:/bin",
      HOME: "/home/orch",
      USER: "orch",
      LANG: "C.UTF-8",
      TZ: "UTC",
      TERM: "dumb",
      NO_COLOR: "1",
      CI: "1",
      GIT_TERMINAL_PROMPT: "0",
      OPENAI_API_KEY: "sk-x",
      ORCH_PROMPT_FILE: "/attempt/prompt.md",
    });
  });

  it("keeps TERM when set, and lets extra win over everything", () => {
    const env = buildAgentEnv({
      source: { ...source, TERM: "xterm" },
      passThrough: ["OPENAI_API_KEY"],
      extra: { OPENAI_API_KEY: "from-orch", CI: "true", GIT_CONFIG_GLOBAL: "/dev/null" },
    });

    expect(env).toMatchObject({ TERM: "xterm", OPENAI_API_KEY: "from-orch", CI: "true", GIT_CONFIG_GLOBAL: "/dev/null" });
  });

  it("throws when orch's own code tries to hand the agent a credential", () => {
    expect(() => buildAgentEnv({ source, passThrough: [], extra: { GITHUB_TOKEN: "ghs_x" } })).toThrow(/GITHUB_TOKEN/);
  });
});

describe("startAgent: idle timeout", () => {
  it("ends an agent that prints nothing and changes nothing, as timed out and idle", async () => {
    const exit = await (await start({ argv: ["bash", "-c", "echo starting; sleep 300"], idleTimeoutMs: 1_000 })).exited;
    expect(exit).toMatchObject({ reason: "timed_out", idleMs: 1_000 });
    expect(await log()).toMatch(/\[orch\] idle for 1\.0s \(no output, no file change\) after \d+\.\ds, killed its process group\n$/);
  });

  it("counts the checkout it starts in as the starting point, not as a change", async () => {
    // A fresh worktree's files are newer than "the last output minus the clock slack";
    // counted as a change, they would make a silent agent wait a second idle period.
    await writeFile(path.join(worktree, "checked-out.txt"), "fresh\n");
    const exit = await (await start({ argv: ["bash", "-c", "sleep 300"], idleTimeoutMs: 2_000 })).exited;
    expect(exit).toMatchObject({ reason: "timed_out", idleMs: 2_000 });
    expect(exit.durationMs).toBeLessThan(2 * 2_000);
  });

  it.each([
    { name: "keeps printing", script: "for i in 1 2 3 4 5 6 7; do echo tick $i; sleep 0.4; done" },
    { name: "prints nothing but keeps changing files", script: "for i in 1 2 3 4 5 6 7; do echo $i > progress-$i.txt; sleep 0.4; done" },
  ])("leaves an agent that $name alone", async ({ script }) => {
    const exit = await (await start({ argv: ["bash", "-c", `${script}; exit 0`], idleTimeoutMs: 1_000 })).exited;
    expect(exit).toMatchObject({ reason: "exited", exitCode: 0 });
  });
});

describe("startAgent in orch's sandbox", () => {
  let layout: string;
  let view: SandboxView;
  let bwrap: string;

  beforeEach(async () => {
    const check = await checkSandbox();
    if (!check.ok) throw new Error(check.problem);
    bwrap = check.bwrap;
    // Outside /tmp, so what the sandbox hides is hidden because orch says so.
    layout = makeVisibleTempDir("runner-");
    const orchHome = path.join(layout, "orch", ".orch");
    for (const sub of ["worktrees/1", "attempts/1/io", "attempts/1/home"]) await mkdir(path.join(orchHome, sub), { recursive: true });
    await writeFile(path.join(orchHome, "attempts/1/io/prompt.md"), "prompt\n");
    view = resolveSandboxView({
      worktree: path.join(orchHome, "worktrees/1"),
      ioDir: path.join(orchHome, "attempts/1/io"),
      promptFile: path.join(orchHome, "attempts/1/io/prompt.md"),
      agentHome: path.join(orchHome, "attempts/1/home"),
      readOnlyBinds: [],
      hidden: { orchHome, orchCwd: path.join(layout, "orch"), orchUserHome: path.join(layout, "user-home"), operatorPaths: [] },
      exposed: [FIXTURES],
      network: false,
    });
  });

  afterEach(async () => {
    await rm(layout, { recursive: true, force: true });
  });

  function sandboxed(command: string[], overrides: Partial<Parameters<typeof startAgent>[0]> = {}) {
    return startAgent({
      argv: buildBwrapArgv({ bwrap, view, command }),
      program: command[0],
      sandboxed: true,
      cwd: view.worktree,
      env: buildAgentEnv({ source: process.env, passThrough: [], extra: { ORCH_ATTEMPT_DIR: view.ioDir, HOME: view.agentHome, TMPDIR: "/tmp", ORCH_ATTEMPT_ID: "runner-sandbox" } }),
      logFile,
      timeoutMs: 30_000,
      killGraceMs: 500,
      ...overrides,
    });
  }

  function hostProcessesNamed(fragment: string): number[] {
    return readdirSync("/proc").filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        return readFileSync(`/proc/${entry}/cmdline`, "latin1").includes(fragment);
      } catch {
        return false;
      }
    }).map(Number);
  }

  it("ends what the agent started in a session of its own when the agent exits, and reports its code", async () => {
    const marker = `lurker-${process.pid}-${Date.now()}`;
    const agent = await sandboxed(["/bin/bash", "-c", `setsid bash -c 'exec -a ${marker} sleep 300' </dev/null >/dev/null 2>&1 & sleep 0.3; exit 3`]);
    const exit = await agent.exited;
    expect(exit).toMatchObject({ reason: "exited", exitCode: 3 });
    expect(hostProcessesNamed(marker)).toEqual([]);
  });

  it("on timeout sends SIGTERM to everything inside first, then reports timed_out with nothing left", async () => {
    const marker = `sleeper-${process.pid}-${Date.now()}`;
    const agent = await sandboxed(
      ["/bin/bash", "-c", `trap 'echo got TERM >"$ORCH_ATTEMPT_DIR/term"; exit 0' TERM; setsid bash -c 'exec -a ${marker} sleep 300' </dev/null >/dev/null 2>&1 & while true; do sleep 0.1; done`],
      { timeoutMs: 1_000 },
    );
    const exit = await agent.exited;
    expect(exit.reason).toBe("timed_out");
    expect(readFileSync(path.join(view.ioDir, "term"), "utf8")).toBe("got TERM\n");
    expect(hostProcessesNamed(marker)).toEqual([]);
    expect(await readFile(logFile, "utf8")).toMatch(/\[orch\] timed out after 1\.0s, killed everything in its sandbox\n$/);
  });

  it("writes the agent's output into the log itself, through the redactor", async () => {
    const agent = await sandboxed(["/bin/bash", "-c", "echo out: hunter2-secret-value; echo err: hunter2-secret-value >&2"], {
      redact: async (text) => text.split("hunter2-secret-value").join("[redacted]"),
    });
    await agent.exited;
    const text = await readFile(logFile, "utf8");
    expect(text).toContain("out: [redacted]\n");
    expect(text).toContain("err: [redacted]\n");
    expect(text).not.toContain("hunter2");
  });

  it("says when the sandbox itself could not start, not that the agent failed", async () => {
    await rm(view.ioDir, { recursive: true, force: true });
    const exit = await (await sandboxed(["/bin/true"])).exited;
    expect(exit.reason).toBe("spawn_failed");
    expect(exit).toMatchObject({ message: expect.stringMatching(/^could not start "\/bin\/true" in its sandbox \(.+\)$/) });
  });
});
