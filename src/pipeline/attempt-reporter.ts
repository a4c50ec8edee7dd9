/**
 * Tells GitHub where attempts stand: each attempt's check runs and each
 * thread's status comment. The one place that creates and completes check
 * runs, so the pipeline, cancel, cleanup and recovery report alike; what
 * GitHub refused is recorded as unreported and made again by reconcile.
 */
import { existsSync } from "node:fs";
import type { Logger } from "pino";
import { readLogTail } from "../agents/log-tail.js";
import { renderCheckRun, type CheckRunView } from "../render/check-run.js";
import type { AttemptUrl } from "../render/status-comment.js";
import type { AttemptContext } from "../store/records.js";
import type { Store } from "../store/store.js";
import { isEnded } from "../store/transitions.js";
import { getAttemptFiles } from "./attempt-files.js";
import type { Background } from "./background.js";
import type { AttemptButtons, GitHubFactory } from "./ports.js";
import { StatusReporter } from "./status-reporter.js";
import { readVerifyTail } from "./steps/run-verify.js";

const LOG_TAIL = { maxLines: 60, maxBytes: 16 * 1024 };

export class AttemptReporter {
  private readonly status: StatusReporter;

  constructor(
    private readonly deps: {
      store: Pick<Store, "updateAttempt" | "findLogTail" | "findVerifyTail"> & ConstructorParameters<typeof StatusReporter>[0]["store"];
      github: GitHubFactory;
      buttons: AttemptButtons;
      /** This host's id, for the turns to publish status comments (status-reporter.ts). */
      host: string;
      /** ORCH_HOME, for the attempts' logs. */
      home: string;
      background: Background;
      log: Logger;
      /** The attempt's page (web/) when orch has a public URL (ORCH_PUBLIC_URL); undefined: none. */
      attemptUrl?: AttemptUrl;
    },
  ) {
    this.status = new StatusReporter({
      store: deps.store,
      github: deps.github,
      log: deps.log,
      host: deps.host,
      nextVerbs: (attempt) => deps.buttons.verbsFor(attempt),
      ...(deps.attemptUrl ? { attemptUrl: deps.attemptUrl } : {}),
    });
  }

  /** Where a check run's "Details" link goes: the attempt's page, else (no public URL) the thread. */
  pageUrl(context: Pick<AttemptContext, "attempt" | "thread">): string {
    return this.deps.attemptUrl?.(context.attempt.id) ?? context.thread.url;
  }

  /** This process's claim on the status comments' turns: what a restart of this host keeps. */
  get statusLease(): string {
    return this.status.lease;
  }

  /** Refreshes the thread's status comment in the background. */
  refreshStatus(threadId: number): void {
    void this.deps.background.track(this.status.refresh(threadId));
  }

  /** Refreshes it and resolves once a publish that started after this call is done. Never rejects. */
  refreshStatusNow(threadId: number): Promise<void> {
    return this.deps.background.track(this.status.refresh(threadId));
  }

  /**
   * Creates the attempt's check run, in progress, on its base commit (GitHub
   * has that commit; for a PR thread it is the PR head, so it shows in the
   * PR's checks). Undefined when GitHub refused: the end makes it then.
   */
  async startCheckRun(context: AttemptContext): Promise<number | undefined> {
    const { attempt, thread } = context;
    try {
      if (!attempt.baseSha) throw new Error(`attempt ${attempt.id} has no base commit yet`);
      const { id } = await this.deps.github(thread).createCheckRun({
        headSha: attempt.baseSha,
        externalId: String(attempt.id),
        detailsUrl: this.pageUrl(context),
        view: await this.buildView(context),
      });
      await this.deps.store.updateAttempt({ attemptId: attempt.id, progress: { checkRunId: id, reportedState: "running" } });
      return id;
    } catch (error) {
      this.deps.log.warn({ err: error, attemptId: attempt.id }, "could not create the check run");
      return undefined;
    }
  }

  /** completeCheckRuns, logging (never throwing) when GitHub refused: reconcile makes the report again. */
  async complete(context: AttemptContext): Promise<void> {
    await this.completeCheckRuns(context).catch((error: unknown) =>
      this.deps.log.warn({ err: error, attemptId: context.attempt.id }, "could not complete the check run; it is reconciled later"),
    );
  }

  /**
   * Brings the attempt's check runs up to date with its state: the one on the
   * base commit is updated (or created, when GitHub refused it at the start),
   * and once the branch is pushed a completed copy is created on the pushed
   * head, so it shows in the attempt's own pull request. Records what GitHub
   * now shows, so a report that failed is found and made again later.
   */
  async completeCheckRuns(context: AttemptContext): Promise<void> {
    const { attempt, thread } = context;
    const client = this.deps.github(thread);
    const view = await this.buildView(context);
    let checkRunId = attempt.checkRunId;
    if (checkRunId === null && attempt.baseSha) {
      // GitHub may have made it although orch never heard back (a fault, a crash): look before making another.
      const externalId = String(attempt.id);
      checkRunId = (await client.findCheckRun({ headSha: attempt.baseSha, name: view.name, externalId })) ?? null;
      if (checkRunId === null) {
        ({ id: checkRunId } = await client.createCheckRun({ headSha: attempt.baseSha, externalId, detailsUrl: this.pageUrl(context), view }));
      }
      await this.deps.store.updateAttempt({ attemptId: attempt.id, progress: { checkRunId } });
    }
    if (checkRunId !== null) {
      await client.updateCheckRun({ checkRunId, detailsUrl: this.pageUrl(context), view });
    }
    const isFirstReportOfEnd = attempt.reportedState !== attempt.state;
    if (isFirstReportOfEnd && attempt.headSha && attempt.headSha !== attempt.baseSha) {
      const externalId = String(attempt.id);
      // An end reported before (a council attempt now superseded) has its copy on the pushed head already: update that one.
      const earlier = attempt.reportedState !== null && isEnded(attempt.reportedState)
        ? await client.findCheckRun({ headSha: attempt.headSha, name: view.name, externalId })
        : undefined;
      if (earlier !== undefined) await client.updateCheckRun({ checkRunId: earlier, detailsUrl: this.pageUrl(context), view });
      else await client.createCheckRun({ headSha: attempt.headSha, externalId, detailsUrl: this.pageUrl(context), view });
    }
    await this.deps.store.updateAttempt({ attemptId: attempt.id, progress: { reportedState: attempt.state } });
  }

  private async buildView(context: AttemptContext): Promise<CheckRunView> {
    const logTail = await this.readLog(context.attempt.id);
    const verifyTail = context.attempt.verifyState === null ? "" : ((await readVerifyTail({ home: this.deps.home, store: this.deps.store }, context.attempt.id)) ?? "");
    return renderCheckRun({ context, logTail, verifyTail, now: new Date(), actions: this.deps.buttons.actionsFor(context.attempt) });
  }

  /**
   * The end of the attempt's log: its file when this host ran it, else the
   * tail its host copied to the database (PostgreSQL: a dead host's attempt,
   * completed here), cut to the check run's size.
   */
  private async readLog(attemptId: number): Promise<string> {
    const { logFile } = getAttemptFiles(this.deps.home, attemptId);
    if (existsSync(logFile)) return readLogTail(logFile, LOG_TAIL);
    const lines = ((await this.deps.store.findLogTail(attemptId)) ?? "").split("\n").slice(-LOG_TAIL.maxLines);
    while (lines.length > 1 && Buffer.byteLength(lines.join("\n")) > LOG_TAIL.maxBytes) lines.shift();
    return lines.join("\n");
  }
}
