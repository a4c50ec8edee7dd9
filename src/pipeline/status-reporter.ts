/**
 * Keeps the one status comment of each thread up to date. Refreshes of one
 * thread run one at a time and collapse: a burst of ten state changes costs
 * at most two GitHub writes, and two refreshes never race to create two comments.
 *
 * Across processes (several hosts, or the command line beside a server) the
 * database says whose turn it is (store/status-turn.ts): a process that finds
 * the turn taken leaves its request to the holder, which publishes again
 * after its write when a request came meanwhile. So a slow write made from an
 * older read never lands last.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { renderStatusComment, type AttemptUrl, type NextVerbs } from "../render/status-comment.js";
import type { Store } from "../store/store.js";
import type { GitHubFactory } from "./ports.js";

const MAX_RUNS_SHOWN = 5;
/** How long a turn is held without being renewed: past it, a process that died while publishing holds nothing. */
const TURN_MS = 30_000;

export class StatusReporter {
  private readonly dirty = new Set<number>();
  private readonly loops = new Map<number, Promise<void>>();
  /** This process's claim on the turns it takes. */
  readonly lease = randomUUID();

  constructor(
    private readonly deps: {
      store: Pick<Store, "getThreadView" | "setStatusCommentId" | "requestStatus" | "findStatusWanted" | "claimStatusTurn" | "releaseStatusTurn">;
      github: GitHubFactory;
      log: Logger;
      /** This host's id, recorded with the turns it holds (released when it restarts or is declared dead). */
      host: string;
      /** The verbs the "Next" line offers (from the verb entries). */
      nextVerbs: NextVerbs;
      /** Each attempt's page, linked from its row; none without ORCH_PUBLIC_URL. */
      attemptUrl?: AttemptUrl;
      now?: () => Date;
    },
  ) {}

  /** Publishes the thread's current state. Resolves once a publish that started after this call is done; never rejects. */
  refresh(threadId: number): Promise<void> {
    this.dirty.add(threadId);
    const running = this.loops.get(threadId);
    if (running) return running;
    const loop = (async () => {
      try {
        while (this.dirty.delete(threadId)) await this.publishInTurn(threadId);
      } finally {
        this.loops.delete(threadId);
      }
    })();
    this.loops.set(threadId, loop);
    return loop;
  }

  /** Asks for a publish, then publishes while it is this process's turn and requests keep coming. */
  private async publishInTurn(threadId: number): Promise<void> {
    const { store, log } = this.deps;
    try {
      // Every request up to `seen` was made before the next read of the thread.
      let seen = await store.requestStatus(threadId);
      while (await this.claim(threadId)) {
        await this.publish(threadId);
        if (await store.releaseStatusTurn({ threadId, lease: this.lease, seen })) return;
        // A request came while this one was published (its process found the turn taken): publish again.
        seen = await store.findStatusWanted(threadId);
      }
    } catch (error) {
      log.warn({ err: error, threadId }, "could not take the turn to publish the status comment");
    }
  }

  private claim(threadId: number): Promise<boolean> {
    const now = new Date();
    return this.deps.store.claimStatusTurn({ threadId, host: this.deps.host, lease: this.lease, now, until: new Date(now.getTime() + TURN_MS) });
  }

  private async publish(threadId: number): Promise<void> {
    const { store, github, log } = this.deps;
    try {
      const view = await store.getThreadView({ threadId, maxRuns: MAX_RUNS_SHOWN });
      const body = renderStatusComment(view, this.deps.now?.() ?? new Date(), this.deps.nextVerbs, this.deps.attemptUrl);
      const client = github(view.thread);
      if (view.thread.statusCommentId !== null) {
        const result = await client.updateComment({ commentId: view.thread.statusCommentId, body });
        if (result === "updated") return;
      }
      const { id } = await client.createComment(body);
      await store.setStatusCommentId({ threadId, commentId: id });
    } catch (error) {
      log.warn({ err: error, threadId }, "could not publish the status comment");
    }
  }
}
