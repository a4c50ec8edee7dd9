/**
 * What each verb of the command line does, once its arguments parsed
 * (program.ts). Reading verbs open the database only; acting verbs run the
 * comment verbs' own code (src/commands/verbs/) aimed at one attempt, as a
 * check-run button does, so every guard, store transition and GitHub report
 * is the one a comment gets, and then say on the thread that the operator
 * did it. Each returns the process's exit code.
 */
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { CommandOutcome } from "../commands/outcome.js";
import type { ThreadRequest } from "../commands/request.js";
import type { VerbRequest } from "../commands/verb.js";
import { cancelVerb } from "../commands/verbs/cancel.js";
import { cleanupAttempts } from "../commands/verbs/cleanup.js";
import { retryVerb } from "../commands/verbs/retry.js";
import { threadNoun } from "../commands/verbs/words.js";
import { DEFAULT_REPO_CONFIG } from "../config/repo-config.js";
import { getAttemptFiles } from "../pipeline/attempt-files.js";
import { renderOutcome, renderRefusal } from "../render/command-replies.js";
import { markdownToTerminal, renderAttemptDetails, renderAttemptsTable, renderOperatorReply, safeForTerminal, formatAge } from "../render/terminal.js";
import type { AttemptContext } from "../store/records.js";
import { ATTEMPT_STATES, isActive, isEnded, type AttemptState } from "../store/transitions.js";
import { CliError } from "./cli-error.js";
import { OPERATOR, openActingOperator, openOperator, type ActingOperator, type ReadOnlyOperator } from "./operator.js";

/** Where a verb writes: stdout for results, stderr for notes. */
export interface Io {
  /** A result line (a newline is added). */
  out(text: string): void;
  /** Text as it is (the log). */
  write(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** What `--follow` and `cancel` wait between looks at the database. */
const POLL_MS = 300;
/** How long cleanup waits for another host to remove a worktree it was asked to (it may be down: then it does so when it is back). */
const ROUTED_CLEANUP_WAIT_MS = 5_000;
/** How much of a log is read, redacted and printed at a time (cut at a line end, so a secret is never split). */
const LOG_CHUNK = 256 * 1024;

async function withOperator<T>(io: Io, work: (operator: ReadOnlyOperator) => Promise<T>): Promise<T> {
  const operator = await openOperator(io);
  try {
    return await work(operator);
  } finally {
    await operator.close();
  }
}

async function withActingOperator<T>(io: Io, work: (operator: ActingOperator) => Promise<T>): Promise<T> {
  const operator = await openActingOperator(io);
  try {
    return await work(operator);
  } finally {
    await operator.close();
  }
}

async function getContext(operator: ReadOnlyOperator, attemptId: number): Promise<AttemptContext> {
  const context = await operator.store.findAttemptContext(attemptId);
  if (!context) throw new CliError(`there is no attempt ${attemptId}; \`orch attempts\` lists them with their ids.`);
  return context;
}

function labelAttempt(context: AttemptContext): string {
  const { attempt, task, thread } = context;
  return safeForTerminal(`attempt ${attempt.id} (${thread.owner}/${thread.repo}#${thread.number} ${task.key}/a${attempt.number}, ${attempt.agent})`);
}

export async function listAttemptsAction(io: Io, options: { states?: AttemptState[]; repo?: { owner: string; repo: string }; limit: number }): Promise<number> {
  return withOperator(io, async (operator) => {
    const attempts = await operator.store.listAttempts({
      ...(options.states ? { states: options.states } : {}),
      ...(options.repo ? { repo: options.repo } : {}),
      limit: options.limit,
    });
    io.out(operator.redactor.redactKnown(renderAttemptsTable({ attempts, now: new Date() })));
    if (attempts.length === options.limit) io.err(`orch: showing the newest ${options.limit}; --limit N shows more.`);
    return 0;
  });
}

export async function showAction(io: Io, attemptId: number): Promise<number> {
  return withOperator(io, async (operator) => {
    const context = await getContext(operator, attemptId);
    const { logFile } = getAttemptFiles(operator.settings.home, attemptId);
    io.out(operator.redactor.redactKnown(renderAttemptDetails({ context, logFile, now: new Date() })));
    return 0;
  });
}

/**
 * Prints the agent's log through the redactor; with `follow`, goes on
 * printing what is added until the attempt has ended.
 */
export async function logsAction(io: Io, params: { attemptId: number; follow: boolean }): Promise<number> {
  const { attemptId, follow } = params;
  return withOperator(io, async (operator) => {
    const context = await getContext(operator, attemptId);
    const { logFile } = getAttemptFiles(operator.settings.home, attemptId);
    if (!fs.existsSync(logFile) && !(follow && isActive(context.attempt.state))) {
      throw new CliError(
        context.attempt.state === "queued"
          ? `${labelAttempt(context)} is queued: its agent has not started, so there is no log yet. \`orch logs ${attemptId} -f\` waits for it.`
          : `${labelAttempt(context)} has no log at ${logFile}: it never started an agent here (its host is ${context.attempt.host ?? "none"}).`,
      );
    }
    const printer = new LogPrinter(logFile, (text) => operator.redactor.redact(text), (text) => io.write(safeForTerminal(text)));
    await printer.printNew();
    if (!follow) return await printer.finish();
    for (;;) {
      const now = await operator.store.findAttemptContext(attemptId);
      const hasEnded = !now || isEnded(now.attempt.state);
      await printer.printNew();
      if (hasEnded) {
        const code = await printer.finish();
        io.err(`orch: ${labelAttempt(now ?? context)} ended: ${now?.attempt.state ?? "gone"}.`);
        return code;
      }
      await sleep(POLL_MS);
    }
  });
}

/** Reads a growing log from where it left off, whole lines at a time. */
class LogPrinter {
  private offset = 0;
  private partial = "";

  constructor(
    private readonly file: string,
    private readonly redact: (text: string) => Promise<string>,
    private readonly write: (text: string) => void,
  ) {}

  async printNew(): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, "r");
    } catch {
      return; // not there yet
    }
    try {
      const buffer = Buffer.alloc(LOG_CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, LOG_CHUNK, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        const text = this.partial + buffer.subarray(0, bytesRead).toString("utf8");
        const end = text.lastIndexOf("\n");
        // A line longer than a chunk is printed in pieces; the agent log writer cuts long lines too.
        const cut = end >= 0 ? end + 1 : text.length > LOG_CHUNK ? text.length : 0;
        this.partial = text.slice(cut);
        if (cut > 0) this.write(await this.redact(text.slice(0, cut)));
      }
    } finally {
      await handle.close();
    }
  }

  /** Prints what is left of a last line without a newline. */
  async finish(): Promise<number> {
    if (this.partial) {
      const rest = this.partial;
      this.partial = "";
      this.write(`${await this.redact(rest)}\n`);
    }
    return 0;
  }
}

/** The request a verb gets when the operator aims it at one attempt: like a check-run button's, on its run. */
function operatorRequest(context: AttemptContext, thread: { title: string; body: string; isOpen: boolean; url: string }): VerbRequest["request"] {
  const request: ThreadRequest = {
    installationId: context.thread.installationId,
    owner: context.thread.owner,
    repo: context.thread.repo,
    defaultBranch: context.run.prBase,
    // What the new attempt records as requestedBy (and @-mentions): the person who asked for the task, not a GitHub user named "operator".
    sender: context.attempt.requestedBy,
    thread: { number: context.thread.number, kind: context.thread.kind, ...thread },
    runId: context.run.id,
  };
  return request;
}

/** Posts the verb's outcome on the thread as the operator's; a failure to post is a warning, the action stands. */
async function replyOnThread(operator: ActingOperator, context: AttemptContext, params: { outcome: CommandOutcome; command: string }): Promise<void> {
  const message = renderOutcome(params.outcome);
  if (!message) return;
  try {
    await operator.github(context.thread).reply(renderOperatorReply({ message, command: params.command }));
  } catch (error) {
    operator.log.warn({ err: error }, "could not post the reply on the thread");
  }
}

export async function cancelAction(io: Io, attemptId: number): Promise<number> {
  return withActingOperator(io, async (operator) => {
    let context = await getContext(operator, attemptId);
    const cancel = (current: AttemptContext) =>
      cancelVerb.run(
        operator.verbDeps,
        {
          request: operatorRequest(current, { title: current.thread.title, body: "", isOpen: true, url: current.thread.url }),
          repoConfig: DEFAULT_REPO_CONFIG,
          github: operator.github(current.thread),
        },
        { verb: "cancel", scope: { kind: "attempt", attemptId }, why: `cancelled by ${OPERATOR}` },
      );
    let outcome = await cancel(context);
    // Queued when read, claimed by the server before the store could cancel it: it runs now, so stop it there.
    if (outcome.kind === "refused" && outcome.refusal.kind === "just_ended") {
      context = await getContext(operator, attemptId);
      if (isActive(context.attempt.state)) outcome = await cancel(context);
    }
    if (outcome.kind !== "done") {
      io.err(`orch: ${markdownToTerminal(renderOutcome(outcome) ?? "nothing was done.")}`);
      return 1;
    }
    await replyOnThread(operator, context, { outcome, command: `orch cancel ${attemptId}` });
    // A running agent is stopped by the server that runs it, which records the end: wait to say how it ended.
    const deadline = Date.now() + operator.config.killGraceMs + 30_000;
    for (;;) {
      const now = await getContext(operator, attemptId);
      // The status comment this process refreshed after the verb may have been read before the end
      // was recorded, and land after the server's: refresh it once more from the ended state.
      if (isEnded(now.attempt.state)) await operator.verbDeps.attempts.refreshStatusNow(now.thread.id);
      if (now.attempt.state === "cancelled") {
        io.out(`Cancelled ${labelAttempt(now)}: cancelled. Its check run and the thread's status comment say so.`);
        return 0;
      }
      if (isEnded(now.attempt.state)) {
        const label = labelAttempt(now);
        io.out(`${label[0]!.toUpperCase()}${label.slice(1)} ended ${now.attempt.state} before its agent could be stopped.`);
        return 0;
      }
      if (Date.now() > deadline) {
        io.out(`Asked ${now.attempt.host ?? "the server"} to stop ${labelAttempt(now)}; it has not ended yet. \`orch show ${attemptId}\` tells when it has.`);
        return 0;
      }
      await sleep(POLL_MS);
    }
  });
}

export async function retryAction(io: Io, attemptId: number): Promise<number> {
  return withActingOperator(io, async (operator) => {
    const context = await getContext(operator, attemptId);
    const { task, attempt } = context;
    const run = await operator.store.findRun({ threadId: context.thread.id, runId: context.run.id });
    const latest = run?.tasks.find((candidate) => candidate.id === task.id)?.attempts.at(-1);
    if (latest && latest.id !== attempt.id) {
      throw new CliError(
        `attempt ${attempt.id} is ${task.key} attempt ${attempt.number}, and ${task.key}'s latest is attempt ${latest.number} (id ${latest.id}, ${latest.state}); \`orch retry ${latest.id}\` retries the task.`,
      );
    }
    const github = operator.github(context.thread);
    // The thread may have been closed since: ask GitHub, as a button's press does.
    const now = await github.getThread();
    const request = operatorRequest(context, { title: now.title, body: now.body, isOpen: now.isOpen, url: now.url });
    if (!now.isOpen) {
      io.err(`orch: ${markdownToTerminal(renderRefusal({ kind: "thread_closed", noun: threadNoun(request), verb: "retry" }))}`);
      return 1;
    }
    const outcome = await retryVerb.run(operator.verbDeps, { request, repoConfig: DEFAULT_REPO_CONFIG, github }, { verb: "retry", task: task.key });
    if (outcome.kind !== "done" || outcome.notice.kind !== "queued_attempt") {
      io.err(`orch: ${markdownToTerminal(renderOutcome(outcome) ?? "nothing was done.")}`);
      return 1;
    }
    await replyOnThread(operator, context, { outcome, command: `orch retry ${attemptId}` });
    const queued = (await operator.store.findRun({ threadId: context.thread.id, runId: context.run.id }))?.tasks
      .find((candidate) => candidate.id === task.id)
      ?.attempts.at(-1);
    const woken = await operator.whenWoken();
    io.out(
      `Queued ${task.key} attempt ${outcome.notice.number}${queued ? ` (id ${queued.id})` : ""} with ${outcome.notice.agent} on branch ${outcome.notice.branch}. ` +
        (woken ? "The running orch starts it when a slot is free." : "No orch is running here: it starts when `npm start` does."),
    );
    return 0;
  });
}

/**
 * Removes the worktrees of attempts that ended more than `olderThanMs` ago
 * (branches stay), through the cleanup verb's own code, one run at a time;
 * `dryRun` only lists them, and needs no GitHub.
 */
export async function cleanupAction(io: Io, params: { olderThanMs: number; dryRun: boolean; repo?: { owner: string; repo: string } }): Promise<number> {
  const { olderThanMs, dryRun, repo } = params;
  const find = async (operator: ReadOnlyOperator) =>
    (
      await operator.store.listAttempts({
        states: ATTEMPT_STATES.filter(isEnded),
        workspaceState: "allocated",
        endedBefore: new Date(Date.now() - olderThanMs),
        ...(repo ? { repo } : {}),
        limit: 100_000,
      })
    ).filter((context) => context.attempt.worktreePath !== null);
  const line = (context: AttemptContext) =>
    `${labelAttempt(context)}, ${context.attempt.state} ${formatAge(Date.now() - (context.attempt.endedAt ?? context.attempt.queuedAt).getTime())} ago: ${safeForTerminal(context.attempt.worktreePath ?? "")}`;
  if (dryRun) {
    return withOperator(io, async (operator) => {
      const candidates = await find(operator);
      if (candidates.length === 0) {
        io.out("Nothing to clean up: no ended attempt that old still has a worktree.");
        return 0;
      }
      io.out([`Would remove ${candidates.length === 1 ? "1 worktree" : `${candidates.length} worktrees`} (branches stay); nothing was removed:`, ...candidates.map((c) => `  ${line(c)}`)].join("\n"));
      return 0;
    });
  }
  return withActingOperator(io, async (operator) => {
    const candidates = await find(operator);
    if (candidates.length === 0) {
      io.out("Nothing to clean up: no ended attempt that old still has a worktree.");
      return 0;
    }
    const byRun = new Map<number, AttemptContext[]>();
    for (const context of candidates) byRun.set(context.run.id, [...(byRun.get(context.run.id) ?? []), context]);
    for (const contexts of byRun.values()) {
      const [first] = contexts as [AttemptContext];
      await cleanupAttempts(operator.verbDeps, {
        thread: first.thread,
        run: first.run,
        attempts: contexts.map(({ task, attempt }) => ({ task, attempt })),
        scope: `run ${first.run.id}`,
      });
    }
    // A worktree on another host is removed by that host: give live ones a moment, so the lines can say "removed".
    const deadline = Date.now() + ROUTED_CLEANUP_WAIT_MS;
    const cleaned = new Set<number>();
    for (;;) {
      for (const context of candidates) {
        if (!cleaned.has(context.attempt.id) && (await operator.store.findAttemptContext(context.attempt.id))?.attempt.workspaceState === "cleaned") {
          cleaned.add(context.attempt.id);
        }
      }
      if (cleaned.size === candidates.length || Date.now() > deadline) break;
      await sleep(POLL_MS);
    }
    const lines = candidates.map(
      (context) => `  ${cleaned.has(context.attempt.id) ? "removed" : `asked ${context.attempt.host ?? "its host"} to remove`}: ${line(context)}`,
    );
    const removed = cleaned.size;
    io.out([`Removed ${removed === 1 ? "1 worktree" : `${removed} worktrees`} of ${candidates.length}; the branches stay, in orch's cache and on GitHub:`, ...lines].join("\n"));
    return 0;
  });
}
