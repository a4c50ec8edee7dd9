/**
 * The store: orch's only door to the database. Everything above it (commands,
 * pipeline, recovery) depends on this interface, never on Prisma.
 */
import * as attempts from "./attempts.js";
import type { Db, Provider } from "./db.js";
import * as deliveries from "./deliveries.js";
import * as runs from "./runs.js";
import * as threads from "./threads.js";

type WithoutDb<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;

export function createStore(params: { db: Db; provider: Provider }) {
  const { db, provider } = params;
  const bind = <F extends (db: Db, ...args: never[]) => unknown>(fn: F) =>
    ((...args: never[]) => fn(db, ...args)) as WithoutDb<F>;
  return {
    provider,
    upsertThread: bind(threads.upsertThread),
    findThread: bind(threads.findThread),
    setStatusCommentId: bind(threads.setStatusCommentId),
    createRun: bind(runs.createRun),
    findRun: bind(runs.findRun),
    findActiveRuns: bind(runs.findActiveRuns),
    getThreadView: bind(runs.getThreadView),
    findAttemptContext: bind(attempts.findAttemptContext),
    listAttemptContexts: bind(attempts.listAttemptContexts),
    listUnreportedAttempts: bind(attempts.listUnreportedAttempts),
    transitionAttempt: bind(attempts.transitionAttempt),
    updateAttempt: bind(attempts.updateAttempt),
    transitionWorkspace: bind(attempts.transitionWorkspace),
    createNextAttempt: bind(attempts.createNextAttempt),
    claimNextQueued: (p: Omit<Parameters<typeof attempts.claimNextQueued>[1], "provider">) =>
      attempts.claimNextQueued(db, { ...p, provider }),
    recordDelivery: bind(deliveries.recordDelivery),
    pruneDeliveries: bind(deliveries.pruneDeliveries),
    close: () => db.$disconnect(),
  };
}

export type Store = ReturnType<typeof createStore>;
export type { ConcurrencyLimits, AttemptProgress, NextAttemptResult } from "./attempts.js";
export type { NewTask } from "./runs.js";
