/**
 * Process groups, for agents run without orch's sandbox (`sandbox: none`):
 * the agent leads its own group (`detached: true`, so pgid = pid) and
 * everything it starts stays there unless it deliberately leaves (setsid,
 * job-control shells). Stopping an agent stops its whole group: SIGTERM (plus
 * SIGCONT, so stopped processes can act on it), then SIGKILL once the grace
 * period has passed. A sandboxed agent is stopped through its PID namespace
 * instead (src/sandbox/), which nothing inside can leave.
 */
import { countThreads, listPids, readStat } from "./proc-files.js";
import { setTimeout as sleep } from "node:timers/promises";

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
export type StopOutcome = "gone" | "terminated" | "killed";

/** After SIGKILL only processes stuck in the kernel (or unreaped zombies) remain; do not wait on them forever. */
export const KILL_SETTLE_MS = 5_000;

/** Stops the group led by pgid as killProcessGroup does, and says what that took. */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<StopOutcome> {
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
  const pids = listPids();
  if (pids === undefined) return undefined;
  let sawMember = false;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat?.pgrp !== pgid) continue; // another group's, or it exited while we looked
    sawMember = true;
    if (stat.state !== "Z" && stat.state !== "X") return true;
    // A main thread that exited while other threads run also shows as Z.
    if (countThreads(pid) > 1) return true;
  }
  return sawMember ? false : undefined;
}

/** kill(-0) signals orch's own group and kill(-1) every process orch may signal. */
function assertProcessGroupId(pgid: number): void {
  if (!Number.isSafeInteger(pgid) || pgid <= 1 || pgid === process.pid) {
    throw new RangeError(`refusing to signal process group ${pgid}`);
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
