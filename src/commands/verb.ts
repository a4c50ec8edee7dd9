/**
 * What one verb is, in one place: how users write it (usage, description,
 * examples, flags, free text), its argument grammar, whether it needs an open
 * thread, its check-run button (if any) and its handler. `/orch help`, usage
 * errors, buttons and their availability all render from these entries, and
 * the registry (verbs/index.ts) is one explicit list of them.
 *
 * A handler gets the plain request and what it may use (VerbDeps): no
 * webhook, no Octokit, no orch.
 */
import type { RepoConfig } from "../config/repo-config.js";
import type { ServerConfig } from "../config/server-config.js";
import type { CheckRunAction } from "../render/check-run.js";
import type { AttemptContext, AttemptRecord } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { Logger } from "pino";
import type { CommandOutcome } from "./outcome.js";
import type { CommandGitHub, ThreadRequest } from "./request.js";
import type { VerbArguments } from "./grammar/tokens.js";

/** A grammar error: the message's first paragraph; the usage is added after it. */
export interface Problem {
  readonly problem: string;
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "problem" in value;
}

/** How a check run's button maps to this verb. */
export interface VerbButton<C> {
  /** What GitHub shows; `identifier` comes back in check_run.requested_action (GitHub allows 3 buttons). */
  action: CheckRunAction;
  /** Whether it applies to this attempt now (`agentCount`: how many agents the server has). */
  appliesTo(attempt: AttemptRecord, env: { agentCount: number }): boolean;
  /** The command a press means, aimed at the attempt the check run belongs to; undefined when it means nothing now. */
  toCommand(target: ButtonTarget): C | undefined;
}

export interface ButtonTarget {
  context: AttemptContext;
  /** The agent a reassign goes to by default: the repository's default, else the server's. */
  defaultAgent: string;
  agentNames: readonly string[];
}

/** What a handler may use. app.ts builds the real ones; verb tests pass small fakes. */
export interface VerbDeps {
  store: Pick<
    Store,
    "findThread" | "findRun" | "findActiveRuns" | "getThreadView" | "upsertThread" | "createRun" | "createNextAttempt" | "findAttemptContext"
  >;
  config: Pick<ServerConfig, "agents" | "defaultAgent" | "limits" | "council">;
  /** Starting, stopping and cleaning attempts. */
  attempts: AttemptControls;
  log: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

/** The pipeline's controls, as commands use them. */
export interface AttemptControls {
  /** Looks for queued attempts that may start now. */
  wake(): void;
  /** Cancels one attempt: "cancelled" (queued, or stopped in the store), "stopping" (its agent is being stopped, here or by its host) or "already_ended". */
  cancel(context: AttemptContext, reason: { by?: string; why: string }): Promise<"cancelled" | "stopping" | "already_ended">;
  /** Resolves when the attempt's pipeline here has finished. */
  whenSettled(attemptId: number): Promise<void>;
  /** Removes an ended attempt's worktree: "cleaned", "active", "nothing_to_clean", or "requested" of the host that holds it. */
  cleanup(context: AttemptContext): Promise<"cleaned" | "active" | "nothing_to_clean" | "requested">;
  /**
   * Picks a council attempt: its branch checked against its pushed head, its
   * PR opened, its siblings superseded and their worktrees removed.
   */
  pick(context: AttemptContext): Promise<{ kind: "picked"; pullRequest: number; superseded: number[] } | { kind: "refused"; why: string }>;
  /** Runs the run's verify again on an ended attempt's worktree, in the background: "started" here, or "requested" of the host that holds it. */
  verify(context: AttemptContext): Promise<"started" | "requested">;
  /** Refreshes the thread's status comment in the background. */
  refreshStatus(threadId: number): void;
  /** Refreshes it and waits for that. */
  refreshStatusNow(threadId: number): Promise<void>;
}

/** The request a verb handles, with the repository's config and GitHub for its thread. */
export interface VerbRequest {
  request: ThreadRequest;
  repoConfig: RepoConfig;
  github: CommandGitHub;
}

export interface VerbDefinition<C extends { verb: string }> {
  /** The word users type after `/orch`, lowercase. */
  readonly name: C["verb"];
  /** Other words for it, lowercase. */
  readonly aliases: readonly string[];
  /** The grammar, in DESIGN.md's notation: `[optional]`, `A | B`, UPPERCASE placeholders. */
  readonly usage: string;
  /** One line: what it does. */
  readonly description: string;
  /** One to three complete commands a user could paste. */
  readonly examples: readonly [string, ...string[]];
  /** The `--flags` it takes. */
  readonly flags: readonly string[];
  /** What the text after `--` is to it; undefined when it takes none. */
  readonly text?: "instructions" | "feedback" | "question";
  /** Starts work, so it is refused on a closed thread. */
  readonly needsOpenThread?: boolean;
  /** Its arguments, from the words after the verb and the free text. */
  parse(args: VerbArguments, text: string | undefined): C | Problem;
  readonly button?: VerbButton<C>;
  run(deps: VerbDeps, request: VerbRequest, command: C): Promise<CommandOutcome>;
}

/** Declares a verb with its command type inferred from `parse`. */
export function defineVerb<C extends { verb: string }>(definition: VerbDefinition<C>): VerbDefinition<C> {
  return definition;
}
