/**
 * Stopping real sandboxes (the installed bwrap) from the host, and what bwrap
 * reports as its exit code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVisibleTempDir } from "../../test/helpers/visible-dir.js";
import { buildBwrapArgv } from "./bwrap-argv.js";
import { findExecutable } from "./find-executable.js";
import {
  findAgentPid,
  findSandboxInit,
  isSandboxInitGone,
  listSandboxProcesses,
  signalSandbox,
  stopSandbox,
} from "./sandbox-processes.js";
import { resolveSandboxView, type SandboxView } from "./sandbox-view.js";

const BWRAP = findExecutable("bwrap", process.env.PATH, "/") ?? "/usr/bin/bwrap";

let base: string;
let view: SandboxView;
const started = new Set<ChildProcess>();

beforeAll(() => {
  // Outside /tmp and /home, which the sandbox hides as a whole (see test/helpers/visible-dir.ts).
  base = makeVisibleTempDir("processes-");
  const orchHome = path.join(base, "orch", ".orch");
  for (const dir of ["worktrees/a1", "attempts/a1/io", "attempts/a1/home", "repos/acme/widget.git/objects"]) {
    fs.mkdirSync(path.join(orchHome, dir), { recursive: true });
  }
  fs.writeFileSync(path.join(orchHome, "attempts/a1/io/prompt.md"), "prompt\n");
  view = resolveSandboxView({
    worktree: path.join(orchHome, "worktrees/a1"),
    ioDir: path.join(orchHome, "attempts/a1/io"),
    promptFile: path.join(orchHome, "attempts/a1/io/prompt.md"),
    agentHome: path.join(orchHome, "attempts/a1/home"),
    readOnlyBinds: [path.join(orchHome, "repos/acme/widget.git/objects")],
    hidden: { orchHome, orchCwd: path.join(base, "orch"), orchUserHome: path.join(base, "orch-user-home"), operatorPaths: [] },
    exposed: [],
    network: false,
  });
});

afterAll(async () => {
  for (const child of started) child.kill("SIGKILL");
  await sleep(50);
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

interface Sandboxed {
  child: ChildProcess;
  /** Settles with the outer bwrap's exit. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once `text` has appeared on stdout. */
  waitFor: (text: string) => Promise<void>;
  /** Lines bwrap wrote on --json-status-fd 3. */
  status: () => string;
}

function startSandboxed(command: string[], env: Record<string, string> = {}): Sandboxed {
  const argv = buildBwrapArgv({ bwrap: BWRAP, view, command, jsonStatusFd: 3 });
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { PATH: "/usr/bin:/bin", HOME: view.agentHome, IO: view.ioDir, ...env },
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  started.add(child);
  let stdout = "";
  let stderr = "";
  let status = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters) if (stdout.includes(waiter.text)) waiter.resolve();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding("utf8");
  (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: string) => (status += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    status: () => status,
    waitFor: (text) =>
      stdout.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no "${text}" on stdout; got ${JSON.stringify(stdout)}`)), 10_000);
            waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
          }),
  };
}

function bash(script: string, env?: Record<string, string>): Sandboxed {
  return startSandboxed(["/bin/bash", "-c", script], env);
}

function marker(): string {
  return `0.000${crypto.randomInt(100_000_000, 999_999_999)}`;
}

function hostProcessesWith(text: string): number[] {
  return fs.readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

/** A main process and a setsid'ed child, each writing a file when SIGTERM reaches it. */
const TRAPPING = `
  setsid bash -c 'trap "echo child > \\"$IO/term-child\\"; exit 0" TERM; echo child-ready; while :; do sleep 0.05; done' &
  trap 'echo main > "$IO/term-main"; exit 3' TERM
  sleep 300 "$MARKER" &
  echo main-ready
  while :; do sleep 0.05; done`;

function clearMarkers(): void {
  for (const file of ["term-main", "term-child"]) fs.rmSync(path.join(view.ioDir, file), { force: true });
}

describe("SIGTERM to the outer bwrap (what a process-group kill does)", () => {
  it("kills bwrap itself; --die-with-parent then SIGKILLs the agent, which never sees the SIGTERM", async () => {
    clearMarkers();
    const m = marker();
    const sandbox = bash(TRAPPING, { MARKER: m });
    await sandbox.waitFor("main-ready");
    await sandbox.waitFor("child-ready");
    sandbox.child.kill("SIGTERM");
    expect(await sandbox.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(await waitUntil(() => hostProcessesWith(m).length === 0)).toBe(true);
    expect(fs.existsSync(path.join(view.ioDir, "term-main"))).toBe(false);
    expect(fs.existsSync(path.join(view.ioDir, "term-child"))).toBe(false);
  });
});

describe("listSandboxProcesses", () => {
  it("lists every process inside (setsid'ed and orphaned ones too) but not bwrap's init, and nothing once it ended", async () => {
    const m = marker();
    // `; exit 0` keeps bash from exec'ing its last command.
    const sandbox = bash('setsid sleep 300 "$MARKER" & (sleep 300 "${MARKER}1" &); echo ready; sleep 300; exit 0', { MARKER: m });
    await sandbox.waitFor("ready");
    const outer = sandbox.child.pid!;
    expect(await waitUntil(() => hostProcessesWith(m).length === 2)).toBe(true);
    // bash forks its unmarked `sleep 300` after printing "ready": wait for it too.
    expect(await waitUntil(() => listSandboxProcesses(outer).length === 4)).toBe(true);
    const init = findSandboxInit(outer)!;
    const listed = listSandboxProcesses(outer);
    expect(listed).not.toContain(init.pid);
    expect(listed).not.toContain(outer);
    for (const pid of hostProcessesWith(m)) expect(listed).toContain(pid);
    for (const pid of listed) expect(fs.readlinkSync(`/proc/${pid}/ns/pid`)).toBe(init.pidNamespace);
    // bash, its `sleep 300`, and the two marked sleeps.
    expect(listed).toHaveLength(4);
    const agent = findAgentPid(outer)!;
    expect(listed).toContain(agent);
    expect(fs.readFileSync(`/proc/${agent}/cmdline`, "latin1").split("\0")[0]).toBe("/bin/bash");

    sandbox.child.kill("SIGKILL");
    await sandbox.exited;
    expect(await waitUntil(() => isSandboxInitGone(init))).toBe(true);
    expect(listSandboxProcesses(outer)).toEqual([]);
    expect(signalSandbox(outer, "SIGTERM")).toBe(0);
  });
});

describe("stopSandbox", () => {
  it("SIGTERM reaches every process inside: each cleans up, and bwrap exits with the agent's code", async () => {
    clearMarkers();
    const m = marker();
    const sandbox = bash(TRAPPING, { MARKER: m });
    await sandbox.waitFor("main-ready");
    await sandbox.waitFor("child-ready");
    const init = findSandboxInit(sandbox.child.pid!)!;
    const outcome = await stopSandbox({ outerPid: sandbox.child.pid!, graceMs: 5_000, exited: sandbox.exited });
    expect(outcome).toBe("terminated");
    expect(await sandbox.exited).toEqual({ code: 3, signal: null });
    expect(fs.readFileSync(path.join(view.ioDir, "term-main"), "utf8")).toBe("main\n");
    expect(fs.readFileSync(path.join(view.ioDir, "term-child"), "utf8")).toBe("child\n");
    expect(isSandboxInitGone(init)).toBe(true);
    expect(hostProcessesWith(m)).toEqual([]);
  });

  it("SIGKILLs everything after the grace period when the agent ignores SIGTERM", async () => {
    const m = marker();
    const sandbox = bash('trap "" TERM; setsid bash -c \'trap "" TERM; sleep 300 "$MARKER"\' & echo ready; while :; do sleep 0.05; done', {
      MARKER: m,
    });
    await sandbox.waitFor("ready");
    expect(await waitUntil(() => hostProcessesWith(m).length === 1)).toBe(true);
    const before = performance.now();
    const outcome = await stopSandbox({ outerPid: sandbox.child.pid!, graceMs: 300, exited: sandbox.exited });
    expect(outcome).toBe("killed");
    expect(performance.now() - before).toBeGreaterThanOrEqual(290);
    // The init was killed first, so bwrap reports it as 128 + SIGKILL.
    expect((await sandbox.exited).code).toBe(137);
    expect(hostProcessesWith(m)).toEqual([]);
  });

  it("returns at once, signalling nothing, when the agent has already exited", async () => {
    const sandbox = bash("exit 0");
    expect(await sandbox.exited).toEqual({ code: 0, signal: null });
    const before = performance.now();
    expect(await stopSandbox({ outerPid: sandbox.child.pid!, graceMs: 5_000, exited: sandbox.exited })).toBe("gone");
    expect(performance.now() - before).toBeLessThan(1_000);
  });
});

describe("bwrap's exit code", () => {
  it.each([
    { name: "the agent's own exit code", command: ["/bin/bash", "-c", "exit 7"], code: 7, status: '{ "exit-code": 7 }' },
    { name: "exit code 0", command: ["/bin/true"], code: 0, status: '{ "exit-code": 0 }' },
    { name: "128 + signal when the agent dies of one (SIGSEGV)", command: ["/bin/bash", "-c", "kill -SEGV $$"], code: 139, status: '{ "exit-code": 139 }' },
    { name: "128 + signal when the agent dies of SIGTERM", command: ["/bin/bash", "-c", "kill -TERM $$"], code: 143, status: '{ "exit-code": 143 }' },
    // bwrap's own failures also exit 1; only --json-status-fd tells them apart (no exit-code line).
    { name: "1, and no exit-code status, when the program cannot be executed", command: ["/nonexistent/agent"], code: 1, status: undefined },
  ])("$name", async ({ command, code, status }) => {
    const sandbox = startSandboxed(command);
    expect(await sandbox.exited).toEqual({ code, signal: null });
    expect(sandbox.status()).toMatch(/^\{ "child-pid": \d+/);
    if (status === undefined) {
      expect(sandbox.status()).not.toContain("exit-code");
      expect(sandbox.stderr()).toBe("bwrap: execvp /nonexistent/agent: No such file or directory\n");
    } else {
      expect(sandbox.status().trimEnd().split("\n").at(-1)).toBe(status);
    }
  });

  it("137 when the sandbox's init is killed from the host", async () => {
    const sandbox = bash("echo ready; sleep 300");
    await sandbox.waitFor("ready");
    process.kill(findSandboxInit(sandbox.child.pid!)!.pid, "SIGKILL");
    expect(await sandbox.exited).toEqual({ code: 137, signal: null });
  });
});
