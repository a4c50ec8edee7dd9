/**
 * The processes of one running sandbox, seen from the host, and how to stop
 * them gracefully.
 *
 * Signals to the bwrap process orch spawned (the "outer" bwrap) do not reach
 * the agent: SIGTERM kills the outer bwrap itself (it installs no handler),
 * and --die-with-parent then SIGKILLs the sandbox's init, so the kernel
 * SIGKILLs everything in the namespace and the agent gets no chance to clean
 * up. Nor does a process-group kill: --new-session puts the agent in a
 * session of its own. So orch signals the processes inside directly. The
 * outer bwrap has one child, the sandbox's init (bwrap again, PID 1 inside, in
 * a PID namespace of its own); every process in that namespace descends from
 * it, because orphans are reparented to it, `setsid` or not.
 */
import { KILL_SETTLE_MS, type StopOutcome } from "../agents/process-group.js";
import { readChildren, readNsPids, readPidNamespace, readStat } from "../agents/proc-files.js";
import { setTimeout as sleep } from "node:timers/promises";

/** The sandbox's PID 1 as the host sees it. */
export interface SandboxInit {
  pid: number;
  /** `readlink /proc/<pid>/ns/pid`, e.g. "pid:[4026532188]": tells a reused pid from the init. */
  pidNamespace: string;
}

/** How long the outer bwrap gets to report its init's death before it is killed too. */
const OUTER_EXIT_MS = 1_000;
const POLL_MS = 10;

/** How stopSandbox ended it: nothing ran inside, SIGTERM was enough, or SIGKILL was needed. */
export type SandboxStop = StopOutcome;

/**
 * The init of the sandbox run by the outer bwrap `outerPid`: its child in
 * another PID namespace. Undefined before bwrap has made it or once it is gone.
 */
export function findSandboxInit(outerPid: number): SandboxInit | undefined {
  assertPid(outerPid);
  const outerNamespace = readPidNamespace(outerPid);
  for (const pid of readChildren(outerPid)) {
    const pidNamespace = readPidNamespace(pid);
    if (pidNamespace !== undefined && pidNamespace !== outerNamespace) return { pid, pidNamespace };
  }
  return undefined;
}

/**
 * Looks for the sandbox's init until bwrap has made it (a few ms after the
 * spawn) or the outer bwrap has exited. Found early, it outlives the outer
 * bwrap's pid: bwrap exits with the agent's code as soon as the agent exits,
 * while its init is still taking the rest of the namespace down.
 */
export async function watchForSandboxInit(outerPid: number, exited: Promise<unknown>): Promise<SandboxInit | undefined> {
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = performance.now() + OUTER_EXIT_MS * 10;
  while (!hasExited && performance.now() < deadline) {
    const init = findSandboxInit(outerPid);
    if (init) return init;
    await sleep(POLL_MS / 2);
  }
  return undefined;
}

/**
 * Host pids of every process in the sandbox (the agent and all it started,
 * in nested namespaces too), bwrap's init excluded. Empty when the sandbox
 * has not started or has ended. A snapshot: processes may come and go.
 */
export function listSandboxProcesses(outerPid: number): number[] {
  const init = findSandboxInit(outerPid);
  if (!init) return [];
  const seen = new Set<number>([init.pid]);
  const queue = [init.pid];
  const found: number[] = [];
  while (queue.length > 0) {
    for (const child of readChildren(queue.shift()!)) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Sends `signal` to every process of listSandboxProcesses (never to bwrap's
 * init, which ignores it anyway unless it is SIGKILL). Returns how many got it.
 */
export function signalSandbox(outerPid: number, signal: NodeJS.Signals): number {
  let signalled = 0;
  for (const pid of listSandboxProcesses(outerPid)) if (trySignal(pid, signal)) signalled++;
  return signalled;
}

/**
 * The agent's main process (the command bwrap started: PID 2 inside), as a
 * host pid; undefined once it has exited or before it started.
 */
export function findAgentPid(outerPid: number): number | undefined {
  const init = findSandboxInit(outerPid);
  if (!init) return undefined;
  // NSpid lists the pid in each namespace from the host's down; the init's
  // last entry (1) sits at the level of the sandbox's namespace.
  const level = (readNsPids(init.pid)?.length ?? 0) - 1;
  if (level < 1) return undefined;
  return readChildren(init.pid).find((pid) => readNsPids(pid)?.[level] === 2);
}

export interface StopSandboxParams {
  /** The outer bwrap; orch must not have reaped it yet (its pid could be reused). */
  outerPid: number;
  /** Time from the first SIGTERM to SIGKILL. */
  graceMs: number;
  /** Settles when the outer bwrap has exited (the ChildProcess 'exit' event). */
  exited: Promise<unknown>;
}

/**
 * Stops the sandbox gracefully, in two waves within `graceMs`:
 *
 * 1. SIGTERM (and SIGCONT, so stopped processes can act on it) to every
 *    process inside except the agent's main process, then wait until they are
 *    gone, for at most half the grace period. The main process goes last
 *    because its exit ends the sandbox: bwrap then exits with its code and the
 *    kernel SIGKILLs whatever is still inside, mid-cleanup.
 * 2. SIGTERM to the main process (SIGCONT to all), and wait for the outer
 *    bwrap to exit until the grace period is over.
 *
 * Then, if it still runs, SIGKILL to the init (the kernel kills the whole
 * namespace; bwrap exits with 137), and to the outer bwrap if it has not
 * exited a second later. Resolves once the outer bwrap has exited and the
 * init is gone; at once ("gone") when `exited` has already settled.
 */
export async function stopSandbox(params: StopSandboxParams): Promise<SandboxStop> {
  const { outerPid, graceMs, exited } = params;
  const deadline = performance.now() + Math.max(0, graceMs);
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  // Let an `exited` that has settled already say so before anything is
  // signalled: then its pid may be reaped and reused, and the kernel is
  // ending the namespace anyway (the init dies with the outer bwrap).
  await new Promise((resolve) => setImmediate(resolve));
  if (hasExited) return "gone";
  const init = findSandboxInit(outerPid);
  const main = findAgentPid(outerPid);
  const others = () => listSandboxProcesses(outerPid).filter((pid) => pid !== main);

  let signalled = 0;
  for (const pid of others()) if (trySignal(pid, "SIGTERM")) signalled++;
  signalSandbox(outerPid, "SIGCONT");
  const halfway = performance.now() + Math.max(0, graceMs) / 2;
  while (!hasExited && performance.now() < halfway && others().length > 0) await sleep(POLL_MS);

  if (main !== undefined && !hasExited && trySignal(main, "SIGTERM")) signalled++;
  signalSandbox(outerPid, "SIGCONT");
  if (signalled === 0) {
    // Nothing ran inside (not started yet, or already over): no one to wait for.
    await stopNow({ init, outerPid, exited, hasExited: () => hasExited });
    return "gone";
  }
  while (!hasExited && performance.now() < deadline) await sleep(POLL_MS);
  if (hasExited) {
    if (init) await waitForInitGone(init, KILL_SETTLE_MS);
    return "terminated";
  }
  await stopNow({ init, outerPid, exited, hasExited: () => hasExited });
  return "killed";
}

/** SIGKILL to the init, then (if it lingers) to the outer bwrap; waits for both to be gone. */
async function stopNow(params: {
  init: SandboxInit | undefined;
  outerPid: number;
  exited: Promise<unknown>;
  hasExited: () => boolean;
}): Promise<void> {
  const { init, outerPid, exited, hasExited } = params;
  // The init first: the kernel kills its namespace, and the outer bwrap
  // reports 137 as for any agent killed by SIGKILL.
  const hasInit = init !== undefined && trySignal(init.pid, "SIGKILL", init);
  const isDone = hasInit && (await Promise.race([exited.then(() => true), sleep(OUTER_EXIT_MS, false, { ref: false })]));
  // Once it has exited, its pid may be reaped and reused: never signal it then.
  if (!isDone && !hasExited()) trySignal(outerPid, "SIGKILL");
  await exited;
  if (init) await waitForInitGone(init, KILL_SETTLE_MS);
}

/** True once `init` has exited (a zombie counts as gone, and so does a pid now used by another process). */
export function isSandboxInitGone(init: SandboxInit): boolean {
  if (readPidNamespace(init.pid) !== init.pidNamespace) return true;
  const state = readStat(init.pid)?.state;
  return state === undefined || state === "Z" || state === "X";
}

/** Polls isSandboxInitGone for up to timeoutMs; true when it went. */
export async function waitForInitGone(init: SandboxInit, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!isSandboxInitGone(init)) {
    if (performance.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** False when it is gone (or, with `expected`, when its pid now belongs to someone else). */
function trySignal(pid: number, signal: NodeJS.Signals, expected?: SandboxInit): boolean {
  if (expected && readPidNamespace(pid) !== expected.pidNamespace) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** kill(0) and kill(-1) mean "my group" and "everyone": never for a sandbox. */
function assertPid(pid: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) throw new RangeError(`not a sandbox's bwrap: ${pid}`);
}
