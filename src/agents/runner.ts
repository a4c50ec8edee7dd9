/**
 * Starts one agent process and sees it through to its end.
 *
 * The agent leads its own process group (`detached: true`, so pgid = pid) and
 * everything it starts stays in that group unless it deliberately leaves it
 * (setsid, job-control shells). On timeout or cancel orch stops the whole group:
 * SIGTERM (plus SIGCONT, so stopped processes can act on it), then SIGKILL once
 * `killGraceMs` has passed. When the agent exits on its own, orch stops whatever
 * it left running the same way, so a dev server it backgrounded cannot outlive
 * its attempt or keep files in the worktree busy while orch commits and pushes.
 *
 * Output goes straight into the log file: the child gets the file descriptor
 * itself, nothing passes through orch, so an agent that prints gigabytes cannot
 * stall or bloat the app. The agent never gets a terminal or a shell: argv is
 * executed as is, and stdin is /dev/null, so a CLI that waits for input reads
 * end-of-file at once instead of hanging until its timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from "node:fs";
import { appendFile, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../duration.js";
import { isSecretName, ORCH_SECRET_NAMES } from "./secret-names.js";

/** How an agent process ended. Only `exited` means the agent stopped by itself. */
export type AgentExit =
  /** The agent exited by itself (a code) or was killed by a signal orch did not send (e.g. the OOM killer). */
  | { reason: "exited"; exitCode: number | null; signal: NodeJS.Signals | null; durationMs: number }
  /** It outlived `timeoutMs`; orch killed its process group. */
  | { reason: "timed_out"; durationMs: number }
  /** The caller aborted; orch killed its process group, or never started it. */
  | { reason: "cancelled"; durationMs: number }
  /** It never ran. `message` is safe to show on GitHub and says what to fix. */
  | { reason: "spawn_failed"; message: string; durationMs: number };

export interface AgentProcess {
  /** The agent's pid, which is also its process group id; undefined when it never started. */
  pid: number | undefined;
  /** Settles once the agent and every process left in its group are gone. Never rejects. */
  exited: Promise<AgentExit>;
}

export interface StartAgentParams {
  /** The command, already built: argv[0] is looked up on env.PATH; no shell is involved. */
  argv: string[];
  /** The attempt's worktree. */
  cwd: string;
  /** The complete environment the agent gets (see buildAgentEnv). */
  env: Record<string, string>;
  /** stdout and stderr are appended here; parent directories are created. */
  logFile: string;
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL to the process group. */
  killGraceMs: number;
  /** Aborting cancels the agent: same group kill as a timeout. */
  signal?: AbortSignal;
}

/**
 * Starts argv[0] with argv[1..] in cwd, never through a shell, and returns at
 * once. Everything that can go wrong is reported through `exited`, never thrown.
 */
export function startAgent(params: StartAgentParams): AgentProcess {
  const { argv, cwd, env, logFile, signal } = params;
  const startedAt = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAt);
  const program = argv[0];

  const notStarted = (exit: AgentExit, logLine: string): AgentProcess => ({
    pid: undefined,
    exited: appendLogLine(logFile, logLine).then(() => exit),
  });

  if (program === undefined || program === "") {
    const message = "could not start the agent: its command is empty";
    return notStarted({ reason: "spawn_failed", message, durationMs: 0 }, `[orch] ${message}`);
  }
  if (signal?.aborted) {
    return notStarted({ reason: "cancelled", durationMs: 0 }, `[orch] cancelled before ${program} started`);
  }

  // Synchronous on purpose: the header must be in the file before the agent
  // writes its first byte, and the caller gets the pid without awaiting.
  let logFd: number;
  try {
    mkdirSync(dirname(logFile), { recursive: true });
    logFd = openSync(logFile, "a", 0o600);
  } catch (error) {
    const message = `could not start ${JSON.stringify(program)}: its log file could not be opened (${errorCode(error)})`;
    return { pid: undefined, exited: Promise.resolve({ reason: "spawn_failed", message, durationMs: elapsedMs() }) };
  }

  let child: ChildProcess;
  try {
    writeSync(logFd, `[orch] started ${program} at ${new Date().toISOString()}\n`);
    if (!isDirectory(cwd)) {
      const message = `could not start ${JSON.stringify(program)}: its working directory does not exist`;
      return notStarted({ reason: "spawn_failed", message, durationMs: elapsedMs() }, `[orch] ${message}`);
    }
    child = spawn(program, argv.slice(1), {
      cwd,
      env,
      detached: true,
      shell: false,
      stdio: ["ignore", logFd, logFd],
    });
  } catch (error) {
    // E2BIG (an argument over the kernel's 128 KiB limit), a NUL byte, ...
    const message = describeSpawnFailure(program, error);
    return notStarted({ reason: "spawn_failed", message, durationMs: elapsedMs() }, `[orch] ${message}`);
  } finally {
    // The child holds its own copy once spawn has returned.
    closeSync(logFd);
  }

  const pid = child.pid;
  if (pid === undefined) {
    // ENOENT, EACCES and friends arrive as an 'error' event on the next tick.
    const exited = new Promise<AgentExit>((resolve) => {
      child.once("error", (error) => {
        const message = describeSpawnFailure(program, error);
        void appendLogLine(logFile, `[orch] ${message}`).then(() =>
          resolve({ reason: "spawn_failed", message, durationMs: elapsedMs() }),
        );
      });
    });
    return { pid: undefined, exited };
  }

  const exited = superviseAgent({ ...params, child, pid, program, elapsedMs }).catch(
    // Unreachable by design (every step below handles its own errors); if it
    // ever happens the group is still killed so nothing is left behind.
    async (): Promise<AgentExit> => {
      await stopProcessGroup(pid, params.killGraceMs).catch(() => undefined);
      return { reason: "exited", exitCode: null, signal: null, durationMs: elapsedMs() };
    },
  );
  return { pid, exited };
}

interface LeaderExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

async function superviseAgent(params: StartAgentParams & {
  child: ChildProcess;
  pid: number;
  program: string;
  elapsedMs: () => number;
}): Promise<AgentExit> {
  const { child, pid, logFile, killGraceMs, signal, elapsedMs } = params;

  const leaderExited = new Promise<LeaderExit>((resolve) => {
    child.once("exit", (exitCode, exitSignal) => resolve({ exitCode, signal: exitSignal }));
  });
  // After a successful spawn 'error' only reports a failed kill() or send(),
  // neither of which orch uses; without a listener it would crash the app.
  child.on("error", () => undefined);

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<"timed_out" | "cancelled">((resolve) => {
    timer = setTimeout(() => resolve("timed_out"), clampTimerDelay(params.timeoutMs));
    onAbort = () => resolve("cancelled");
    signal?.addEventListener("abort", onAbort, { once: true });
  });

  const first = await Promise.race([
    leaderExited.then((exit) => ({ kind: "exited" as const, exit })),
    interrupted.then((kind) => ({ kind })),
  ]);
  const firstAtMs = elapsedMs();
  clearTimeout(timer);
  if (onAbort) signal?.removeEventListener("abort", onAbort);

  if (first.kind === "exited") {
    const { exitCode, signal: exitSignal } = first.exit;
    // Whatever the agent left behind goes too, gently first: a stray `git`
    // killed with SIGKILL leaves index.lock behind and breaks the commit step.
    const leftovers = isProcessGroupAlive(pid) ? await stopProcessGroup(pid, killGraceMs) : "gone";
    const ended = exitSignal ? `exited on signal ${exitSignal}` : `exited with code ${exitCode}`;
    const cleanup = leftovers === "gone" ? "" : `; stopped the processes it left running${describeStop(leftovers, killGraceMs)}`;
    await appendLogLine(logFile, `[orch] ${ended} after ${formatDuration(firstAtMs)}${cleanup}`);
    return { reason: "exited", exitCode, signal: exitSignal, durationMs: elapsedMs() };
  }

  const stop = await stopProcessGroup(pid, killGraceMs);
  // The group is gone, so the leader is at most a zombie that Node reaps on its
  // next turn; waiting for that makes "pid gone" hold when `exited` settles.
  await Promise.race([leaderExited, sleep(KILL_SETTLE_MS, undefined, { ref: false })]);
  const what =
    first.kind === "timed_out"
      ? `timed out after ${formatDuration(params.timeoutMs)}`
      : `cancelled after ${formatDuration(firstAtMs)}`;
  await appendLogLine(logFile, `[orch] ${what}, killed process group${describeStop(stop, killGraceMs)}`);
  return { reason: first.kind, durationMs: elapsedMs() };
}

/**
 * Kills every process of the group led by pid: SIGTERM, then SIGKILL once
 * graceMs has passed. Resolves when the group is gone (see isProcessGroupAlive).
 * Safe when it is already gone. Only call it for a group orch started and has
 * not yet seen disappear: once a group is gone its id can be reused.
 */
export async function killProcessGroup(pid: number, graceMs: number): Promise<void> {
  await stopProcessGroup(pid, graceMs);
}

/**
 * True while any process of the group still runs (kill(-pgid, 0) succeeds).
 * On Linux, members that are only zombies do not count: they have exited and
 * merely wait for their parent to reap them. Orphans are reaped by init, and
 * some inits (node as PID 1 in a container, some VM agents) reap late or never,
 * which would otherwise make a dead group look alive.
 */
export function isProcessGroupAlive(pgid: number): boolean {
  assertProcessGroupId(pgid);
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else (only possible for setuid members).
    return errorCode(error) !== "ESRCH";
  }
  return hasRunningMember(pgid) ?? true;
}

/** What stopping a group took: it was already gone, SIGTERM was enough, or SIGKILL was needed. */
type StopOutcome = "gone" | "terminated" | "killed";

/** After SIGKILL only processes stuck in the kernel (or unreaped zombies) remain; do not wait on them forever. */
const KILL_SETTLE_MS = 5_000;

async function stopProcessGroup(pgid: number, graceMs: number): Promise<StopOutcome> {
  assertProcessGroupId(pgid);
  if (!signalProcessGroup(pgid, "SIGTERM")) return "gone";
  signalProcessGroup(pgid, "SIGCONT");
  if (await waitForProcessGroupGone(pgid, graceMs)) return "terminated";
  signalProcessGroup(pgid, "SIGKILL");
  await waitForProcessGroupGone(pgid, KILL_SETTLE_MS);
  return "killed";
}

/** False when no process of the group exists any more. */
function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

async function waitForProcessGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + Math.max(0, timeoutMs);
  let pollMs = 10;
  while (isProcessGroupAlive(pgid)) {
    const leftMs = deadline - performance.now();
    if (leftMs <= 0) return false;
    await sleep(Math.min(pollMs, leftMs));
    pollMs = Math.min(pollMs * 2, 100);
  }
  return true;
}

/**
 * Linux only: whether some member of the group is not a zombie. Undefined when
 * /proc cannot answer, or shows no member at all (then it may hide members that
 * belong to another user, and kill(2) is trusted instead).
 */
function hasRunningMember(pgid: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  let sawMember = false;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // it exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    sawMember = true;
    const state = fields[0];
    if (state !== "Z" && state !== "X") return true;
    // A main thread that exited while other threads run also shows as Z.
    if (hasOtherThreads(entry)) return true;
  }
  return sawMember ? false : undefined;
}

function hasOtherThreads(pid: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

/** kill(-0) signals orch's own group and kill(-1) every process orch may signal. */
function assertProcessGroupId(pgid: number): void {
  if (!Number.isSafeInteger(pgid) || pgid <= 1 || pgid === process.pid) {
    throw new RangeError(`refusing to signal process group ${pgid}`);
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

/** Appends one line, on a line of its own even if the agent's last output had no newline. Never throws. */
async function appendLogLine(logFile: string, line: string): Promise<void> {
  try {
    await mkdir(dirname(logFile), { recursive: true });
    const needsNewline = !(await endsWithNewlineOrEmpty(logFile));
    await appendFile(logFile, `${needsNewline ? "\n" : ""}${line}\n`, { mode: 0o600 });
  } catch {
    // The log is for humans; losing a footer must not lose the attempt's outcome.
  }
}

async function endsWithNewlineOrEmpty(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return true; // missing: appendFile creates it
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const { buffer } = await handle.read({ buffer: Buffer.alloc(1), position: size - 1 });
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
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


const BASIC_ENV_NAMES = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "TERM",
] as const;


/**
 * Builds the agent's environment from scratch: the basics a CLI needs (when
 * present in source), settings that keep CLIs non-interactive and colourless,
 * the names the agent entry lists, then `extra` (orch's own ORCH_* variables),
 * which wins. Nothing else from orch's environment is copied, and credential
 * names (secret-names.ts) are dropped even when listed.
 *
 * `extra` is set by orch's code, not copied from its environment, so it may set
 * GIT_CONFIG_* for the agent; a credential name in it is a bug and throws.
 */
export function buildAgentEnv(params: {
  source: NodeJS.ProcessEnv;
  passThrough: readonly string[];
  extra: Record<string, string>;
}): Record<string, string> {
  const { source, passThrough, extra } = params;
  const env: Record<string, string> = {};
  const copy = (name: string) => {
    const value = source[name];
    if (value !== undefined && !isSecretName(name)) env[name] = value;
  };

  for (const name of BASIC_ENV_NAMES) copy(name);
  env.TERM ??= "dumb";
  env.NO_COLOR = "1";
  env.CI = "1";
  env.GIT_TERMINAL_PROMPT = "0";
  for (const name of passThrough) copy(name);

  for (const [name, value] of Object.entries(extra)) {
    if (ORCH_SECRET_NAMES.has(name.toUpperCase())) {
      throw new Error(`buildAgentEnv: refusing to give the agent ${name}`);
    }
    env[name] = value;
  }
  return env;
}
