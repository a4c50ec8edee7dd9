/**
 * Development with Probot's conventions: WEBHOOK_PROXY_URL names a smee
 * channel, and the real app (a child process) takes GitHub's webhooks from
 * it. The channel here is a stand-in for smee.io on 127.0.0.1 that speaks
 * smee's protocol (server-sent events; each message is GitHub's headers plus
 * `body`), so the test proves the whole path: the app connects, the event
 * reaches the intake with GitHub's signature, and the command is answered.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, APP_WEBHOOK_SECRET, cleanupApp, prepareApp, startApp, type AppSetup } from "../helpers/app-process.js";

/** A smee channel: clients subscribe with GET (text/event-stream); `send` pushes one webhook to each. */
class FakeSmeeChannel {
  private readonly clients = new Set<http.ServerResponse>();
  private readonly connected: Array<() => void> = [];
  readonly server = http.createServer((request, response) => {
    if (request.method !== "GET" || request.url !== "/orch-dev") return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    response.write(": ready\n\n");
    this.clients.add(response);
    response.once("close", () => this.clients.delete(response));
    for (const resolve of this.connected.splice(0)) resolve();
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen({ host: "127.0.0.1", port: 0 }, resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/orch-dev`;
  }

  whenConnected(): Promise<void> {
    return this.clients.size ? Promise.resolve() : new Promise((resolve) => this.connected.push(resolve));
  }

  /** What smee.io sends for one webhook: its headers (lower-case) beside the parsed body. */
  send(headers: Record<string, string>, body: unknown): void {
    const data = JSON.stringify({ ...headers, body, timestamp: Date.now() });
    for (const client of this.clients) client.write(`data: ${data}\n\n`);
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe("WEBHOOK_PROXY_URL", () => {
  it("takes GitHub's webhooks from the smee channel it names, signature checked", async () => {
    const github = new FakeGitHub(APP_OWNER, APP_REPO);
    const server: FakeGitHubServer = await serveFakeGitHub(github);
    cleanup.push(() => server.close());
    const channel = new FakeSmeeChannel();
    const url = await channel.listen();
    cleanup.push(() => channel.close());
    const setup: AppSetup = await prepareApp({ github: server, agents: { sleeper: "sleep.sh" }, env: { WEBHOOK_PROXY_URL: url } });
    cleanup.push(() => cleanupApp(setup));
    const app = await startApp(setup);
    onTestFailed(() => void process.stderr.write(`--- orch output ---\n${app.output()}\n`));
    await channel.whenConnected();

    github.threads.set(3, { state: "open", title: "Issue 3", body: "" });
    const signed = (payload: unknown, secret: string) => {
      const body = JSON.stringify(payload);
      return { body: payload, signature: `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}` };
    };
    // A forged event first: the intake refuses it, so it is never answered.
    const forged = signed(issueCommentCreated({ owner: APP_OWNER, repo: APP_REPO, number: 3, body: "/orch cancel" }), "not-the-secret");
    channel.send({ "x-github-event": "issue_comment", "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": forged.signature }, forged.body);
    const real = signed(issueCommentCreated({ owner: APP_OWNER, repo: APP_REPO, number: 3, body: "/orch help" }), APP_WEBHOOK_SECRET);
    channel.send({ "x-github-event": "issue_comment", "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": real.signature }, real.body);

    const deadline = Date.now() + 20_000;
    while (github.repliesOn(3).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const replies = github.repliesOn(3);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("/orch dispatch");
    expect(app.output()).toContain("webhook refused: bad signature");
    expect(app.output()).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks - 400/);
  });
});
