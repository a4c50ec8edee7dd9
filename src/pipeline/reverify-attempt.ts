/**
 * `/orch verify` on an ended attempt: the run's verify again, in the
 * attempt's worktree, on the host that holds it (another host is asked
 * through its queue). It runs in the background; its result replaces the
 * attempt's verify state and shows in its check run and the status comment.
 * The attempt's own state stays as recorded: a pass after a failure says the
 * branch is good now, and `/orch retry` or a maintainer's PR takes it on.
 */
import type { AttemptContext } from "../store/records.js";
import type { Background } from "./background.js";
import type { RouteToHost } from "./cancel-attempt.js";
import type { PipelineDeps } from "./deps.js";
import { runVerify } from "./steps/run-verify.js";

export async function reverifyAttempt(
  deps: PipelineDeps & { host: string; route?: RouteToHost; background: Background },
  params: { context: AttemptContext },
): Promise<"started" | "requested"> {
  const { store, reporter, log, host, route, background } = deps;
  const { context } = params;
  const { attempt, run, thread } = context;
  if (route && attempt.host && attempt.host !== host && (await route(attempt.host, { kind: "verify", attemptId: attempt.id }))) return "requested";
  const settings = run.verify;
  const worktreePath = attempt.worktreePath;
  if (!settings || !worktreePath) return "started";
  void background
    .track(
      (async () => {
        const verify = await runVerify(deps, { context, worktreePath, settings, signal: new AbortController().signal });
        if (verify.state === "cancelled") return;
        await store.updateAttempt({ attemptId: attempt.id, progress: { verifyState: verify.state } });
        const recorded = await store.findAttemptContext(attempt.id);
        if (recorded) await reporter.complete(recorded);
        reporter.refreshStatus(thread.id);
        log.info({ attemptId: attempt.id, verify: verify.state }, "verify ran again");
      })(),
    )
    .catch((error: unknown) => log.error({ err: error, attemptId: attempt.id }, "verify could not run again"));
  return "started";
}
