import { listPids, readEnviron, readStat } from "./proc-files.js";

/**
 * True when `pid` is still the agent process of attempt `attemptId`: its
 * environment (readable in /proc by the same user) holds the
 * ORCH_ATTEMPT_ID orch gave it. A recycled pid fails this check, so orch
 * never signals a stranger's process group after a restart. False where
 * /proc is unavailable.
 */
export function isAgentOfAttempt(pid: number, attemptId: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) return false;
  return readEnviron(pid)?.includes(`ORCH_ATTEMPT_ID=${attemptId}`) ?? false;
}

/**
 * True while any process of group `pgid` is still attempt `attemptId`'s:
 * the agent itself, or something it started that outlived it (a dev
 * server, an orphaned child). Each member is checked by its environment, so
 * a recycled group id never matches.
 */
export function hasAgentProcesses(pgid: number, attemptId: number): boolean {
  if (isAgentOfAttempt(pgid, attemptId)) return true;
  return (listPids() ?? []).some((pid) => pid > 1 && readStat(pid)?.pgrp === pgid && isAgentOfAttempt(pid, attemptId));
}
