/**
 * What every bench file gets: the run's temp directory, the generated remote,
 * the sizes for this mode (full or --quick), the floors measured so far, and
 * a progress logger.
 */
import type { BenchRemote } from "./fixtures/make-repo.js";

export interface Sizes {
  /** Rounds of workspace allocation (each: orch, tar copy) and later of release. */
  allocationRuns: number;
  /** Throw-away rounds before them. */
  allocationWarmup: number;
  /** Of those rounds, how many also run the `git clone --no-local` peer. */
  cloneRuns: number;
  /** Rounds of the no-op refresh (orch, plain git fetch). */
  fetchRuns: number;
  /** Signed webhook pairs (orch, no-op server) timed under load. */
  intakeRequests: number;
  /** Dispatches handled one at a time to time comment → agent running on an idle orch. */
  intakeProbes: number;
  /** Attempts on other threads in the big database of the status-comment figure. */
  statusAttemptsBig: number;
  statusAttemptsSmall: number;
  statusRuns: number;
  /** Dispatches of the throughput figure. */
  dispatches: number;
  /** Dispatches of each hosts throughput figure (web host + 1, 2, 3 workers). */
  hostDispatches: number;
  /** Dispatches handled one at a time, per variant, to time comment → agent running across hosts. */
  hostProbes: number;
}

export const FULL_SIZES: Sizes = {
  allocationRuns: 9,
  allocationWarmup: 2,
  cloneRuns: 5,
  fetchRuns: 40,
  intakeRequests: 40,
  intakeProbes: 5,
  statusAttemptsBig: 10_000,
  statusAttemptsSmall: 100,
  statusRuns: 200,
  dispatches: 50,
  hostDispatches: 50,
  hostProbes: 20,
};

export const QUICK_SIZES: Sizes = {
  allocationRuns: 3,
  allocationWarmup: 1,
  cloneRuns: 2,
  fetchRuns: 15,
  intakeRequests: 10,
  intakeProbes: 1,
  statusAttemptsBig: 10_000,
  statusAttemptsSmall: 100,
  statusRuns: 60,
  dispatches: 8,
  hostDispatches: 20,
  hostProbes: 6,
};

/**
 * Quick mode is bounded by cleanup more than by measuring: every worktree the
 * webhook sections create is a checked-out tree of 10,000 files, and deleting
 * one costs one to three seconds on a disk that discards freed blocks at once.
 */

/** Medians of the floors, in ms, as the sections measure them (for the dispatch figure's "sum of the floors"). */
export interface Floors {
  tarCopyMs?: number;
  rmMs?: number;
  plainFetchMs?: number;
  noopIntakeMs?: number;
  statusSmallMs?: number;
}

export interface BenchContext {
  /** The run's temp directory (under os.tmpdir()); everything the bench makes lives here. */
  root: string;
  remote: BenchRemote;
  sizes: Sizes;
  quick: boolean;
  floors: Floors;
  log: (message: string) => void;
}
