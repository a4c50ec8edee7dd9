/**
 * A council's judge across a restart, with the real app as a child process:
 * orch is killed with SIGKILL while its judge runs, and the new process on
 * the same database, ORCH_HOME and host id judges the council again.
 */
import fs from "node:fs";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { getJudgeFiles } from "../../src/pipeline/judge-council.js";
import { getProvider, openDb } from "../../src/store/db.js";
import type { TaskView } from "../../src/store/records.js";
import { createStore, type Store } from "../../src/store/store.js";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, cleanupApp, prepareApp, startApp, type AppProcess, type AppSetup } from "../helpers/app-process.js";
import { waitFor } from "../helpers/wait-for.js";

const target = { owner: APP_OWNER, repo: APP_REPO };

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

async function prepare(): Promise<World> {
  const github = new FakeGitHub(APP_OWNER, APP_REPO);
  const server = await serveFakeGitHub(github);
  const setup = await prepareApp({
    github: server,
    agents: { alpha: "commit-file.sh", beta: "commit-file.sh", referee: "judge.sh" },
    config: ["council:", "  judge: referee"],
  });
  world = { server, github, setup };
  const current = world;
  onTestFailed(() => {
    for (const [index, app] of current.setup.processes.entries()) {
      process.stderr.write(`--- orch process ${index + 1} (pid ${app.pid}) output ---\n${app.output()}\n`);
    }
  });
  return world;
}

/** Starts the app, then opens the database it migrated (closing the test's own connection first: see restart.test.ts). */
async function start(w: World): Promise<{ app: AppProcess; store: Store }> {
  await w.store?.close();
  w.store = undefined;
  const app = await startApp(w.setup);
  w.store = createStore({ db: await openDb(w.setup.databaseUrl), provider: getProvider(w.setup.databaseUrl) });
  return { app, store: w.store };
}

async function taskOf(store: Store, number: number): Promise<TaskView | undefined> {
  const thread = await store.findThread({ ...target, number });
  const run = thread ? await store.findRun({ threadId: thread.id }) : undefined;
  return run?.tasks[0];
}

describe("council judge across a restart", () => {
  it("judges again after orch was killed while its judge ran", async () => {
    const w = await prepare();
    const first = await start(w);
    w.github.threads.set(50, { state: "open", title: "Issue 50", body: "" });
    await first.app.deliver("issue_comment", issueCommentCreated({ ...target, number: 50, body: "/orch council alpha beta -- JUDGE-MODE=slow" }));
    const judging = await waitFor(async () => {
      const task = await taskOf(first.store, 50);
      if (task?.judge.state !== "judging") return undefined;
      const log = getJudgeFiles(w.setup.home, task.id).logFile;
      return fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("JUDGE cwd") ? task : undefined;
    }, "the judge to run");

    await first.app.kill();
    expect((await taskOf(first.store, 50))!.judge).toMatchObject({ state: "judging", lease: judging.judge.lease });

    const second = await start(w);
    const ranked = await waitFor(async () => {
      const task = await taskOf(second.store, 50);
      return task?.judge.state === "ranked" ? task : undefined;
    }, "the judge to rank after the restart");
    expect(ranked.judge.lease).not.toBe(judging.judge.lease);
    expect(ranked.judge.ranking.map((entry) => entry.attempt).sort()).toEqual([1, 2]);
    expect(ranked.judge.ranking[0]!.reason).toBe("candidate 1 is best");
    await waitFor(() => w.github.statusCommentsOn(50)[0]?.body.includes("The judge's ranking"), "the status comment to show the ranking");
    expect(w.github.pulls).toEqual([]);
  });
});
