/**
 * The webhook intake in the real app (`node --import tsx src/main.ts` as a
 * child process, test/helpers/app-process.ts): an oversized body is refused
 * without the process taking it into memory, a malformed signed payload is a
 * 400, and orch goes on answering as before after both.
 */
import fs from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, cleanupApp, prepareApp, startApp, type AppProcess, type AppSetup } from "../helpers/app-process.js";
import { rawRequest } from "../helpers/raw-http.js";

const target = { owner: APP_OWNER, repo: APP_REPO };
let server: FakeGitHubServer;
let setup: AppSetup;
let app: AppProcess;

beforeAll(async () => {
  server = await serveFakeGitHub(new FakeGitHub(APP_OWNER, APP_REPO));
  setup = await prepareApp({ github: server, agents: { sleeper: "sleep.sh" } });
  app = await startApp(setup);
});
afterAll(async () => {
  if (setup) await cleanupApp(setup);
  await server?.close();
});

/** Resident and peak resident memory of `pid`, in bytes (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "mu").exec(status)?.[1]) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

async function ping(): Promise<string> {
  return (await fetch(`${app.url}/ping`)).text();
}

/** A signed `/orch help` on issue `number`; resolves once orch has replied there. */
async function helpOn(number: number): Promise<void> {
  server.github.threads.set(number, { state: "open", title: `Issue ${number}`, body: "" });
  await app.deliver("issue_comment", issueCommentCreated({ ...target, number, body: "/orch help" }));
  const deadline = Date.now() + 15_000;
  while (server.github.repliesOn(number).length === 0) {
    if (Date.now() > deadline) throw new Error(`no reply on #${number}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("webhook intake, whole app", () => {
  beforeEach(() => {
    onTestFailed(() => void process.stderr.write(`--- orch output ---\n${app.output()}\n`));
  });

  it("refuses a 300 MB Content-Length with 413 without taking it in, and goes on", async () => {
    const before = memoryOf(app.pid);
    const response = await rawRequest({
      port: app.port,
      path: "/api/github/webhooks",
      headers: {
        "content-type": "application/json",
        "content-length": 300_000_000,
        "x-github-event": "issue_comment",
        "x-github-delivery": "big-1",
        "x-hub-signature-256": "sha256=whatever",
      },
      bodyBytes: 300_000_000,
    });
    const after = memoryOf(app.pid);
    expect(response.status).toBe(413);
    expect(response.isClosedByServer).toBe(true);
    // Writing as fast as it can, the client gets a few MB into the socket buffers before the answer.
    expect(response.bytesSentBeforeAnswer).toBeLessThan(64 * 1024 * 1024);
    // Buffering the body would take the process's peak up by at least its 300 MB.
    expect(after.peak - before.rss).toBeLessThan(64 * 1024 * 1024);

    expect(app.isRunning).toBe(true);
    expect(await ping()).toBe("PONG");
    await helpOn(801);
  });

  it("answers a malformed signed issue_comment with 400 naming the field, and goes on", async () => {
    const payload = issueCommentCreated({ ...target, number: 802, body: "/orch help" });
    delete payload.issue;
    await expect(app.deliver("issue_comment", payload)).rejects.toThrow(
      'webhook issue_comment answered 400: {"error":"invalid issue_comment payload: issue: expected an object (missing)"}',
    );
    const numberAsText = issueCommentCreated({ ...target, number: 803, body: "/orch help" });
    numberAsText.comment.body = 42;
    await expect(app.deliver("issue_comment", numberAsText)).rejects.toThrow(
      'webhook issue_comment answered 400: {"error":"invalid issue_comment payload: comment.body: expected a string, received a number"}',
    );

    expect(app.isRunning).toBe(true);
    expect(await ping()).toBe("PONG");
    await helpOn(804);
    expect(server.github.repliesOn(802)).toEqual([]);
    expect(server.github.repliesOn(803)).toEqual([]);
    expect(app.output()).not.toMatch(/TypeError/u);
  });
});
