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
