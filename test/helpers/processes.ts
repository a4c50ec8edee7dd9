import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** True while a process with this pid exists (zombies included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits until the process is gone; init may take a moment to reap an orphan. */
export async function waitUntilGone(pid: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Reads a pid file a fixture agent wrote, waiting for it to appear. */
export async function readPidFile(file: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) return Number(fs.readFileSync(file, "utf8").trim());
    await sleep(25);
  }
  throw new Error(`no pid file at ${path.basename(file)} after ${timeoutMs} ms`);
}

/** Host processes whose environment names `ORCH_ATTEMPT_ID=<attemptId>`: an attempt's agent and all it started, its sandbox's bwrap too. */
export function findAttemptProcesses(attemptId: number): number[] {
  const wanted = `ORCH_ATTEMPT_ID=${attemptId}`;
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (isZombie(Number(entry))) continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(wanted)) found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/**
 * The host pid of the process an attempt's sandbox knows as `namespacePid`
 * (what a fixture agent inside writes to its pid files): the last field of
 * `NSpid` in /proc/<pid>/status is the pid in the innermost namespace.
 */
export function findHostPid(params: { attemptId: number; namespacePid: number }): number | undefined {
  for (const pid of findAttemptProcesses(params.attemptId)) {
    try {
      const nspid = /^NSpid:\s+(.+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "latin1"))?.[1]?.trim().split(/\s+/);
      if (nspid && nspid.length > 1 && Number(nspid.at(-1)) === params.namespacePid) return pid;
    } catch {
      // gone while we looked
    }
  }
  return undefined;
}

/** Waits for a sandboxed fixture agent's pid file (in its io folder) and returns the host pid it names. */
export async function readSandboxedPid(params: { file: string; attemptId: number }): Promise<number> {
  const namespacePid = await readPidFile(params.file);
  const pid = findHostPid({ attemptId: params.attemptId, namespacePid });
  if (pid === undefined) throw new Error(`no host process for pid ${namespacePid} of attempt ${params.attemptId}`);
  return pid;
}

/** Waits until no process of the attempt is left. */
export async function waitUntilAttemptGone(attemptId: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (findAttemptProcesses(attemptId).length === 0) return true;
    await sleep(50);
  }
  return findAttemptProcesses(attemptId).length === 0;
}

function isZombie(pid: number): boolean {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}
