import path from "node:path";

/** Where an attempt's own files live, outside its worktree so the agent cannot commit them by accident. */
export function getAttemptFiles(home: string, attemptId: number) {
  const dir = path.join(home, "attempts", String(attemptId));
  return {
    dir,
    promptFile: path.join(dir, "prompt.md"),
    resultFile: path.join(dir, "result.json"),
    logFile: path.join(dir, "agent.log"),
  };
}
