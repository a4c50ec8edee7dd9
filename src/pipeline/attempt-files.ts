import path from "node:path";

/**
 * Where an attempt's own files live, under `<ORCH_HOME>/attempts/<id>/`,
 * outside its worktree so the agent cannot commit them by accident. Only
 * `io/` and `home/` are in the agent's sandbox; the log and orch's git state
 * are not, so nothing orch later reads, writes or deletes there was written
 * by the agent.
 */
export function getAttemptFiles(home: string, attemptId: number) {
  const dir = path.join(home, "attempts", String(attemptId));
  const ioDir = path.join(dir, "io");
  return {
    dir,
    /** Written by orch from the agent's output (agent-log.ts). */
    logFile: path.join(dir, "agent.log"),
    /** Written by orch from the repository's verify command's output (run-verify.ts). */
    verifyLogFile: path.join(dir, "verify.log"),
    /** Read-write for the agent: it holds the prompt (read-only inside) and the result file. */
    ioDir,
    promptFile: path.join(ioDir, "prompt.md"),
    resultFile: path.join(ioDir, "result.json"),
    /** The agent's HOME, seeded from its entry's `home:` template. */
    homeDir: path.join(dir, "home"),
    /** orch's index and objects for the attempt's commit (attempt-commit.ts). */
    gitDir: path.join(dir, "git"),
  };
}

export type AttemptFiles = ReturnType<typeof getAttemptFiles>;
