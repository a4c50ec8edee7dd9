/**
 * Restart recovery with the real app as a child process: an agent is
 * started, the app is killed with SIGKILL, and a new process on the same
 * database, ORCH_HOME and host id takes over. GitHub is the recording fake,
 * served over HTTP; the database is SQLite, read here through src/store.
 */
import path from "node:path";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import { getProvider, openDb } from "../../src/store/db.js";
import type { AttemptRecord } from "../../src/store/records.js";
import { createStore, type Store } from "../../src/store/store.js";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, cleanupApp, prepareApp, startApp, type AppProcess, type AppSetup } from "../helpers/app-process.js";
import { listRemoteBranches } from "../helpers/git-remote.js";
import { isAlive, readPidFile, readSandboxedPid, waitUntilAttemptGone, waitUntilGone } from "../helpers/processes.js";
import { waitFor } from "../helpers/wait-for.js";

const target = { owner: APP_OWNER, repo: APP_REPO };
const agents = {
  sleeper: "sleep.sh",
  committer: "commit-file.sh",
  // Without orch's sandbox an agent (and what it started) can outlive orch: recovery must stop it.
  unboxed: { script: "sleep.sh", sandbox: "none" as const },
};

interface World {
  server: FakeGitHubServer;
  github: FakeGitHub;
  setup: AppSetup;
  store?: Store;
}
let world: World | undefined;

afterEach(async () => {
  if (!world) return;
  const { server, setup, store } = world;
  world = undefined;
  await cleanupApp(setup);
  await store?.close();
  await server.close();
});

/** A fake GitHub over HTTP and a prepared (not yet started) app; prints the apps' output if the test fails. */
async function prepare(params: { maxRunning?: number } = {}): Promise<World> {
  const github = new FakeGitHub(APP_OWNER, APP_REPO);
  const server = await serveFakeGitHub(github);
  const setup = await prepareApp({ github: server, agents, maxRunning: params.maxRunning });
  world = { server, github, setup };
  const current = world;
  onTestFailed(() => {
    // Straight to stderr: vitest may drop console output of a failed test's hooks.
    for (const [index, app] of current.setup.processes.entries()) {
      process.stderr.write(`--- orch process ${index + 1} (pid ${app.pid}) output ---\n${app.output()}\n`);
    }
  });
  return world;
}

/**
 * Starts the app and opens the database it migrated, for assertions. The
 * test's own connection is closed first: Prisma's schema engine migrates
 * SQLite with `locking_mode=EXCLUSIVE`, which waits (then fails) while another
 * connection has the WAL database open.
 */
async function start(w: World): Promise<{ app: AppProcess; store: Store }> {
  await w.store?.close();
  w.store = undefined;
  const app = await startApp(w.setup);
  w.store = createStore({ db: await openDb(w.setup.databaseUrl), provider: getProvider(w.setup.databaseUrl) });
  return { app, store: w.store };
}

async function attemptsOf(store: Store, number: number): Promise<AttemptRecord[]> {
  const thread = await store.findThread({ ...target, number });
  const run = thread ? await store.findRun({ threadId: thread.id }) : undefined;
  return run?.tasks[0]?.attempts ?? [];
}

function comment(number: number, body: string) {
  return issueCommentCreated({ ...target, number, body });
}

/** Dispatches the sleeper on issue `number` (or, for a later attempt, just waits for it) until that attempt runs with a pid and a recorded check run. */
async function dispatchSleeper(w: World, app: AppProcess, store: Store, number: number, attemptNumber = 1, agent = "sleeper") {
  w.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  if (attemptNumber === 1) await app.deliver("issue_comment", comment(number, `/orch dispatch ${agent}`));
  const attempt = await waitFor(
    async () => (await attemptsOf(store, number)).find((a) => a.number === attemptNumber && a.state === "running" && a.pid),
    `attempt ${attemptNumber} on #${number} to run`,
  );
  return { attempt, ...(await agentOf(w, store, attempt, agent === "unboxed")) };
}

/**
 * The pids the sleeper wrote, once its check run exists and orch has recorded
 * its id (before that, a restarted orch has no check run to complete).
 */
async function agentOf(w: World, store: Store, attempt: AttemptRecord, isUnboxed: boolean) {
  const dir = getAttemptFiles(w.setup.home, attempt.id).ioDir;
  // A sandboxed agent writes the pids of its own namespace: map them to the host's.
  const read = (file: string) => (isUnboxed ? readPidFile(path.join(dir, file)) : readSandboxedPid({ file: path.join(dir, file), attemptId: attempt.id }));
  const grandchildPid = await read("grandchild.pid");
  const agentPid = await read("agent.pid");
  const checkRun = await waitFor(() => checkRunOf(w, attempt.id), "the check run");
  await waitFor(async () => (await store.findAttemptContext(attempt.id))?.attempt.checkRunId === checkRun.id, "orch to record the check run");
  return { agentPid, grandchildPid };
}

function checkRunOf(w: World, attemptId: number) {
  return w.github.checkRuns.find((run) => run.external_id === String(attemptId));
}

describe("restart after kill -9", () => {
  it("marks the running attempt lost, completes its check run, and retry works; its sandbox ended with orch", async () => {
    const w = await prepare();
    const first = await start(w);
    const { attempt, agentPid, grandchildPid } = await dispatchSleeper(w, first.app, first.store, 1);
    expect(checkRunOf(w, attempt.id)?.status).toBe("in_progress");
    await waitFor(() => w.github.statusCommentsOn(1)[0]?.body.includes("running"), "the status comment to show running");

    await first.app.kill();
    // The sandbox dies with its parent: nothing the agent started, setsid or not, outlives orch.
    expect(await waitUntilGone(agentPid)).toBe(true);
    expect(await waitUntilGone(grandchildPid)).toBe(true);
    expect(await waitUntilAttemptGone(attempt.id)).toBe(true);
    expect((await first.store.findAttemptContext(attempt.id))?.attempt.state).toBe("running");
    // As if it was killed while publishing the status comment (it may have been): its turn to publish is left held.
    const thread = (await first.store.findThread({ ...target, number: 1 }))!;
    const host = w.setup.env.ORCH_HOST_ID!;
    await first.store.releaseStatusTurns({ hosts: [host] });
    const now = new Date();
    expect(await first.store.claimStatusTurn({ threadId: thread.id, host, lease: "the killed process", now, until: new Date(now.getTime() + 30_000) })).toBe(true);

    const second = await start(w);

    // Recovery ran before the app listened (and the new process took back its host's turn to publish).
    const recovered = (await second.store.findAttemptContext(attempt.id))!.attempt;
    expect(recovered).toMatchObject({ state: "lost", summary: expect.stringContaining("orch restarted") });
    expect(recovered.summary).toContain("its agent is gone");
    expect(recovered.endedAt).not.toBeNull();
    const checkRun = checkRunOf(w, attempt.id)!;
    expect(checkRun.history.at(-1)).toEqual({ status: "completed", conclusion: "failure" });
    expect(checkRun.output?.title).toBe("t1 attempt 1: lost");
    expect(checkRun.output?.summary).toContain("orch restarted");
    expect(checkRun.actions?.map((a) => a.identifier)).toEqual(expect.arrayContaining(["retry"]));
    const [status] = w.github.statusCommentsOn(1);
    expect(w.github.statusCommentsOn(1)).toHaveLength(1);
    expect(status!.body).toContain("❓ lost");

    await second.app.deliver("issue_comment", comment(1, "/orch retry"));
    const retried = await dispatchSleeper(w, second.app, second.store, 1, 2);
    expect(retried.attempt).toMatchObject({ agent: "sleeper", branch: "orch/1/t1/a2" });
    await waitFor(() => w.github.repliesOn(1).some((c) => c.body.includes("queued attempt 2 of `t1`")), "the retry reply");

    await second.app.deliver("issue_comment", comment(1, "/orch cancel"));
    await waitFor(async () => (await second.store.findAttemptContext(retried.attempt.id))?.attempt.state === "cancelled", "attempt 2 to be cancelled");
    expect(await waitUntilGone(retried.agentPid)).toBe(true);
    expect(await waitUntilGone(retried.grandchildPid)).toBe(true);
    await waitFor(() => checkRunOf(w, retried.attempt.id)?.history.at(-1)?.conclusion === "cancelled", "attempt 2's check run to end cancelled");
    expect(w.github.unexpected).toEqual([]);
  }, 60_000);

  it("stops an unsandboxed agent (sandbox: none) that outlived orch before marking it lost", async () => {
    const w = await prepare();
    const first = await start(w);
    const { attempt, agentPid, grandchildPid } = await dispatchSleeper(w, first.app, first.store, 2, 1, "unboxed");
    expect(attempt.pid).toBe(agentPid);

    await first.app.kill();
    // It leads its own process group: it outlives orch.
    expect(isAlive(agentPid)).toBe(true);
    expect(isAlive(grandchildPid)).toBe(true);

    const second = await start(w);

    const recovered = (await second.store.findAttemptContext(attempt.id))!.attempt;
    expect(recovered).toMatchObject({ state: "lost", summary: expect.stringContaining("its agent was stopped") });
    expect(await waitUntilGone(agentPid)).toBe(true);
    expect(await waitUntilGone(grandchildPid)).toBe(true);
    const checkRun = checkRunOf(w, attempt.id)!;
    expect(checkRun.history.at(-1)).toEqual({ status: "completed", conclusion: "failure" });
    expect(w.github.statusCommentsOn(2)[0]!.body).toContain("❓ lost");
    expect(w.github.unexpected).toEqual([]);
  }, 60_000);

  it("stops what the agent left running even when the agent itself died while orch was down", async () => {
    const w = await prepare();
    const first = await start(w);
    const { attempt, agentPid, grandchildPid } = await dispatchSleeper(w, first.app, first.store, 5, 1, "unboxed");

    await first.app.kill();
    process.kill(agentPid, "SIGKILL");
    expect(await waitUntilGone(agentPid)).toBe(true);
    expect(isAlive(grandchildPid)).toBe(true);

    const second = await start(w);

    expect((await second.store.findAttemptContext(attempt.id))!.attempt).toMatchObject({
      state: "lost",
      summary: expect.stringContaining("its agent was stopped"),
    });
    expect(await waitUntilGone(grandchildPid)).toBe(true);
  }, 60_000);

  it("recovers its own attempts after the host name changed (a new container on the same ORCH_HOME)", async () => {
    const w = await prepare({ maxRunning: 1 });
    const first = await start(w);
    const { attempt, agentPid } = await dispatchSleeper(w, first.app, first.store, 6);

    await first.app.kill();
    w.setup.env.ORCH_HOST_ID = "another-container";
    const second = await start(w);

    expect((await second.store.findAttemptContext(attempt.id))!.attempt.state).toBe("lost");
    expect(await waitUntilGone(agentPid)).toBe(true);
    // Its slot is free again: a new dispatch runs.
    w.github.threads.set(7, { state: "open", title: "Issue 7", body: "" });
    await second.app.deliver("issue_comment", comment(7, "/orch dispatch committer"));
    const done = await waitFor(async () => (await attemptsOf(second.store, 7)).find((a) => a.state === "succeeded"), "the new attempt to succeed");
    expect(done.host).toBe("another-container");
  }, 60_000);

  it("starts the attempt that was queued behind the limit once the lost one frees its slot", async () => {
    const w = await prepare({ maxRunning: 1 });
    const first = await start(w);
    const running = await dispatchSleeper(w, first.app, first.store, 3);
    w.github.threads.set(4, { state: "open", title: "Issue 4", body: "" });
    await first.app.deliver("issue_comment", comment(4, "/orch dispatch committer"));
    const queued = await waitFor(async () => (await attemptsOf(first.store, 4)).find((a) => a.state === "queued"), "a queued attempt on #4");
    await waitFor(() => w.github.statusCommentsOn(4)[0]?.body.includes("queued"), "the status comment on #4 to show queued");

    await first.app.kill();
    expect((await first.store.findAttemptContext(queued.id))?.attempt.state).toBe("queued");

    const second = await start(w);

    expect((await second.store.findAttemptContext(running.attempt.id))?.attempt.state).toBe("lost");
    expect(await waitUntilGone(running.agentPid)).toBe(true);
    const done = await waitFor(async () => {
      const attempt = (await second.store.findAttemptContext(queued.id))?.attempt;
      return attempt && !["queued", "running"].includes(attempt.state) ? attempt : undefined;
    }, "the queued attempt to finish");
    expect(done).toMatchObject({ state: "succeeded", branch: "orch/4/t1/a1", pullRequestNumber: expect.any(Number) });
    expect(await listRemoteBranches(w.setup.remote.barePath)).toContain("orch/4/t1/a1");
    expect(w.github.pulls.map((p) => p.head)).toEqual(["orch/4/t1/a1"]);
    await waitFor(() => checkRunOf(w, queued.id)?.history.at(-1)?.conclusion === "success", "its check run to end success");
    expect(checkRunOf(w, running.attempt.id)?.history.at(-1)).toEqual({ status: "completed", conclusion: "failure" });
    expect(w.github.unexpected).toEqual([]);
  }, 60_000);
});
