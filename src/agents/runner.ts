/**
 * Starts one agent process and sees it through to its end.
 *
 * A sandboxed agent (the default) is started as `bwrap … -- agent argv`
 * (src/sandbox/): it runs in a PID namespace of its own, so when its main
 * process exits the kernel ends everything it started, `setsid` or not. On
 * timeout or cancel orch sends SIGTERM to every process inside, then SIGKILL
 * once `killGraceMs` has passed. An agent run with `sandbox: none` leads its
 * own process group instead (process-group.ts), which a process that calls
 * setsid can leave.
 *
 * Output goes through pipes into the log (agent-log.ts): orch writes the log,
 * the agent never holds the file. The agent never gets a terminal or a shell:
 * argv is executed as is, and stdin is /dev/null, so a CLI that waits for
 * input reads end-of-file at once instead of hanging until its timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../duration.js";
import { stopSandbox, waitForInitGone, watchForSandboxInit } from "../sandbox/sandbox-processes.js";
import { AgentLog } from "./agent-log.js";
import { hasChangedSince } from "./find-change.js";
import { isProcessGroupAlive, KILL_SETTLE_MS, stopProcessGroup, type StopOutcome } from "./process-group.js";

export { buildAgentEnv } from "./agent-env.js";

/** How an agent process ended. Only `exited` means the agent stopped by itself. */
export type AgentExit =
  /** The agent exited by itself (a code) or was killed by a signal orch did not send (e.g. the OOM killer). */
  | { reason: "exited"; exitCode: number | null; signal: NodeJS.Signals | null; durationMs: number }
  /** It outlived `timeoutMs`, or was idle for `idleTimeoutMs` (then `idleMs` says so); orch killed it and everything it started. */
  | { reason: "timed_out"; durationMs: number; idleMs?: number }
  /** The caller aborted; orch killed it, or never started it. */
  | { reason: "cancelled"; durationMs: number }
  /** It never ran. `message` is safe to show on GitHub and says what to fix. */
  | { reason: "spawn_failed"; message: string; durationMs: number };

export interface AgentProcess {
  /** The pid orch started (bwrap's, when sandboxed; then also not a group leader for kill(-pid)); undefined when it never started. */
  pid: number | undefined;
  /** Settles once the agent and everything it started are gone and the log is written. Never rejects. */
  exited: Promise<AgentExit>;
}

export interface StartAgentParams {
  /** What to execute: the agent's argv, behind bwrap's when sandboxed. argv[0] is looked up on env.PATH; no shell. */
  argv: string[];
  /** The agent's program as the registry names it, for messages. Defaults to argv[0]. */
  program?: string;
  /** True when argv starts bwrap (src/sandbox/): stop through the sandbox, and read bwrap's own start-up errors. */
  sandboxed?: boolean;
  /** The attempt's worktree. */
  cwd: string;
  /** The complete environment (see buildAgentEnv); passed to bwrap, never in argv. */
  env: Record<string, string>;
  /** The log orch writes from the agent's output; parent directories are created. */
  logFile: string;
  /** Every piece of output passes this before it is written. */
  redact?: (text: string) => Promise<string>;
  timeoutMs: number;
  /**
   * No output and no change under `cwd` for this long ends the agent like a
   * timeout: a CLI stuck retrying its model's API should not hold its slot
   * for the whole timeout. Undefined: no idle limit.
   */
  idleTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** Aborting cancels the agent: same kill as a timeout. */
  signal?: AbortSignal;
}

const identity = async (text: string) => text;

/**
 * Starts the agent and resolves once it is running (or failed to start).
 * Everything that can go wrong is reported through `exited`, never thrown.
 */
export async function startAgent(params: StartAgentParams): Promise<AgentProcess> {
  const { argv, cwd, env, signal } = params;
  const program = params.program ?? argv[0] ?? "";
  const startedAt = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAt);

  let log: AgentLog;
  try {
    log = await AgentLog.open({ file: params.logFile, redact: params.redact ?? identity });
  } catch (error) {
    const message = `could not start ${JSON.stringify(program)}: its log file could not be opened (${errorCode(error)})`;
    return { pid: undefined, exited: Promise.resolve({ reason: "spawn_failed", message, durationMs: elapsedMs() }) };
  }
  const notStarted = async (exit: AgentExit, line: string): Promise<AgentExit> => {
    await log.note(line);
    await log.close();
    return exit;
  };

  if (argv[0] === undefined || argv[0] === "" || program === "") {
    const message = "could not start the agent: its command is empty";
    return { pid: undefined, exited: notStarted({ reason: "spawn_failed", message, durationMs: 0 }, message) };
  }
  if (signal?.aborted) {
    return { pid: undefined, exited: notStarted({ reason: "cancelled", durationMs: 0 }, `cancelled before ${program} started`) };
  }
  if (!isDirectory(cwd)) {
    const message = `could not start ${JSON.stringify(program)}: its working directory does not exist`;
    return { pid: undefined, exited: notStarted({ reason: "spawn_failed", message, durationMs: elapsedMs() }, message) };
  }

  await log.note(`started ${program}${params.sandboxed ? " in its sandbox" : ""} at ${new Date().toISOString()}`);
  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), { cwd, env, detached: true, shell: false, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    // E2BIG (an argument over the kernel's 128 KiB limit), a NUL byte, ...
    const message = describeSpawnFailure(program, error);
    return { pid: undefined, exited: notStarted({ reason: "spawn_failed", message, durationMs: elapsedMs() }, message) };
  }

  const pid = child.pid;
  if (pid === undefined) {
    // ENOENT, EACCES and friends arrive as an 'error' event on the next tick.
    const exited = new Promise<AgentExit>((resolve) => {
      child.once("error", (error) => {
        const message = describeSpawnFailure(program, error);
        void notStarted({ reason: "spawn_failed", message, durationMs: elapsedMs() }, message).then(resolve);
      });
    });
    return { pid: undefined, exited };
  }

  const exited = superviseAgent({ ...params, child, pid, program, log, elapsedMs }).catch(
    // Unreachable by design (every step below handles its own errors); if it
    // ever happens the agent is still killed so nothing is left behind.
    async (): Promise<AgentExit> => {
      await killEverything({ child, pid, sandboxed: params.sandboxed, graceMs: 0 }).catch(() => undefined);
      await log.close();
      return { reason: "exited", exitCode: null, signal: null, durationMs: elapsedMs() };
    },
  );
  return { pid, exited };
}

interface LeaderExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** How long output may still arrive after the agent is gone (a process outside the sandbox holding the pipe). */
const OUTPUT_DRAIN_MS = 2_000;
/** How far before the last output a file change still counts as new (see watchIdle). */
const FILE_CLOCK_SLACK_MS = 1_000;
/** bwrap's own messages, printed before the agent runs, start like this. */
const BWRAP_ERROR = /^bwrap: (.+)$/m;

async function superviseAgent(params: StartAgentParams & {
  child: ChildProcess;
  pid: number;
  program: string;
  log: AgentLog;
  elapsedMs: () => number;
}): Promise<AgentExit> {
  const { child, pid, program, log, killGraceMs, signal, elapsedMs, sandboxed } = params;

  const leaderExited = new Promise<LeaderExit>((resolve) => {
    child.once("exit", (exitCode, exitSignal) => resolve({ exitCode, signal: exitSignal }));
  });
  // After a successful spawn 'error' only reports a failed kill() or send(),
  // neither of which orch uses; without a listener it would crash the app.
  child.on("error", () => undefined);
  let firstStderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (firstStderr.length < 1024) firstStderr += chunk.toString("utf8");
  });
  const output = Promise.all([log.follow(child.stdout!), log.follow(child.stderr!)]);
  const sandboxInit = sandboxed ? watchForSandboxInit(pid, leaderExited) : Promise.resolve(undefined);

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const idle = watchIdle({ child, cwd: params.cwd, idleTimeoutMs: params.idleTimeoutMs });
  const interrupted = new Promise<"timed_out" | "cancelled" | "idle">((resolve) => {
    timer = setTimeout(() => resolve("timed_out"), clampTimerDelay(params.timeoutMs));
    onAbort = () => resolve("cancelled");
    signal?.addEventListener("abort", onAbort, { once: true });
    void idle.fired.then(() => resolve("idle"));
  });

  const first = await Promise.race([
    leaderExited.then((exit) => ({ kind: "exited" as const, exit })),
    interrupted.then((kind) => ({ kind })),
  ]);
  const firstAtMs = elapsedMs();
  clearTimeout(timer);
  idle.stop();
  if (onAbort) signal?.removeEventListener("abort", onAbort);

  if (first.kind === "exited") {
    const { exitCode, signal: exitSignal } = first.exit;
    // A sandbox's processes end with its init, which the kernel is tearing down
    // now: wait for that, so "everything is gone" holds when `exited` settles.
    // Without a sandbox, whatever the agent left running in its group goes too.
    const init = await sandboxInit;
    if (init) await waitForInitGone(init, KILL_SETTLE_MS);
    const leftovers = !sandboxed && isProcessGroupAlive(pid) ? await stopProcessGroup(pid, killGraceMs) : "gone";
    await drain(child, output);
    const bwrapFailure = sandboxed && exitCode === 1 ? BWRAP_ERROR.exec(firstStderr)?.[1] : undefined;
    if (bwrapFailure !== undefined) {
      const message = `could not start ${JSON.stringify(program)} in its sandbox (${bwrapFailure.trim()})`;
      await log.note(message);
      await log.close();
      return { reason: "spawn_failed", message, durationMs: elapsedMs() };
    }
    const ended = exitSignal ? `exited on signal ${exitSignal}` : `exited with code ${exitCode}`;
    const cleanup = leftovers === "gone" ? "" : `; stopped the processes it left running${describeStop(leftovers, killGraceMs)}`;
    await log.note(`${ended} after ${formatDuration(firstAtMs)}${cleanup}`);
    await log.close();
    return { reason: "exited", exitCode, signal: exitSignal, durationMs: elapsedMs() };
  }

  const stop = await killEverything({ child, pid, sandboxed, graceMs: killGraceMs, leaderExited });
  // The leader is at most a zombie Node reaps on its next turn; waiting for
  // that makes "pid gone" hold when `exited` settles.
  await Promise.race([leaderExited, sleep(KILL_SETTLE_MS, undefined, { ref: false })]);
  await drain(child, output);
  const what =
    first.kind === "timed_out"
      ? `timed out after ${formatDuration(params.timeoutMs)}`
      : first.kind === "idle"
        ? `idle for ${formatDuration(params.idleTimeoutMs ?? 0)} (no output, no file change) after ${formatDuration(firstAtMs)}`
        : `cancelled after ${formatDuration(firstAtMs)}`;
  await log.note(`${what}, killed ${sandboxed ? "everything in its sandbox" : "its process group"}${describeStop(stop, killGraceMs)}`);
  await log.close();
  if (first.kind === "idle") return { reason: "timed_out", durationMs: elapsedMs(), idleMs: params.idleTimeoutMs ?? 0 };
  return { reason: first.kind, durationMs: elapsedMs() };
}

/**
 * Fires once the agent has printed nothing and changed nothing under `cwd`
 * for `idleTimeoutMs`. Output is noticed as it arrives; files are looked at
 * only when a whole idle period passed without output (find-change.ts).
 */
function watchIdle(params: { child: ChildProcess; cwd: string; idleTimeoutMs: number | undefined }): { fired: Promise<void>; stop(): void } {
  const { child, cwd, idleTimeoutMs } = params;
  if (idleTimeoutMs === undefined) return { fired: new Promise(() => undefined), stop: () => undefined };
  const startedAt = Date.now();
  let lastActivity = startedAt;
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const onOutput = () => (lastActivity = Date.now());
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);
  const fired = new Promise<void>((resolve) => {
    const check = async () => {
      if (isStopped) return;
      const quietFor = Date.now() - lastActivity;
      if (quietFor < idleTimeoutMs) return schedule(idleTimeoutMs - quietFor);
      const since = lastActivity;
      const checkedAt = Date.now();
      // File times come from the kernel's coarse clock, which lags Date.now() by a few ms;
      // what was there when the agent started (its checkout) is no change of its.
      if (await hasChangedSince(cwd, Math.max(since - FILE_CLOCK_SLACK_MS, startedAt))) {
        lastActivity = Math.max(lastActivity, checkedAt);
        return schedule(idleTimeoutMs);
      }
      if (!isStopped && lastActivity === since) resolve();
      else schedule(0);
    };
    const schedule = (ms: number) => {
      if (!isStopped) timer = setTimeout(() => void check(), clampTimerDelay(ms));
    };
    schedule(idleTimeoutMs);
  });
  return {
    fired,
    stop() {
      isStopped = true;
      clearTimeout(timer);
      child.stdout?.off("data", onOutput);
      child.stderr?.off("data", onOutput);
    },
  };
}

/** Stops the agent and everything it started: through its sandbox, or its process group. */
async function killEverything(params: {
  child: ChildProcess;
  pid: number;
  sandboxed: boolean | undefined;
  graceMs: number;
  leaderExited?: Promise<LeaderExit>;
}): Promise<StopOutcome> {
  const { child, pid, sandboxed, graceMs } = params;
  if (!sandboxed) return stopProcessGroup(pid, graceMs);
  const exited = params.leaderExited ?? new Promise((resolve) => child.once("exit", resolve));
  if (child.exitCode !== null || child.signalCode !== null) return "gone";
  return stopSandbox({ outerPid: pid, graceMs, exited });
}

/** Waits for the output pipes to close; gives up (and closes them) when something outside orch's reach keeps them open. */
async function drain(child: ChildProcess, output: Promise<unknown>): Promise<void> {
  const done = await Promise.race([output.then(() => true), sleep(OUTPUT_DRAIN_MS, false, { ref: false })]);
  if (!done) {
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

function describeStop(outcome: StopOutcome, graceMs: number): string {
  return outcome === "killed" ? ` (SIGKILL after ${formatDuration(graceMs)}: SIGTERM was not enough)` : "";
}

/** Node fires a delay above 2^31-1 ms at once; clamp instead (that is 24 days). */
function clampTimerDelay(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  return Math.min(Math.max(ms, 0), 2 ** 31 - 1);
}

/** A message for GitHub: it names the program (from the server config) and never the prompt or env. */
function describeSpawnFailure(program: string, error: unknown): string {
  const name = JSON.stringify(program);
  const code = errorCode(error);
  switch (code) {
    case "ENOENT":
      return program.includes("/")
        ? `could not start ${name}: no such program (or the interpreter on its #! line is missing)`
        : `could not start ${name}: program not found on PATH`;
    case "EACCES":
      return `could not start ${name}: permission denied (is it an executable file?)`;
    case "ENOEXEC":
      return `could not start ${name}: not an executable program`;
    case "E2BIG":
      return `could not start ${name}: its arguments are too long for the operating system (pass a long prompt as the file ORCH_PROMPT_FILE instead of {prompt})`;
    case "EAGAIN":
    case "EMFILE":
    case "ENFILE":
    case "ENOMEM":
      return `could not start ${name}: the host is out of processes, memory or open files (${code})`;
    case "ERR_INVALID_ARG_VALUE":
    case "ERR_INVALID_ARG_TYPE":
      return `could not start ${name}: an argument or environment variable contains a NUL byte`;
    default:
      return `could not start ${name} (${code ?? "unknown error"})`;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
