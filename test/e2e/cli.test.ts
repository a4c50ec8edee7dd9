/**
 * `npx orch …` as an operator runs it: a separate process (src/cli/main.ts
 * through tsx) beside the real app (a child process on SQLite, real git),
 * both pointed at one fake GitHub served over HTTP. The command line reads
 * the app's database and ORCH_HOME, reaches the running app through its
 * control socket, and reports to GitHub as the app.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import { getProvider, openDb } from "../../src/store/db.js";
import type { AttemptRecord } from "../../src/store/records.js";
import { createStore, type Store } from "../../src/store/store.js";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, APP_WEBHOOK_SECRET, cleanupApp, prepareApp, startApp, type AppProcess, type AppSetup } from "../helpers/app-process.js";
import { orch, processesOf, waitFor } from "../helpers/cli-process.js";
import { listRemoteBranches } from "../helpers/git-remote.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const target = { owner: APP_OWNER, repo: APP_REPO };

describe("orch's command line, on its own", () => {
  let empty: string;
  const bareEnv = () => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: empty });

  beforeAll(() => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "orch-cli-empty-"));
  });
  afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

  it.each([
    { name: "an id that is not a number", args: ["show", "twelve"], says: "expected an attempt id, a whole number like 12" },
    { name: "a missing id", args: ["cancel"], says: "orch cancel: missing required argument 'id'. Usage: orch cancel [options] <id>" },
    { name: "an unknown state", args: ["attempts", "--state", "runing"], says: '"runing" is not a state (did you mean running?)' },
    { name: "a repository without owner", args: ["attempts", "--repo", "widgets"], says: "expected OWNER/REPO like acme/widgets" },
    { name: "an age in weeks", args: ["cleanup", "--older-than", "2w"], says: "expected an age like 7d, 12h, 30m or 0s" },
    { name: "an unknown verb", args: ["cancle", "12"], says: "unknown command 'cancle'" },
    { name: "an unknown option", args: ["logs", "12", "--tail"], says: "orch logs: unknown option '--tail'" },
  ])("refuses $name with one line and exit code 2", async ({ args, says }) => {
    const run = await orch(args, { cwd: empty, env: bareEnv() });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(says);
  });

  it("explains itself with --help, for the program and each verb", async () => {
    const top = await orch(["--help"], { cwd: empty, env: bareEnv() });
    expect(top.code).toBe(0);
    for (const verb of ["attempts", "show", "logs", "cancel", "retry", "cleanup", "doctor"]) expect(top.stdout).toContain(verb);
    const cleanup = await orch(["cleanup", "--help"], { cwd: empty, env: bareEnv() });
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toContain("--older-than <age>");
    expect(cleanup.stdout).toContain("$ npx orch cleanup --dry-run");
  });

  it("runs as `npx orch` in the clone, through the package's own bin", async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn("npx", ["--no-install", "orch", "retry", "--help"], { cwd: path.join(REPO_ROOT, "src"), env: { ...process.env, npm_config_update_notifier: "false" }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: orch retry [options] <id>");
  });

  it("doctor tells a newcomer in an empty folder what to do next, and exits 1", async () => {
    const run = await orch(["doctor"], { cwd: empty, env: bareEnv() });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "✗ no APP_ID — run `npm start`, open http://localhost:3000 and register the GitHub App; Probot writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env",
    );
    expect(run.stdout).toContain("✗ no WEBHOOK_SECRET");
    expect(run.stdout).toContain("is this orch's folder?");
    expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^\d+ problems\. Next: run `npm start`, open http:\/\/localhost:3000 and register the GitHub App/);
  });

  it("doctor names a bad config key and a database that lacks migrations, each with its fix", async () => {
    const dir = fs.mkdtempSync(path.join(empty, "doctor-"));
    fs.writeFileSync(path.join(dir, "orch.config.yml"), "agents:\n  codex:\n    command: [codex]\n    timeout: forever\n");
    // An empty file is an empty SQLite database: one no orch has migrated.
    fs.writeFileSync(path.join(dir, "old.db"), "");
    const run = await orch(["doctor"], { cwd: dir, env: { ...bareEnv(), DATABASE_URL: "file:./old.db" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ config \S+orch\.config\.yml: default_agent: is required.*; agents\.codex\.timeout: expected a duration.* — fix those keys \(orch\.config\.example\.yml shows each one\)$/m);
    expect(run.stdout).toMatch(/^✗ database file:\.\/old\.db lacks \d+ migrations \(\d+_init … \d+_\w+\) — `npm run db:deploy`, or `npm start`, which applies them$/m);
  });

  it("says there is no database rather than making an empty one in the wrong folder", async () => {
    const run = await orch(["attempts"], { cwd: empty, env: { ...bareEnv(), ORCH_CONFIG: path.join(REPO_ROOT, "orch.config.example.yml") } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("orch: there is no database at file:./data/orch.db: run this in orch's folder");
    expect(fs.existsSync(path.join(empty, "data"))).toBe(false);
  });
});

describe("orch's command line beside a running orch", () => {
  let server: FakeGitHubServer;
  let github: FakeGitHub;
  let setup: AppSetup;
  let app: AppProcess;
  let store: Store;
  /** The app's environment, as the operator's shell (or .env) has it. */
  let env: Record<string, string>;
  const run = (...args: string[]) => orch(args, { cwd: setup.cwd, env });

  beforeAll(async () => {
    github = new FakeGitHub(APP_OWNER, APP_REPO);
    server = await serveFakeGitHub(github);
    setup = await prepareApp({ github: server, agents: { waiter: "wait-for-go.sh", failer: "fail.sh" }, env: { ORCH_GITHUB_THROTTLE: "off" } });
    app = await startApp(setup);
    store = createStore({ db: await openDb(setup.databaseUrl), provider: getProvider(setup.databaseUrl) });
    env = { ...setup.env, ORCH_GITHUB_THROTTLE: "off", ORCH_PUBLIC_URL: app.url };
  });
  afterAll(async () => {
    await cleanupApp(setup);
    await store?.close();
    await server?.close();
  });
  beforeEach(() => onTestFailed(() => void process.stderr.write(`--- orch output ---\n${app?.output()}\n`)));

  async function attemptsOn(number: number): Promise<AttemptRecord[]> {
    const thread = await store.findThread({ ...target, number });
    const run = thread ? await store.findRun({ threadId: thread.id }) : undefined;
    return run?.tasks[0]?.attempts ?? [];
  }

  async function dispatch(number: number, agent: string): Promise<void> {
    github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
    await app.deliver("issue_comment", issueCommentCreated({ ...target, number, body: `/orch dispatch ${agent}` }));
  }

  function checkRunOf(attemptId: number) {
    return github.checkRuns.find((checkRun) => checkRun.external_id === String(attemptId));
  }

  let failed: AttemptRecord;
  let cancelled: AttemptRecord;

  it("attempts, show and logs print what the database holds, and logs redacts a secret", async () => {
    await dispatch(1, "failer");
    failed = await waitFor(async () => (await attemptsOn(1)).find((a) => a.state === "failed"), "the failing attempt to end");
    // A secret in the log (written before orch knew it, say): `orch logs` must not print it.
    fs.appendFileSync(getAttemptFiles(setup.home, failed.id).logFile, `leaked: ${APP_WEBHOOK_SECRET}\n`);

    const list = await run("attempts");
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trim().split("\n");
    expect(header).toMatch(/^ID\s+THREAD\s+TASK\s+AGENT\s+STATE\s+HOST\s+AGE\s+DURATION\s+BRANCH$/);
    expect(row).toMatch(new RegExp(`^${failed.id}\\s+acme/widgets#1\\s+t1/a1\\s+failer\\s+failed\\s+restart-host\\s+\\d+[smh]\\s+\\S+\\s+orch/1/t1/a1$`));
    expect((await run("attempts", "--state", "running")).stdout.trim()).toBe("No attempts match.");

    const show = await run("show", String(failed.id));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^attempt: +\d+: t1 attempt 1$/m);
    expect(show.stdout).toMatch(/^state: +failed$/m);
    expect(show.stdout).toMatch(/^thread: +acme\/widgets#1 \(issue\) Spelling error in the README file$/m);
    expect(show.stdout).toMatch(/^branch: +orch\/1\/t1\/a1$/m);
    expect(show.stdout).toMatch(/^usage: +none reported$/m);
    expect(show.stdout).toMatch(/^verify: +none configured$/m);
    expect(show.stdout).toMatch(/^summary: +.+/m);
    expect(show.stdout).toContain(`check run:`);

    const logs = await run("logs", String(failed.id));
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("fail: starting work");
    expect(logs.stdout).toContain("leaked: [redacted]");
    expect(logs.stdout).not.toContain(APP_WEBHOOK_SECRET);

    const missing = await run("show", "999999");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("orch: there is no attempt 999999; `orch attempts` lists them with their ids.\n");
  });

  it("cancel stops the agent in the running orch, and GitHub shows it was the operator", async () => {
    await dispatch(2, "waiter");
    const running = await waitFor(async () => (await attemptsOn(2)).find((a) => a.state === "running" && a.pid), "the waiter to run");
    await waitFor(() => processesOf(setup.home, running.id).length > 0, "the agent's processes");
    await waitFor(() => checkRunOf(running.id)?.status === "in_progress", "the check run in progress");
    await waitFor(() => github.statusCommentsOn(2)[0]?.body.includes("running"), "the status comment to show running");

    const result = await run("cancel", String(running.id));
    expect(result).toEqual({
      code: 0,
      stdout: `Cancelled attempt ${running.id} (acme/widgets#2 t1/a1, waiter): cancelled. Its check run and the thread's status comment say so.\n`,
      stderr: "",
    });
    await waitFor(() => processesOf(setup.home, running.id).length === 0, "the agent's processes to be gone");
    cancelled = (await store.findAttemptContext(running.id))!.attempt;
    expect(cancelled).toMatchObject({ state: "cancelled", summary: "cancelled by the operator" });
    const checkRun = await waitFor(() => (checkRunOf(running.id)?.status === "completed" ? checkRunOf(running.id) : undefined), "the check run to complete");
    expect(checkRun.conclusion).toBe("cancelled");
    expect(checkRun.output?.summary).toContain("cancelled by the operator");
    await waitFor(() => github.statusCommentsOn(2)[0]?.body.includes("cancelled"), "the status comment to show cancelled");
    expect(github.statusCommentsOn(2)).toHaveLength(1);
    const replies = github.repliesOn(2);
    expect(replies.map((reply) => reply.body.split("\n")[0])).toContain("The operator cancelled attempt 1 (`waiter`) of `t1`.");

    const again = await run("cancel", String(running.id));
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("orch: nothing to cancel: t1's latest is attempt 1 (waiter, cancelled).\n");
  });

  it("retry queues a new attempt that the running orch starts at once, and its work is pushed", async () => {
    const result = await run("retry", String(cancelled.id));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Queued t1 attempt 2 \(id \d+\) with waiter on branch orch\/2\/t1\/a2\. The running orch starts it when a slot is free\.\n$/);

    const second = await waitFor(async () => (await attemptsOn(2)).find((a) => a.number === 2 && a.state === "running" && a.pid), "attempt 2's agent to run");
    expect(second.requestedBy).toBe(cancelled.requestedBy);
    // Follow its log while it runs: `logs -f` ends by itself when the attempt does.
    const following = run("logs", String(second.id), "--follow");
    await waitFor(() => fs.existsSync(getAttemptFiles(setup.home, second.id).logFile), "attempt 2's log");
    fs.writeFileSync(path.join(getAttemptFiles(setup.home, second.id).ioDir, "go"), "");
    const done = await waitFor(async () => (await attemptsOn(2)).find((a) => a.number === 2 && a.state === "succeeded"), "attempt 2 to succeed");
    const followed = await following;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain("wait-for-go: done");
    expect(followed.stderr).toBe(`orch: attempt ${second.id} (acme/widgets#2 t1/a2, waiter) ended: succeeded.\n`);
    expect(done.pullRequestNumber).not.toBeNull();
    expect(await listRemoteBranches(setup.remote.barePath)).toContain("orch/2/t1/a2");
    expect(github.repliesOn(2).map((reply) => reply.body.split("\n")[0])).toContain(
      "The operator queued attempt 2 of `t1` with `waiter` on branch `orch/2/t1/a2`. The status comment follows it.",
    );

    const stale = await run("retry", String(cancelled.id));
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`t1's latest is attempt 2 (id ${second.id}, succeeded); \`orch retry ${second.id}\` retries the task.`);
  });

  it("cleanup --dry-run lists ended attempts' worktrees and removes nothing; without it, removes them and keeps the branches", async () => {
    const ended = (await Promise.all([attemptsOn(1), attemptsOn(2)])).flat().filter((a) => a.workspaceState === "allocated" && a.worktreePath);
    expect(ended.length).toBeGreaterThanOrEqual(2);

    const dry = await run("cleanup", "--older-than", "0s", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Would remove ${ended.length} worktrees (branches stay); nothing was removed:`);
    for (const attempt of ended) {
      expect(dry.stdout).toContain(attempt.worktreePath!);
      expect(fs.existsSync(attempt.worktreePath!)).toBe(true);
    }
    const young = await run("cleanup", "--dry-run");
    expect(young.stdout.trim()).toBe("Nothing to clean up: no ended attempt that old still has a worktree.");

    const real = await run("cleanup", "--older-than", "0s");
    expect(real.stderr).toBe("");
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`Removed ${ended.length} worktrees of ${ended.length}; the branches stay`);
    for (const attempt of ended) {
      expect(fs.existsSync(attempt.worktreePath!)).toBe(false);
      expect((await store.findAttemptContext(attempt.id))?.attempt.workspaceState).toBe("cleaned");
    }
    expect(await listRemoteBranches(setup.remote.barePath)).toContain("orch/2/t1/a2");
    expect(github.unexpected).toEqual([]);
  });

  it("doctor passes on this installation, with GitHub accepting the app, and fails on a wrong APP_ID", async () => {
    const good = await run("doctor");
    expect(good.stdout).not.toContain("✗");
    expect(good.stdout).toContain("✓ GitHub (http://");
    expect(good.stdout).toContain(`accepts the app's credentials: orch-test (APP_ID 123)`);
    expect(good.stdout).toContain(`✓ ORCH_PUBLIC_URL ${app.url} answers /healthz`);
    // This app has no ORCH_METRICS_TOKEN: a warning with its fix, not a failure.
    expect(good.stdout).toContain(`! ORCH_PUBLIC_URL's ${app.url}/metrics answers anyone (it names hosts and agents)`);
    expect(good.stdout).toContain("is reachable and migrated");
    expect(good.code).toBe(0);

    const wrong = await orch(["doctor"], { cwd: setup.cwd, env: { ...env, APP_ID: "999" } });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("✗ GitHub says the private key belongs to app 123, but APP_ID is 999");
  });

  it("with no orch running, cancel and retry act in the database, and the next orch starts the queued attempt", async () => {
    await app.kill();
    const retried = await run("retry", String(failed.id));
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/^Queued t1 attempt 2 \(id \d+\) with failer on branch orch\/1\/t1\/a2\. No orch is running here: it starts when `npm start` does\.\n$/);
    const queued = (await attemptsOn(1)).find((a) => a.number === 2)!;
    expect(queued.state).toBe("queued");

    const cancelledQueued = await run("cancel", String(queued.id));
    expect(cancelledQueued.code).toBe(0);
    expect(cancelledQueued.stdout).toContain(`Cancelled attempt ${queued.id} (acme/widgets#1 t1/a2, failer): cancelled.`);
    expect((await store.findAttemptContext(queued.id))?.attempt).toMatchObject({ state: "cancelled", summary: "cancelled by the operator" });

    expect((await run("retry", String(queued.id))).code).toBe(0);
    const third = (await attemptsOn(1)).find((a) => a.number === 3)!;
    expect(third.state).toBe("queued");
    await store.close();
    app = await startApp(setup);
    store = createStore({ db: await openDb(setup.databaseUrl), provider: getProvider(setup.databaseUrl) });
    const ended = await waitFor(async () => (await attemptsOn(1)).find((a) => a.number === 3 && a.state === "failed"), "attempt 3 to run and fail");
    expect(ended.host).toBe("restart-host");
    // The new orch took over the socket the killed one left behind: a retry reaches it again.
    const again = await run("retry", String(ended.id));
    expect(again.stdout).toContain("The running orch starts it when a slot is free.");
    expect(github.unexpected).toEqual([]);
  });
});
