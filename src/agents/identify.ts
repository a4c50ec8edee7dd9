import fs from "node:fs";

/**
 * True when `pid` is still the agent process of attempt `attemptId`: its
 * environment (readable in /proc by the same user) holds the
 * ORCH_ATTEMPT_ID orch gave it. A recycled pid fails this check, so orch
 * never signals a stranger's process group after a restart. False where
 * /proc is unavailable.
 */
export function isAgentOfAttempt(pid: number, attemptId: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) return false;
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "latin1");
    return environ.split("\0").includes(`ORCH_ATTEMPT_ID=${attemptId}`);
  } catch {
    return false;
  }
}

/** The process group of a /proc/<pid>/stat line (the field after state and ppid; comm may hold spaces and parentheses). */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

/**
 * True while any process of group `pgid` is still attempt `attemptId`'s:
 * the agent itself, or something it started that outlived it (a dev
 * server, an orphaned child). Each member is checked by its environment, so
 * a recycled group id never matches.
 */
export function hasAgentProcesses(pgid: number, attemptId: number): boolean {
  if (isAgentOfAttempt(pgid, attemptId)) return true;
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return false;
  }
  return entries.some((entry) => {
    const pid = Number(entry);
    return Number.isSafeInteger(pid) && pid > 1 && processGroupOf(pid) === pgid && isAgentOfAttempt(pid, attemptId);
  });
}
