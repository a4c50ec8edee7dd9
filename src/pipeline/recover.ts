/**
 * After a crash or restart: attempts this host was running have no pipeline
 * any more. Each becomes `lost` (its agent, if it outlived orch, is stopped
 * first), its check run is completed with a summary that says orch
 * restarted, and its thread's status comment is refreshed. Queued attempts
 * need nothing: the scheduler starts them in order.
 */
import path from "node:path";
import { hasAgentProcesses } from "../agents/identify.js";
import { killProcessGroup } from "../agents/process-group.js";
import { buildBranchName } from "../workspace/branch-name.js";
import type { PipelineDeps } from "./deps.js";

export async function recoverLostAttempts(
  deps: Pick<PipelineDeps, "store" | "reporter" | "config" | "log" | "home">,
  params: { host: string },
): Promise<number> {
  const { store, reporter, config, log, home } = deps;
  // Ours: recorded under this host id, or holding a worktree in this ORCH_HOME (which
  // belongs to one orch process), so a changed host name (a new container) loses nothing.
  const isInHome = (worktreePath: string | null) => worktreePath !== null && worktreePath.startsWith(path.join(home, "worktrees") + path.sep);
  const orphans = (await store.listAttemptContexts({ states: ["running"] })).filter(
    ({ attempt }) => attempt.host === params.host || isInHome(attempt.worktreePath),
  );
  const threads = new Set<number>();
  for (const { attempt, thread } of orphans) {
    // The agent, or anything it started that outlived it, still in its process group.
    const isAlive = attempt.pid !== null && hasAgentProcesses(attempt.pid, attempt.id);
    if (isAlive) await killProcessGroup(attempt.pid!, config.killGraceMs);
    const summary = isAlive
      ? "orch restarted while this attempt ran; its agent was stopped. Retry it to run it again."
      : "orch restarted while this attempt ran and its agent is gone. Retry it to run it again.";
    const moved = await store.transitionAttempt({ attemptId: attempt.id, to: "lost", progress: { endedAt: new Date(), summary } });
    if (moved) {
      log.warn({ attemptId: attempt.id, wasAlive: isAlive }, "marked an attempt lost after a restart");
      threads.add(thread.id);
    }
  }
  await reconcileReports(deps);
  await startWaitingTasks(deps);
  await Promise.all([...threads].map((threadId) => reporter.refreshStatusNow(threadId)));
  return threads.size;
}

/**
 * Starts the tasks whose dependencies all succeeded but that were not started
 * (the host that recorded the last success died before it could). Runs at
 * start and with every reconcile; startReadyTasks makes each attempt once.
 */
export async function startWaitingTasks(deps: Pick<PipelineDeps, "store" | "log">): Promise<number> {
  const { store, log } = deps;
  let started = 0;
  for (const { runId, threadNumber } of await store.findRunsWithWaitingTasks()) {
    const buildBranch = (taskKey: string) => buildBranchName({ threadNumber, taskKey, attemptNumber: 1 });
    const created = await store.startReadyTasks({ runId, buildBranch });
    if (created.length > 0) log.warn({ runId, attempts: created.map((a) => a.id) }, "started tasks whose dependencies had succeeded");
    started += created.length;
  }
  return started;
}

/**
 * Completes the check runs of ended attempts that GitHub has not been told
 * about (a 502, a rate limit or a restart got in the way), and refreshes
 * their status comments. Runs at start and then periodically.
 */
export async function reconcileReports(deps: Pick<PipelineDeps, "store" | "reporter" | "log">): Promise<number> {
  const { store, reporter, log } = deps;
  const pending = await store.listUnreportedAttempts({ limit: 100 });
  const threads = new Set<number>();
  for (const context of pending) {
    try {
      await reporter.completeCheckRuns(context);
      threads.add(context.thread.id);
    } catch (error) {
      log.warn({ err: error, attemptId: context.attempt.id }, "could not complete a check run; will try again");
    }
  }
  await Promise.all([...threads].map((threadId) => reporter.refreshStatusNow(threadId)));
  return pending.length;
}

/**
 * Puts back the council judgings that `hosts` had claimed (this host after a
 * restart, or hosts declared dead): their judge died with them. The tasks
 * are judged again (judgeCouncil) by whichever host looks next.
 */
export async function releaseJudgingOf(deps: Pick<PipelineDeps, "store" | "log">, params: { hosts: readonly string[] }): Promise<number> {
  const { store, log } = deps;
  let released = 0;
  for (const host of params.hosts) {
    const tasks = await store.releaseJudging({ host });
    if (tasks.length > 0) log.warn({ judgeHost: host, tasks }, "a council's judge was left unfinished by a stopped host; it judges again");
    released += tasks.length;
  }
  return released;
}

