import fs from "node:fs/promises";
import { buildAgentArgv } from "../../agents/build-argv.js";
import { readResultFile, type AgentResult, type InvalidResultFile } from "../../agents/result-file.js";
import { buildAgentEnv, startAgent, type AgentExit } from "../../agents/runner.js";
import type { AttemptContext } from "../../store/records.js";
import { getAttemptFiles } from "../attempt-files.js";
import type { PipelineDeps } from "../deps.js";

export interface AgentRun {
  exit: AgentExit;
  result: AgentResult | InvalidResultFile | undefined;
}

/**
 * Runs the attempt's agent in its worktree: argv from the server's registry
 * (never a shell), the prompt as ORCH_PROMPT_FILE and `{prompt}`, a reduced
 * environment without any GitHub token, the agent's timeout, output to the
 * attempt's log, and its whole process group killed on cancel or timeout.
 */
export async function runAgent(
  deps: Pick<PipelineDeps, "config" | "home" | "env" | "store">,
  params: { context: AttemptContext; worktreePath: string; signal: AbortSignal },
): Promise<AgentRun> {
  const { config, home, env, store } = deps;
  const { context, worktreePath, signal } = params;
  const { attempt, task, thread } = context;
  const spec = config.agents[attempt.agent];
  if (!spec) {
    const known = Object.keys(config.agents).join(", ");
    return {
      exit: { reason: "spawn_failed", message: `agent "${attempt.agent}" is not in the server's registry any more (known: ${known})`, durationMs: 0 },
      result: undefined,
    };
  }
  const files = getAttemptFiles(home, attempt.id);
  await fs.mkdir(files.dir, { recursive: true });
  await fs.writeFile(files.promptFile, attempt.prompt, { mode: 0o600 });
  await fs.rm(files.resultFile, { force: true });
  const agent = startAgent({
    argv: buildAgentArgv(spec, attempt.prompt),
    cwd: worktreePath,
    env: buildAgentEnv({
      source: env,
      passThrough: spec.env,
      extra: {
        ORCH_PROMPT_FILE: files.promptFile,
        ORCH_RESULT_FILE: files.resultFile,
        ORCH_ATTEMPT_DIR: files.dir,
        ORCH_ATTEMPT_ID: String(attempt.id),
        ORCH_TASK: task.key,
        ORCH_REPOSITORY: `${thread.owner}/${thread.repo}`,
        ORCH_THREAD_NUMBER: String(thread.number),
      },
    }),
    logFile: files.logFile,
    timeoutMs: spec.timeoutMs,
    killGraceMs: config.killGraceMs,
    signal,
  });
  if (agent.pid !== undefined) await store.updateAttempt({ attemptId: attempt.id, progress: { pid: agent.pid } });
  const exit = await agent.exited;
  const result = exit.reason === "exited" ? await readResultFile(files.resultFile) : undefined;
  return { exit, result };
}
