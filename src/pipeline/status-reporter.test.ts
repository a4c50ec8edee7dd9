/**
 * Two processes refreshing one status comment, as two hosts (or the command
 * line beside a server) do: two StatusReporters on one real database, each
 * with its own view of GitHub's one comment.
 */
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/databases.js";
import { createAttemptButtons } from "../commands/verbs/buttons.js";
import { createStore, type Store } from "../store/store.js";
import type { ThreadGitHub } from "./ports.js";
import { StatusReporter } from "./status-reporter.js";

interface Comment {
  body: string;
  /** Each write as it landed: who wrote it, and what. */
  writes: { by: string; body: string }[];
}

/** One process's GitHub: its comment writes land on `comment`, each after `beforeLanding` resolves. */
function processGitHub(comment: Comment, by: string, beforeLanding: () => Promise<void> = async () => {}): ThreadGitHub {
  const land = async (body: string) => {
    await beforeLanding();
    comment.body = body;
    comment.writes.push({ by, body });
  };
  return {
    createComment: async (body: string) => {
      await land(body);
      return { id: 1 };
    },
    updateComment: async ({ body }: { commentId: number; body: string }) => {
      await land(body);
      return "updated" as const;
    },
  } as Partial<ThreadGitHub> as ThreadGitHub;
}

function reporterOf(store: Store, host: string, github: ThreadGitHub): StatusReporter {
  return new StatusReporter({ store, github: () => github, log: pino({ level: "silent" }), host, nextVerbs: createAttemptButtons({ agentCount: 1 }).verbsFor });
}

describe("the status comment refreshed by two processes", () => {
  let database: TestDatabase;
  let store: Store;
  let threadId: number;
  let attemptId: number;

  beforeEach(async () => {
    database = await createTestDatabase("sqlite");
    store = createStore({ db: database.db, provider: "sqlite" });
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "widgets", number: 7, kind: "issue", title: "Issue 7", url: "https://github.com/acme/widgets/issues/7" });
    const run = await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: [{ key: "t1", prompt: "fix", agent: "codex", branch: "orch/7/t1/a1" }],
    });
    await store.setStatusCommentId({ threadId: thread.id, commentId: 1 });
    threadId = thread.id;
    attemptId = run.tasks[0]!.attempts[0]!.id;
  });
  afterEach(async () => {
    await database?.close();
  });

  it("never lets a slow write from an older read land last: the holder publishes again", async () => {
    const comment: Comment = { body: "", writes: [] };
    let writing!: () => void;
    const isWriting = new Promise<void>((resolve) => (writing = resolve));
    let land!: () => void;
    const landed = new Promise<void>((resolve) => (land = resolve));
    let slowWrites = 0;
    // Host A's first write hangs until the test lets it land; the rest go through.
    const slow = reporterOf(store, "web-1", processGitHub(comment, "web-1", async () => {
      if (slowWrites++ > 0) return;
      writing();
      await landed;
    }));
    const quick = reporterOf(store, "worker-1", processGitHub(comment, "worker-1"));

    const slowRefresh = slow.refresh(threadId);
    await isWriting; // A read the attempt as queued, and its write is on its way.
    await store.transitionAttempt({ attemptId, to: "cancelled", progress: { endedAt: new Date(), summary: "cancelled by @octocat" } });
    await quick.refresh(threadId); // B finds A's turn taken: A will publish what B asked for.
    land();
    await slowRefresh;

    expect(comment.body).toContain("cancelled");
    expect(comment.writes.map((write) => [write.by, /\bqueued\b/.test(write.body), write.body.includes("cancelled")])).toEqual([
      ["web-1", true, false],
      ["web-1", false, true],
    ]);
    // And the turn is free again: B's next refresh writes itself.
    await quick.refresh(threadId);
    expect(comment.writes.at(-1)?.by).toBe("worker-1");
  });

  it("leaves a turn held by another live process alone until it is released, then publishes", async () => {
    const comment: Comment = { body: "", writes: [] };
    const now = new Date();
    expect(await store.claimStatusTurn({ threadId, host: "gone-1", lease: "a process that stopped", now, until: new Date(now.getTime() + 30_000) })).toBe(true);
    const reporter = reporterOf(store, "web-1", processGitHub(comment, "web-1"));
    await reporter.refresh(threadId);
    expect(comment.writes).toEqual([]);
    // Its host restarted or was declared dead: its turns are freed, and the next refresh writes.
    expect(await store.releaseStatusTurns({ hosts: ["gone-1"] })).toBe(1);
    await reporter.refresh(threadId);
    expect(comment.writes.map((write) => write.by)).toEqual(["web-1"]);
  });
});
