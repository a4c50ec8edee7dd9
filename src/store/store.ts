/**
 * The store: orch's only door to the database. Everything above it (commands,
 * pipeline, recovery) depends on this interface, never on Prisma.
 */
import * as attempts from "./attempts.js";
import * as counts from "./counts.js";
import * as councilJudge from "./council-judge.js";
import type { Db, Provider } from "./db.js";
import * as deliveries from "./deliveries.js";
import * as hosts from "./hosts.js";
import * as runs from "./runs.js";
import * as schemaState from "./schema-state.js";
import * as statusTurn from "./status-turn.js";
import * as taskGraph from "./task-graph.js";
import * as threads from "./threads.js";

type WithoutDb<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;

/**
 * `onQueued` is told of new queued attempts inside the transaction that
 * queues them (a queue's start jobs; none on one host).
 */
export function createStore(params: { db: Db; provider: Provider; onQueued?: attempts.OnQueued }) {
  const { db, provider, onQueued } = params;
  const bind = <F extends (db: Db, ...args: never[]) => unknown>(fn: F) =>
    ((...args: never[]) => fn(db, ...args)) as WithoutDb<F>;
  return {
    provider,
    upsertThread: bind(threads.upsertThread),
    findThread: bind(threads.findThread),
    setStatusCommentId: bind(threads.setStatusCommentId),
    requestStatus: bind(statusTurn.requestStatus),
    findStatusWanted: bind(statusTurn.findStatusWanted),
    claimStatusTurn: bind(statusTurn.claimStatusTurn),
    releaseStatusTurn: bind(statusTurn.releaseStatusTurn),
    releaseStatusTurns: bind(statusTurn.releaseStatusTurns),
    createRun: (p: Omit<Parameters<typeof runs.createRun>[1], "onQueued">) => runs.createRun(db, { ...p, onQueued }),
    findRun: bind(runs.findRun),
    findActiveRuns: bind(runs.findActiveRuns),
    getThreadView: bind(runs.getThreadView),
    findAttemptContext: bind(attempts.findAttemptContext),
    listAttemptContexts: bind(attempts.listAttemptContexts),
    listAttempts: bind(attempts.listAttempts),
    listUnreportedAttempts: bind(attempts.listUnreportedAttempts),
    transitionAttempt: bind(attempts.transitionAttempt),
    updateAttempt: bind(attempts.updateAttempt),
    findLogTail: bind(attempts.findLogTail),
    recordLogTail: bind(attempts.recordLogTail),
    findVerifyTail: bind(attempts.findVerifyTail),
    recordVerifyTail: bind(attempts.recordVerifyTail),
    transitionWorkspace: bind(attempts.transitionWorkspace),
    createNextAttempt: (p: Omit<Parameters<typeof attempts.createNextAttempt>[1], "onQueued">) => attempts.createNextAttempt(db, { ...p, onQueued }),
    countQueued: bind(attempts.countQueued),
    spentOn: bind(attempts.spentOn),
    findRunsWithWaitingTasks: bind(taskGraph.findRunsWithWaitingTasks),
    claimPick: bind(taskGraph.claimPick),
    releasePick: bind(taskGraph.releasePick),
    recordPick: bind(taskGraph.recordPick),
    claimJudging: bind(councilJudge.claimJudging),
    recordJudgement: bind(councilJudge.recordJudgement),
    recordAutoPick: bind(councilJudge.recordAutoPick),
    releaseJudging: bind(councilJudge.releaseJudging),
    findCouncilsToJudge: bind(councilJudge.findCouncilsToJudge),
    startReadyTasks: (p: Omit<Parameters<typeof taskGraph.startReadyTasks>[1], "onQueued">) => taskGraph.startReadyTasks(db, { ...p, onQueued }),
    claimNextQueued: (p: Omit<Parameters<typeof attempts.claimNextQueued>[1], "provider">) =>
      attempts.claimNextQueued(db, { ...p, provider }),
    registerHost: bind(hosts.registerHost),
    heartbeat: bind(hosts.heartbeat),
    declareDeadHosts: bind(hosts.declareDeadHosts),
    loseAttemptsOf: bind(hosts.loseAttemptsOf),
    holdsLease: bind(hosts.holdsLease),
    findHost: bind(hosts.findHost),
    listHosts: bind(hosts.listHosts),
    recordDelivery: bind(deliveries.recordDelivery),
    pruneDeliveries: bind(deliveries.pruneDeliveries),
    countAttemptsByState: bind(counts.countAttemptsByState),
    countRunningByHost: bind(counts.countRunningByHost),
    pingDatabase: bind(schemaState.pingDatabase),
    listAppliedMigrations: bind(schemaState.listAppliedMigrations),
    close: () => db.$disconnect(),
  };
}

export type Store = ReturnType<typeof createStore>;
export type { ConcurrencyLimits, AttemptProgress, CapReached, NextAttemptResult, OnQueued, SqlExecutor } from "./attempts.js";
export type { HostRecord, HostRole } from "./hosts.js";
export type { NewTask } from "./runs.js";
