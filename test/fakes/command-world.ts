/**
 * A small world for the command path's unit tests, in the spirit of Prow's
 * fakegithub: a real store on a fresh SQLite file, an in-memory GitHub for
 * the thread (FakeCommandGitHub records replies, reactions, removed labels)
 * and attempt controls that do in the store what the pipeline would (cancel
 * moves a queued or running attempt to cancelled, cleanup marks an ended
 * attempt's worktree cleaned) and record every call. No git, no agents, no
 * HTTP: a verb's table of cases runs in milliseconds.
 *
 *     const world = await createCommandWorld();
 *     const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
 *     const outcome = await retryVerb.run(world.deps, world.request(thread), { verb: "retry" });
 */
import { pino } from "pino";
import type { RequestDeps } from "../../src/commands/handle-request.js";
import type {
  CommandGitHub,
  PullRequestInfo,
  RepositoryPermission,
  ThreadRef,
  ThreadRequest,
  ThreadState,
} from "../../src/commands/request.js";
import type { AttemptControls, VerbRequest } from "../../src/commands/verb.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { DEFAULT_CAPS, type AgentSpec } from "../../src/config/server-config.js";
import type { AttemptContext, AttemptRecord, ThreadKind, ThreadRecord } from "../../src/store/records.js";
import { createStore, type Store } from "../../src/store/store.js";
import { isActive, type AttemptState } from "../../src/store/transitions.js";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";

export const OWNER = "acme";
export const REPO = "widgets";

/** GitHub for one thread, in memory. */
export class FakeCommandGitHub implements CommandGitHub {
  readonly replies: string[] = [];
  readonly reactions: { commentId: number; isReviewComment: boolean }[] = [];
  readonly removedLabels: string[] = [];
  /** Who may do what; anyone else is "none". */
  readonly permissions = new Map<string, RepositoryPermission>([["maintainer", "write"]]);
  /** `.github/orch.yml` as parsed YAML; an Error is thrown as Probot's reader would. */
  repoConfig: unknown = undefined;
  pullRequest: PullRequestInfo = { headRef: "feature", headRepoFullName: `${OWNER}/${REPO}`, baseRef: "main" };
  /** The thread as GitHub has it now (for a button's check, which reads it afresh). */
  threadState: ThreadState | undefined;

  async reply(body: string): Promise<void> {
    this.replies.push(body);
  }
  async getPullRequest(): Promise<PullRequestInfo> {
    return this.pullRequest;
  }
  async getPermission(username: string): Promise<RepositoryPermission> {
    return this.permissions.get(username) ?? "none";
  }
  async getThread(): Promise<ThreadState> {
    if (!this.threadState) throw new Error("FakeCommandGitHub: no threadState set for getThread()");
    return this.threadState;
  }
  async acknowledge(params: { commentId: number; isReviewComment: boolean }): Promise<void> {
    this.reactions.push(params);
  }
  async removeLabel(name: string): Promise<void> {
    this.removedLabels.push(name);
  }
  async readRepoConfig(): Promise<unknown> {
    if (this.repoConfig instanceof Error) throw this.repoConfig;
    return this.repoConfig;
  }
}

/** Every call the commands made on the attempt controls. */
export interface ControlCalls {
  wakes: number;
  cancelled: { attemptId: number; by?: string; why: string }[];
  cleaned: number[];
  /** Attempts `/orch verify` was asked to run verify on again. */
  verified: number[];
  /** Attempts `/orch pick` was asked to pick. */
  picked: number[];
  settledWaits: number[];
  refreshed: number[];
}

export interface SeedAttempt {
  agent?: string;
  state: AttemptState;
  /** Whether it has a worktree; default: every attempt that got to run has one. */
  hasWorktree?: boolean;
}

export interface Seeded {
  thread: ThreadRecord;
  runId: number;
  /** Attempt ids, by task key, in order. */
  attempts: Record<string, number[]>;
}

export interface CommandWorld {
  store: Store;
  github: FakeCommandGitHub;
  calls: ControlCalls;
  deps: RequestDeps;
  /** A run on a (new, by default) thread with tasks whose attempts are in the given states. */
  seed(params: { number?: number; kind?: ThreadKind; tasks: { key: string; attempts: SeedAttempt[] }[] }): Promise<Seeded>;
  /** A request about `thread` (a number: one orch never saw), from @maintainer. */
  request(thread: ThreadRecord | number, overrides?: Partial<ThreadRequest> & { repoConfig?: Partial<RepoConfig> }): VerbRequest;
  attempt(attemptId: number): Promise<AttemptRecord>;
  close(): Promise<void>;
}

const AGENTS: Record<string, AgentSpec> = {
  codex: { name: "codex", command: ["codex"], env: [], timeoutMs: 60_000, sandbox: "bwrap", network: true, description: "OpenAI's Codex CLI" },
  claude: { name: "claude", command: ["claude"], env: [], timeoutMs: 60_000, sandbox: "bwrap", network: true },
};

export async function createCommandWorld(): Promise<CommandWorld> {
  const database: TestDatabase = await createTestDatabase("sqlite");
  const store = createStore({ db: database.db, provider: "sqlite" });
  const github = new FakeCommandGitHub();
  const calls: ControlCalls = { wakes: 0, cancelled: [], cleaned: [], verified: [], picked: [], settledWaits: [], refreshed: [] };
  let nextNumber = 100;

  const attempts: AttemptControls = {
    wake: () => void (calls.wakes += 1),
    async cancel(context, reason) {
      calls.cancelled.push({ attemptId: context.attempt.id, ...reason });
      const moved = await store.transitionAttempt({ attemptId: context.attempt.id, to: "cancelled", progress: { endedAt: new Date(), summary: reason.why } });
      return moved ? "cancelled" : "already_ended";
    },
    async whenSettled(attemptId) {
      calls.settledWaits.push(attemptId);
    },
    async cleanup(context: AttemptContext) {
      const current = (await store.findAttemptContext(context.attempt.id))!.attempt;
      if (isActive(current.state)) return "active";
      if (current.workspaceState !== "allocated") return "nothing_to_clean";
      if (!(await store.transitionWorkspace({ attemptId: current.id, to: "cleaned" }))) return "nothing_to_clean";
      calls.cleaned.push(current.id);
      return "cleaned";
    },
    async pick(context: AttemptContext) {
      calls.picked.push(context.attempt.id);
      return { kind: "picked" as const, pullRequest: 1000 + context.attempt.id, superseded: [] };
    },
    async verify(context: AttemptContext) {
      calls.verified.push(context.attempt.id);
      return "started";
    },
    refreshStatus: (threadId) => void calls.refreshed.push(threadId),
    async refreshStatusNow(threadId) {
      calls.refreshed.push(threadId);
    },
  };

  const deps: RequestDeps = {
    store,
    config: { agents: AGENTS, defaultAgent: "codex", limits: DEFAULT_CAPS, council: {} },
    attempts,
    github: () => github,
    log: pino({ level: "silent" }),
  };

  /** Moves a new attempt to `state` through the store's guarded moves, as the pipeline would. */
  async function bringTo(attemptId: number, seed: SeedAttempt): Promise<void> {
    if (seed.state === "queued") return;
    await store.transitionAttempt({ attemptId, to: "running", progress: { startedAt: new Date(), host: "test-host" } });
    if (seed.hasWorktree ?? true) await store.transitionWorkspace({ attemptId, to: "allocated", worktreePath: `/worktrees/${attemptId}` });
    if (seed.state === "running") return;
    await store.transitionAttempt({ attemptId, to: seed.state, progress: { endedAt: new Date(), summary: `seeded ${seed.state}` } });
  }

  return {
    store,
    github,
    calls,
    deps,
    async seed(params) {
      const number = params.number ?? nextNumber++;
      const kind = params.kind ?? "issue";
      const thread = await store.upsertThread({
        installationId: 1,
        owner: OWNER,
        repo: REPO,
        number,
        kind,
        title: `Thread ${number}`,
        url: `https://github.com/${OWNER}/${REPO}/issues/${number}`,
      });
      const run = await store.createRun({
        threadId: thread.id,
        requestedBy: "maintainer",
        baseRef: "refs/heads/main",
        prBase: "main",
        draft: true,
        tasks: params.tasks.map(({ key, attempts: [first] }) => ({
          key,
          prompt: `do ${key}`,
          agent: first?.agent ?? "codex",
          branch: `orch/${number}/${key}/a1`,
        })),
      });
      const ids: Record<string, number[]> = {};
      for (const { key, attempts: seeds } of params.tasks) {
        const task = run.tasks.find((candidate) => candidate.key === key)!;
        ids[key] = [task.attempts[0]!.id];
        await bringTo(task.attempts[0]!.id, seeds[0]!);
        for (const [index, seed] of seeds.slice(1).entries()) {
          const next = await store.createNextAttempt({
            taskId: task.id,
            allowedFrom: ["succeeded", "failed", "blocked", "cancelled", "timed_out", "lost"],
            ...(seed.agent === undefined ? {} : { agent: seed.agent }),
            prompt: `do ${key} again`,
            requestedBy: "maintainer",
            buildBranch: (attemptNumber) => `orch/${number}/${key}/a${attemptNumber}`,
          });
          if (next.kind !== "created") throw new Error(`seed: could not add attempt ${index + 2} of ${key}`);
          ids[key].push(next.attempt.id);
          await bringTo(next.attempt.id, seed);
        }
      }
      return { thread: (await store.findThread({ owner: OWNER, repo: REPO, number }))!, runId: run.id, attempts: ids };
    },
    request(thread, overrides = {}) {
      const { repoConfig, ...rest } = overrides;
      const ref: ThreadRef =
        typeof thread === "number"
          ? { number: thread, kind: "issue", title: `Thread ${thread}`, body: "", url: `https://github.com/${OWNER}/${REPO}/issues/${thread}`, isOpen: true }
          : { number: thread.number, kind: thread.kind, title: thread.title, body: "", url: thread.url, isOpen: true };
      return {
        request: { installationId: 1, owner: OWNER, repo: REPO, defaultBranch: "main", sender: "maintainer", thread: ref, ...rest },
        repoConfig: { ...DEFAULT_REPO_CONFIG, ...repoConfig },
        github,
      };
    },
    async attempt(attemptId) {
      return (await store.findAttemptContext(attemptId))!.attempt;
    },
    close: () => database.close(),
  };
}
