/**
 * The repository's `verify` (`.github/orch.yml`, from the default branch at
 * dispatch) on an attempt's change: `/bin/sh -c <run>` in the worktree, in
 * the same sandbox the agent had (its network setting, a fresh HOME, no
 * GitHub token and none of the agent's keys), with its own timeout and its
 * output in the attempt's verify.log through the redactor. Whatever it
 * leaves in the worktree is not pushed: orch committed the agent's work
 * before it ran.
 */
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import { readLogTail } from "../../agents/log-tail.js";
import { buildAgentEnv, startAgent, type AgentExit } from "../../agents/runner.js";
import type { AttemptContext, VerifySettings, VerifyState } from "../../store/records.js";
import type { Store } from "../../store/store.js";
import { formatDuration } from "../../duration.js";
import { getAttemptFiles } from "../attempt-files.js";
import type { PipelineDeps } from "../deps.js";
import { buildSandboxedArgv, toPaths, toRealPaths } from "./run-agent.js";

export const VERIFY_TAIL = { maxLines: 40, maxBytes: 8 * 1024 };

/**
 * The end of an attempt's verify output: from its file when this host ran
 * it, else the copy its host wrote to the database (PostgreSQL); undefined
 * when neither is here.
 */
export async function readVerifyTail(deps: { home: string; store: Pick<Store, "findVerifyTail"> }, attemptId: number): Promise<string | undefined> {
  const file = getAttemptFiles(deps.home, attemptId).verifyLogFile;
  if (existsSync(file)) return readLogTail(file, VERIFY_TAIL);
  return (await deps.store.findVerifyTail(attemptId)) ?? undefined;
}

export interface VerifyOutcome {
  state: VerifyState | "cancelled";
  /** One line for the attempt's summary: "verify failed (exit 1): <its last line>". */
  summary: string;
  /** The end of its output (redacted), for the next attempt's feedback. */
  tail: string;
}

export async function runVerify(
  deps: Pick<PipelineDeps, "config" | "home" | "env" | "sandbox" | "redactor" | "cache" | "store">,
  params: { context: AttemptContext; worktreePath: string; settings: VerifySettings; signal: AbortSignal },
): Promise<VerifyOutcome> {
  const { config, home, env, redactor } = deps;
  const { context, worktreePath, settings, signal } = params;
  const { attempt, task, thread } = context;
  const files = getAttemptFiles(home, attempt.id);
  const agentSpec = config.agents[attempt.agent];
  const isSandboxed = agentSpec?.sandbox !== "none";
  // A fresh HOME: nothing the agent left in its own carries over.
  await fs.rm(files.homeDir, { recursive: true, force: true });
  await fs.mkdir(files.homeDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(files.ioDir, { recursive: true, mode: 0o700 });
  const paths = isSandboxed ? await toRealPaths(files) : toPaths(files);
  const command = ["/bin/sh", "-c", settings.run];
  const verifyEnv = buildAgentEnv({
    source: env,
    passThrough: [],
    extra: {
      HOME: paths.home,
      ...(isSandboxed ? { TMPDIR: "/tmp" } : {}),
      CI: "true",
      ORCH_ATTEMPT_DIR: paths.ioDir,
      ORCH_ATTEMPT_ID: String(attempt.id),
      ORCH_TASK: task.key,
      ORCH_REPOSITORY: `${thread.owner}/${thread.repo}`,
    },
  });
  let argv = command;
  if (isSandboxed) {
    const spec = { name: "verify", command, env: [], timeoutMs: settings.timeoutMs, sandbox: "bwrap" as const, network: agentSpec?.network ?? true };
    const sandboxed = buildSandboxedArgv({ deps, files, worktreePath, spec, command, pathEnv: verifyEnv.PATH, thread });
    if ("problem" in sandboxed) return { state: "failed", summary: `verify could not start: ${sandboxed.problem}`, tail: "" };
    argv = sandboxed.argv;
  }
  const running = await startAgent({
    argv,
    program: "verify",
    sandboxed: isSandboxed,
    cwd: worktreePath,
    env: verifyEnv,
    logFile: files.verifyLogFile,
    redact: (text) => redactor.redact(text),
    timeoutMs: settings.timeoutMs,
    killGraceMs: config.killGraceMs,
    signal,
  });
  const exit = await running.exited;
  const tail = await readLogTail(files.verifyLogFile, VERIFY_TAIL);
  // Hosts sharing PostgreSQL: the page and a council's judge may be on another host (readVerifyTail).
  if (deps.store.provider === "postgresql") await deps.store.recordVerifyTail({ attemptId: attempt.id, verifyTail: tail });
  return { ...judge(exit, settings), tail };
}

function judge(exit: AgentExit, settings: VerifySettings): Omit<VerifyOutcome, "tail"> {
  switch (exit.reason) {
    case "exited":
      return exit.exitCode === 0
        ? { state: "passed", summary: "verify passed" }
        : { state: "failed", summary: `verify failed (${exit.exitCode === null ? `signal ${exit.signal}` : `exit ${exit.exitCode}`})` };
    case "timed_out":
      return { state: "timed_out", summary: `verify timed out after ${formatDuration(settings.timeoutMs)}` };
    case "cancelled":
      return { state: "cancelled", summary: "verify was stopped" };
    case "spawn_failed":
      return { state: "failed", summary: `verify could not start: ${exit.message}` };
  }
}
