import { readLogTail } from "../../agents/log-tail.js";
import { renderCheckRun } from "../../render/check-run.js";
import type { AttemptContext } from "../../store/records.js";
import type { PipelineDeps } from "../deps.js";
import { getAttemptFiles } from "../attempt-files.js";

const LOG_TAIL = { maxLines: 60, maxBytes: 16 * 1024 };

async function buildView(deps: Pick<PipelineDeps, "config" | "home">, context: AttemptContext) {
  const logTail = await readLogTail(getAttemptFiles(deps.home, context.attempt.id).logFile, LOG_TAIL);
  const canReassign = Object.keys(deps.config.agents).length > 1;
  return renderCheckRun({ context, logTail, now: new Date(), canReassign });
}

/**
 * Creates the attempt's check run, in progress, on its base commit (GitHub has
 * that commit; for a PR thread it is the PR head, so it shows in the PR's checks).
 */
export async function createAttemptCheckRun(
  deps: Pick<PipelineDeps, "config" | "home" | "github" | "store">,
  context: AttemptContext,
): Promise<number> {
  const { attempt, thread } = context;
  if (!attempt.baseSha) throw new Error(`attempt ${attempt.id} has no base commit yet`);
  const { id } = await deps.github(thread).createCheckRun({
    headSha: attempt.baseSha,
    externalId: String(attempt.id),
    detailsUrl: thread.url,
    view: await buildView(deps, context),
  });
  await deps.store.updateAttempt({ attemptId: attempt.id, progress: { checkRunId: id, reportedState: "running" } });
  return id;
}

/**
 * Brings the attempt's check runs up to date with its state: the one on the
 * base commit is updated (or created, when GitHub refused it at the start),
 * and once the branch is pushed a completed copy is created on the pushed
 * head, so it shows in the attempt's own pull request. Records what GitHub
 * now shows, so a report that failed is found and made again later.
 */
export async function completeAttemptCheckRuns(
  deps: Pick<PipelineDeps, "config" | "home" | "github" | "store">,
  params: { context: AttemptContext },
): Promise<void> {
  const { context } = params;
  const { attempt, thread } = context;
  const client = deps.github(thread);
  const view = await buildView(deps, context);
  let checkRunId = attempt.checkRunId;
  if (checkRunId === null && attempt.baseSha) {
    // GitHub may have made it although orch never heard back (a fault, a crash): look before making another.
    const externalId = String(attempt.id);
    checkRunId = (await client.findCheckRun({ headSha: attempt.baseSha, name: view.name, externalId })) ?? null;
    if (checkRunId === null) {
      ({ id: checkRunId } = await client.createCheckRun({ headSha: attempt.baseSha, externalId, detailsUrl: thread.url, view }));
    }
    await deps.store.updateAttempt({ attemptId: attempt.id, progress: { checkRunId } });
  }
  if (checkRunId !== null) {
    await client.updateCheckRun({ checkRunId, detailsUrl: thread.url, view });
  }
  const isFirstReportOfEnd = attempt.reportedState !== attempt.state;
  if (isFirstReportOfEnd && attempt.headSha && attempt.headSha !== attempt.baseSha) {
    await client.createCheckRun({ headSha: attempt.headSha, externalId: String(attempt.id), detailsUrl: thread.url, view });
  }
  await deps.store.updateAttempt({ attemptId: attempt.id, progress: { reportedState: attempt.state } });
}
