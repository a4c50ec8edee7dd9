/**
 * Keeps the one status comment of each thread up to date. Refreshes of one
 * thread run one at a time and collapse: a burst of ten state changes costs
 * at most two GitHub writes, and two refreshes never race to create two comments.
 */
import type { Logger } from "pino";
import { renderStatusComment, type AttemptUrl, type NextVerbs } from "../render/status-comment.js";
import type { Store } from "../store/store.js";
import type { GitHubFactory } from "./ports.js";

const MAX_RUNS_SHOWN = 5;

export class StatusReporter {
  private readonly dirty = new Set<number>();
  private readonly loops = new Map<number, Promise<void>>();

  constructor(
    private readonly deps: {
      store: Pick<Store, "getThreadView" | "setStatusCommentId">;
      github: GitHubFactory;
      log: Logger;
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
        while (this.dirty.delete(threadId)) await this.publish(threadId);
      } finally {
        this.loops.delete(threadId);
      }
    })();
    this.loops.set(threadId, loop);
    return loop;
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
