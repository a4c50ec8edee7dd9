import fs from "node:fs/promises";
import path from "node:path";
import { buildAgentArgv } from "../../agents/build-argv.js";
import { readResultFile, type ResultFileRead } from "../../agents/result-file.js";
import { buildAgentEnv, startAgent, type AgentExit } from "../../agents/runner.js";
import type { AgentSpec } from "../../config/server-config.js";
import { isUserError } from "../../errors.js";
import { buildBwrapArgv } from "../../sandbox/bwrap-argv.js";
import { resolveProgram } from "../../sandbox/resolve-program.js";
import { resolveSandboxView } from "../../sandbox/sandbox-view.js";
import type { AttemptContext } from "../../store/records.js";
import { getAttemptFiles, type AttemptFiles } from "../attempt-files.js";
import { startLogMirror } from "../log-mirror.js";
import { buildFilesSection } from "../prompt.js";
import type { PipelineDeps } from "../deps.js";

/** Where the agent finds its files, as it sees them. */
export interface AgentPaths {
  home: string;
  ioDir: string;
  promptFile: string;
  resultFile: string;
}

export interface AgentRun {
  exit: AgentExit;
  /** What its result file said; `missing` unless it exited on its own. */
  result: ResultFileRead;
}

/**
 * Runs the attempt's agent in its worktree (runAgentProcess) with the
 * attempt's prompt, then reads its result file. `/orch ask` sees its
 * checkout read-only.
 */
export async function runAgent(
  deps: Pick<PipelineDeps, "config" | "home" | "env" | "store" | "sandbox" | "redactor" | "cache" | "log">,
  params: { context: AttemptContext; worktreePath: string; signal: AbortSignal; /** Epoch ms: the run's run_timeout; the agent gets no longer. */ deadline?: number },
): Promise<AgentRun> {
  const { config, home, store } = deps;
  const { context, worktreePath, signal } = params;
  const { attempt, task, thread } = context;
  const spec = config.agents[attempt.agent];
  if (!spec) {
    const known = Object.keys(config.agents).join(", ");
    return failed(`agent "${attempt.agent}" is not in the server's registry any more (known: ${known})`);
  }
  const files = getAttemptFiles(home, attempt.id);
  await prepareAgentFiles({ files, spec });
  // Hosts sharing PostgreSQL: the attempt page may be opened on another host, which reads the log's tail from the database.
  const mirror =
    store.provider === "postgresql"
      ? startLogMirror({ store, attemptId: attempt.id, logFile: files.logFile, redact: (text) => deps.redactor.redact(text), log: deps.log })
      : undefined;
  const exit = await runAgentProcess(deps, {
    spec,
    files,
    buildPrompt: (paths) => `${attempt.prompt.trimEnd()}\n\n${buildFilesSection({ resultFile: paths.resultFile })}`,
    workDir: worktreePath,
    isWorkDirReadOnly: task.mode === "ask",
    thread,
    env: { ORCH_ATTEMPT_ID: String(attempt.id), ORCH_TASK: task.key, ORCH_REPOSITORY: `${thread.owner}/${thread.repo}`, ORCH_THREAD_NUMBER: String(thread.number) },
    signal,
    ...(params.deadline === undefined ? {} : { deadline: params.deadline }),
    onStarted: (pid) => store.updateAttempt({ attemptId: attempt.id, progress: { pid } }),
  }).finally(() => mirror?.stop());
  const result: ResultFileRead = exit.reason === "exited" ? await readResultFile(files.resultFile, { redact: (text) => deps.redactor.redact(text) }) : { kind: "missing" };
  return { exit, result };
}

/** The files one agent run reads and writes: an attempt's (attempt-files.ts) or a council judge's. */
export type AgentFiles = Pick<AttemptFiles, "ioDir" | "promptFile" | "resultFile" | "homeDir" | "logFile">;

/** One agent process: which agent, its files, its prompt, where it works. */
export interface AgentJob {
  spec: AgentSpec;
  files: AgentFiles;
  /** The prompt, given the paths the agent sees its files at. */
  buildPrompt: (paths: AgentPaths) => string;
  /** Its cwd: an attempt's worktree, or the folder a judge reads its candidates from. */
  workDir: string;
  /** Bound read-only inside the sandbox (`/orch ask`, a judge). */
  isWorkDirReadOnly: boolean;
  /** The repository whose cache objects a worktree's alternates point at (shown read-only); none for a judge, which has no git. */
  thread?: { owner: string; repo: string };
  /** ORCH_* variables for it, besides the paths of its files. */
  env: Record<string, string>;
  signal: AbortSignal;
  /** Epoch ms it must end by, when that is sooner than its entry's timeout. */
  deadline?: number;
  /** Told the agent's pid once it runs (recorded, so a restart can stop it). */
  onStarted?: (pid: number) => Promise<unknown>;
}

/**
 * The one way orch runs an agent: argv from the server's registry (never a
 * shell), inside orch's sandbox unless its entry says `sandbox: none`; the
 * prompt as ORCH_PROMPT_FILE and `{prompt}`; a HOME the caller prepared
 * (prepareAgentFiles); a reduced environment without any GitHub token; the
 * agent's timeout; its output into its log through the redactor; and
 * everything it started killed on cancel or timeout.
 */
export async function runAgentProcess(deps: Pick<PipelineDeps, "config" | "home" | "env" | "sandbox" | "redactor" | "cache">, job: AgentJob): Promise<AgentExit> {
  const { config, env, redactor } = deps;
  const { spec, files, workDir, signal } = job;
  const isSandboxed = spec.sandbox === "bwrap";
  // Where the agent finds its files: the sandbox shows real paths only (a symlink on the way to ORCH_HOME would not resolve inside).
  const paths = isSandboxed ? await toRealPaths(files) : toPaths(files);
  const prompt = job.buildPrompt(paths);
  await fs.writeFile(files.promptFile, prompt, { mode: 0o600 });
  const command = buildAgentArgv(spec, { prompt, attemptDir: paths.ioDir, resultFile: paths.resultFile });
  const agentEnv = buildAgentEnv({
    source: env,
    passThrough: spec.env,
    extra: {
      HOME: paths.home,
      ...(isSandboxed ? { TMPDIR: "/tmp" } : {}),
      ORCH_PROMPT_FILE: paths.promptFile,
      ORCH_RESULT_FILE: paths.resultFile,
      ORCH_ATTEMPT_DIR: paths.ioDir,
      ...job.env,
    },
  });
  let argv = command;
  if (isSandboxed) {
    const sandboxed = buildSandboxedArgv({
      deps,
      files,
      worktreePath: workDir,
      spec,
      command,
      pathEnv: agentEnv.PATH,
      ...(job.thread ? { thread: job.thread } : {}),
      readOnlyWorktree: job.isWorkDirReadOnly,
    });
    if ("problem" in sandboxed) return failed(sandboxed.problem).exit;
    argv = sandboxed.argv;
  }
  // Unsandboxed, it could write into the spare worktrees: they are checked again before use.
  const releaseSpares = isSandboxed ? undefined : deps.cache.noteUnsandboxedAgent();
  try {
    const agent = await startAgent({
      argv,
      program: command[0] ?? "",
      sandboxed: isSandboxed,
      cwd: workDir,
      env: agentEnv,
      logFile: files.logFile,
      redact: (text) => redactor.redact(text),
      timeoutMs: job.deadline === undefined ? spec.timeoutMs : Math.max(1, Math.min(spec.timeoutMs, job.deadline - Date.now())),
      ...(spec.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: spec.idleTimeoutMs }),
      killGraceMs: config.killGraceMs,
      signal,
    });
    if (agent.pid !== undefined) await job.onStarted?.(agent.pid);
    return await agent.exited;
  } finally {
    releaseSpares?.();
  }
}

function failed(message: string): AgentRun {
  return { exit: { reason: "spawn_failed", message, durationMs: 0 }, result: { kind: "missing" } };
}

/**
 * A fresh io folder (room for the prompt and the result file) and a fresh
 * HOME, copied from the entry's template folder when it has one. Whatever an
 * earlier run of this attempt id left there is gone first.
 */
export async function prepareAgentFiles(params: { files: Pick<AgentFiles, "ioDir" | "homeDir">; spec: AgentSpec }): Promise<void> {
  const { files, spec } = params;
  await fs.rm(files.ioDir, { recursive: true, force: true });
  await fs.rm(files.homeDir, { recursive: true, force: true });
  await fs.mkdir(files.ioDir, { recursive: true, mode: 0o700 });
  if (spec.homeTemplate) {
    await fs.cp(spec.homeTemplate, files.homeDir, { recursive: true, verbatimSymlinks: true, errorOnExist: false });
  } else {
    await fs.mkdir(files.homeDir, { recursive: true, mode: 0o700 });
  }
}

export function toPaths(files: AgentFiles): AgentPaths {
  return { home: files.homeDir, ioDir: files.ioDir, promptFile: files.promptFile, resultFile: files.resultFile };
}

export async function toRealPaths(files: AgentFiles): Promise<AgentPaths> {
  const ioDir = await fs.realpath(files.ioDir);
  return {
    home: await fs.realpath(files.homeDir),
    ioDir,
    promptFile: path.join(ioDir, path.basename(files.promptFile)),
    resultFile: path.join(ioDir, path.basename(files.resultFile)),
  };
}

/** `bwrap … -- /abs/program args`, or why the agent cannot run in its sandbox (safe to show on GitHub). */
export function buildSandboxedArgv(params: {
  deps: Pick<PipelineDeps, "config" | "home" | "sandbox" | "cache">;
  files: Pick<AgentFiles, "ioDir" | "promptFile" | "homeDir">;
  worktreePath: string;
  spec: AgentSpec;
  command: string[];
  pathEnv: string | undefined;
  /** Whose cache objects are shown read-only (the worktree's alternates point there); none: no git at all. */
  thread?: { owner: string; repo: string };
  /** `/orch ask`: the checkout is bound read-only over its read-write bind. */
  readOnlyWorktree?: boolean;
}): { argv: string[] } | { problem: string } {
  const { deps, files, worktreePath, spec, command, pathEnv, thread } = params;
  const { sandbox, config, home, cache } = deps;
  if (!sandbox.bwrap) return { problem: "orch's sandbox (bubblewrap) is not available on this host; the operator must install the package bubblewrap" };
  try {
    const view = resolveSandboxView({
      worktree: worktreePath,
      ioDir: files.ioDir,
      promptFile: files.promptFile,
      agentHome: files.homeDir,
      readOnlyBinds: [...(thread ? [path.join(cache.cachePath(thread.owner, thread.repo), "objects")] : []), ...(params.readOnlyWorktree ? [worktreePath] : [])],
      hidden: {
        orchHome: home,
        orchCwd: sandbox.orchCwd,
        orchUserHome: sandbox.orchUserHome,
        ...(sandbox.databaseDir ? { databaseDir: sandbox.databaseDir } : {}),
        ...(sandbox.privateKeyFile ? { privateKeyFile: sandbox.privateKeyFile } : {}),
        operatorPaths: config.sandbox.hide,
      },
      exposed: config.sandbox.expose,
      network: spec.network,
    });
    const program = resolveProgram({ program: command[0] ?? "", pathEnv, view });
    if (!program.ok) return { problem: program.problem };
    return { argv: buildBwrapArgv({ bwrap: sandbox.bwrap, view, command: [program.path, ...command.slice(1)] }) };
  } catch (error) {
    if (isUserError(error)) return { problem: `the agent's sandbox cannot be set up: ${error.message}` };
    throw error;
  }
}
