/**
 * Starts queued attempts within the concurrency limits and tracks the ones
 * running in this process, so they can be cancelled and awaited.
 *
 * The store decides which attempt may start (claimNextQueued is a guarded
 * move queued → running under the limits), so limits hold across processes
 * sharing a PostgreSQL database. This class only keeps the local side: one
 * AbortController per attempt running here. A host that runs no agents
 * (ORCH_ROLE=web) has one that never claims.
 */
import type { Logger } from "pino";
import type { AttemptContext } from "../store/records.js";
import type { ConcurrencyLimits, Store } from "../store/store.js";
import type { Background } from "./background.js";

/** What runs a claimed attempt to its end: the dispatch pipeline (run-attempt.ts). */
export interface AttemptPipeline {
  run(context: AttemptContext, signal: AbortSignal): Promise<void>;
}

/** Why an attempt was aborted; the pipeline records it as the attempt's summary. */
export interface CancelReason {
  by?: string;
  why: string;
  /** This host lost the attempt's lease (it was declared dead): record and report nothing, only clean up. */
  fenced?: true;
}

export class Scheduler {
  private readonly running = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private pumping: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;

  constructor(
    private readonly deps: {
      store: Pick<Store, "claimNextQueued">;
      limits: ConcurrencyLimits;
      host: string;
      /** The lease this host claims under now (its incarnation). */
      lease: () => string;
      /** False on a host that runs no agents. */
      claims: boolean;
      pipeline: AttemptPipeline;
      background: Background;
      log: Logger;
    },
  ) {}

  /** Looks for queued attempts that may start now. Cheap to call often. */
  wake(): void {
    if (this.stopped || !this.deps.claims) return;
    if (this.pumping) {
      this.wakeAgain = true;
      return;
    }
    this.pumping = this.deps.background.track(this.pump()).finally(() => {
      this.pumping = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  /** Looks for queued attempts that may start now, and resolves once that look (and any it caused) is done. */
  async pumpNow(): Promise<void> {
    this.wake();
    while (this.pumping) await this.pumping;
  }

  /** Aborts an attempt running in this process. False when it is not running here. */
  cancel(attemptId: number, reason: CancelReason): boolean {
    const entry = this.running.get(attemptId);
    if (!entry) return false;
    entry.controller.abort(reason);
    return true;
  }

  /** Resolves when the attempt's pipeline in this process has finished (at once when none runs here). */
  whenSettled(attemptId: number): Promise<void> {
    return this.running.get(attemptId)?.done ?? Promise.resolve();
  }

  /** Aborts every attempt running here because this host lost their leases; returns their ids. */
  fence(why: string): number[] {
    const ids = [...this.running.keys()];
    for (const { controller } of this.running.values()) controller.abort({ why, fenced: true } satisfies CancelReason);
    return ids;
  }

  /** Stops starting attempts and cancels the ones running here. */
  async stop(reason: CancelReason): Promise<void> {
    this.stopped = true;
    for (const { controller } of this.running.values()) controller.abort(reason);
    await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
  }

  private async pump(): Promise<void> {
    const { store, limits, host, lease, log } = this.deps;
    for (;;) {
      let context: AttemptContext | undefined;
      try {
        context = await store.claimNextQueued({ host, lease: lease(), limits });
      } catch (error) {
        log.error({ err: error }, "could not claim a queued attempt");
        return;
      }
      if (!context) return;
      this.start(context);
    }
  }

  private start(context: AttemptContext): void {
    const { attempt } = context;
    const controller = new AbortController();
    const done = this.deps.pipeline
      .run(context, controller.signal)
      .catch((error: unknown) => this.deps.log.error({ err: error, attemptId: attempt.id }, "attempt pipeline crashed"))
      .finally(() => {
        this.running.delete(attempt.id);
        this.wake();
      });
    this.running.set(attempt.id, { controller, done });
    void this.deps.background.track(done);
  }
}
