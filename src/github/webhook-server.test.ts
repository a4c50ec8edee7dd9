/**
 * The webhook server in this process on 127.0.0.1, with a small Probot app
 * that records which handlers ran: oversized bodies are refused before they
 * are read whole, unsigned and malformed ones are refused before a handler
 * runs, and everything else reaches Probot as before.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import type { Socket } from "node:net";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, type ApplicationFunction } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkRunRequestedAction, closed, issueCommentCreated, labeled, reviewCommentCreated } from "../../test/fakes/events.js";
import { rawRequest } from "../../test/helpers/raw-http.js";
import { MAX_WEBHOOK_PAYLOAD_BYTES } from "./webhook-intake.js";
import { startWebhookServer, type WebhookServer } from "./webhook-server.js";

const privateKey = fs.readFileSync(fileURLToPath(new URL("../../test/fixtures/mock-cert.pem", import.meta.url)), "utf8");
const SECRET = "intake-test-secret";
const PATH = "/api/github/webhooks";
const target = { owner: "acme", repo: "widgets" };
/** The second server's cap, small enough to probe both sides of it. */
const SMALL_CAP = 64_000;

const HANDLED = [
  "issue_comment.created",
  "pull_request_review_comment.created",
  "check_run.requested_action",
  "issues.labeled",
  "pull_request.labeled",
  "issues.closed",
  "pull_request.closed",
] as const;

/** `<event>.<action>` of every handler call, in order. */
const calls: string[] = [];
const logLines: string[] = [];

const recordingApp: ApplicationFunction = (app) => {
  app.on([...HANDLED], async (context) => {
    calls.push(`${context.name}.${context.payload.action}`);
  });
  app.on("push", async () => {
    calls.push("push");
  });
};

function newProbot(): Probot {
  const log = pino({ level: "debug" }, new Writable({ write: (chunk, _encoding, callback) => (logLines.push(String(chunk)), callback()) }));
  return new Probot({
    appId: 123,
    privateKey,
    secret: SECRET,
    log,
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
}

let server: WebhookServer;
let small: WebhookServer;
/** Every socket the main server accepted, to read how much it read. */
const sockets: Socket[] = [];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  server = await startWebhookServer({ probot: newProbot(), appFn: recordingApp, host: "127.0.0.1", port: 0 });
  server.http.on("connection", (socket: Socket) => sockets.push(socket));
  small = await startWebhookServer({ probot: newProbot(), appFn: recordingApp, host: "127.0.0.1", port: 0, maxPayloadBytes: SMALL_CAP });
});
afterAll(async () => {
  await server?.stop();
  await small?.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});
beforeEach(() => {
  calls.length = 0;
});

function sign(body: string, secret = SECRET): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
}

function webhookHeaders(name: string, body: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    "content-type": "application/json",
    "x-github-event": name,
    "x-github-delivery": crypto.randomUUID(),
    "x-hub-signature-256": sign(body),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** POSTs `body` (a string as it is, anything else as JSON) signed as GitHub signs it. */
async function post(name: string, payload: unknown, params: { to?: WebhookServer; headers?: Record<string, string | undefined> } = {}) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const response = await fetch(`${(params.to ?? server).url}${PATH}`, { method: "POST", headers: webhookHeaders(name, body, params.headers), body });
  return { status: response.status, text: await response.text() };
}

/** Waits until the server has closed `socket`, then how many bytes it read from it. */
async function bytesReadBy(socket: Socket): Promise<number> {
  if (!socket.destroyed) await new Promise((resolve) => socket.once("close", resolve));
  return socket.bytesRead;
}

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of `payload` with the value at dotted `path` replaced, or removed when `value` is REMOVE. */
const REMOVE = Symbol("remove");
function withField(payload: Payload, path: string, value: unknown): Payload {
  const copy = structuredClone(payload);
  const keys = path.split(".");
  const last = keys.pop()!;
  const parent = keys.reduce((object, key) => object[key], copy);
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** A valid payload of each handled event, from the real examples (test/fakes/events.ts). */
const valid: Record<(typeof HANDLED)[number], { name: string; payload: Payload }> = {
  "issue_comment.created": { name: "issue_comment", payload: issueCommentCreated({ ...target, number: 1, body: "/orch dispatch" }) },
  "pull_request_review_comment.created": { name: "pull_request_review_comment", payload: reviewCommentCreated({ ...target, number: 2, body: "/orch dispatch" }) },
  "check_run.requested_action": { name: "check_run", payload: checkRunRequestedAction({ ...target, attemptId: 7, identifier: "cancel" }) },
  "issues.labeled": labeled({ ...target, number: 3, label: "orch:dispatch" }),
  "pull_request.labeled": labeled({ ...target, number: 4, label: "orch:dispatch", isPullRequest: true }),
  "issues.closed": closed({ ...target, number: 5 }),
  "pull_request.closed": closed({ ...target, number: 6, isPullRequest: true }),
};

describe("oversized bodies", () => {
  it("answers a Content-Length of 300 MB with 413 after a few KB, and closes the connection", async () => {
    const before = sockets.length;
    const response = await rawRequest({
      port: server.port,
      path: PATH,
      headers: webhookHeaders("issue_comment", "", { "content-length": "300000000" }),
      bodyBytes: 300_000_000,
      sendAtMost: 4096,
    });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe("close");
    expect(response.text).toContain(`payload too large: GitHub webhook payloads are at most ${MAX_WEBHOOK_PAYLOAD_BYTES} bytes; this one declares 300000000`);
    // The client sent 4 KB and waited: the answer could only come before the body.
    expect(response.bytesSentBeforeAnswer).toBe(4096);
    expect(response.isClosedByServer).toBe(true);
    expect(await bytesReadBy(sockets[before]!)).toBeLessThan(64 * 1024);
    expect(calls).toEqual([]);
  });

  it("reads little of a 300 MB body sent as fast as the socket takes it", async () => {
    const before = sockets.length;
    const rssBefore = process.memoryUsage().rss;
    const response = await rawRequest({
      port: server.port,
      path: PATH,
      headers: webhookHeaders("issue_comment", "", { "content-length": "300000000" }),
      bodyBytes: 300_000_000,
    });
    expect(response.status).toBe(413);
    const bytesRead = await bytesReadBy(sockets[before]!);
    // What the client had in flight when the answer came is read and dropped; never more than the cap.
    expect(bytesRead).toBeLessThan(MAX_WEBHOOK_PAYLOAD_BYTES);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it("cuts a chunked body off with 413 once it passes 25 MB", async () => {
    const before = sockets.length;
    logLines.length = 0;
    const response = await rawRequest({
      port: server.port,
      path: PATH,
      headers: webhookHeaders("issue_comment", ""),
      bodyBytes: 40 * 1024 * 1024,
      chunked: true,
    });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe("close");
    expect(response.text).toContain(`payload too large: GitHub webhook payloads are at most ${MAX_WEBHOOK_PAYLOAD_BYTES} bytes`);
    expect(response.bytesSentBeforeAnswer).toBeLessThan(40 * 1024 * 1024);
    expect(response.isClosedByServer).toBe(true);
    // Reading stopped at the chunk that passed the cap (Node hands the body over in pieces of at most 64 KB)...
    const refusal = logLines.map((line) => JSON.parse(line) as { msg: string; bytesRead?: number }).find((entry) => entry.msg === "webhook refused: body over the cap");
    expect(refusal?.bytesRead).toBeGreaterThan(MAX_WEBHOOK_PAYLOAD_BYTES);
    expect(refusal?.bytesRead).toBeLessThanOrEqual(MAX_WEBHOOK_PAYLOAD_BYTES + 64 * 1024);
    // ...and what was still in flight was dropped, then the connection closed.
    expect(await bytesReadBy(sockets[before]!)).toBeLessThan(2 * MAX_WEBHOOK_PAYLOAD_BYTES);
    expect(calls).toEqual([]);
  });

  it("answers `Expect: 100-continue` with an oversized Content-Length with 413, not 100", async () => {
    const response = await rawRequest({
      port: server.port,
      path: PATH,
      headers: webhookHeaders("issue_comment", "", { "content-length": "300000000", expect: "100-continue" }),
      bodyBytes: 300_000_000,
      sendAtMost: 0,
    });
    expect(response.status).toBe(413);
    expect(response.text).not.toContain("100 Continue");
  });

  /** A signed issue_comment padded with spaces to exactly `size` bytes. */
  function paddedComment(size: number): string {
    const json = JSON.stringify(valid["issue_comment.created"].payload);
    if (json.length > size) throw new Error(`the example payload is ${json.length} bytes, over ${size}`);
    return json.padEnd(size, " ");
  }

  it.each([
    { name: "at the cap, with Content-Length", size: SMALL_CAP, chunked: false, status: 200, handled: true },
    { name: "at the cap, chunked", size: SMALL_CAP, chunked: true, status: 200, handled: true },
    { name: "one byte over, with Content-Length", size: SMALL_CAP + 1, chunked: false, status: 413, handled: false },
    { name: "one byte over, chunked", size: SMALL_CAP + 1, chunked: true, status: 413, handled: false },
  ])("a signed body $name: $status", async ({ size, chunked, status, handled }) => {
    const body = paddedComment(size);
    // fetch sends a string with Content-Length, a stream chunked.
    const init: RequestInit & { duplex?: "half" } = chunked ? { body: new Blob([body]).stream(), duplex: "half" } : { body };
    const response = await fetch(`${small.url}${PATH}`, { method: "POST", headers: webhookHeaders("issue_comment", body), ...init });
    await response.text();
    expect(response.status).toBe(status);
    expect(calls).toEqual(handled ? ["issue_comment.created"] : []);
  });
});

describe("headers and signature", () => {
  const payload = valid["issue_comment.created"].payload;
  it.each([
    { name: "no X-GitHub-Event", headers: { "x-github-event": undefined }, status: 400, error: "Required headers missing: x-github-event" },
    { name: "no X-GitHub-Delivery", headers: { "x-github-delivery": undefined }, status: 400, error: "Required headers missing: x-github-delivery" },
    { name: "no signature", headers: { "x-hub-signature-256": undefined }, status: 400, error: "Required headers missing: x-hub-signature-256" },
    {
      name: "no headers of GitHub's at all",
      headers: { "x-github-event": undefined, "x-github-delivery": undefined, "x-hub-signature-256": undefined },
      status: 400,
      error: "Required headers missing: x-github-event, x-hub-signature-256, x-github-delivery",
    },
    {
      name: "signed with another secret",
      headers: { "x-hub-signature-256": sign(JSON.stringify(payload), "not-the-secret") },
      status: 400,
      error: "Error: [@octokit/webhooks] signature does not match event payload and secret",
    },
    { name: "a signature that is not one", headers: { "x-hub-signature-256": "sha256=nope" }, status: 400, error: "Error: [@octokit/webhooks] signature does not match event payload and secret" },
    { name: "an empty signature", headers: { "x-hub-signature-256": "" }, status: 400, error: "Error: [@octokit/webhooks] signature does not match event payload and secret" },
    { name: "not JSON by Content-Type", headers: { "content-type": "text/plain" }, status: 415, error: 'Unsupported "Content-Type" header value. Must be "application/json"' },
  ])("$name: $status", async ({ headers, status, error }) => {
    const response = await post("issue_comment", payload, { headers });
    expect(response).toEqual({ status, text: JSON.stringify({ error }) });
    expect(calls).toEqual([]);
  });

  it("refuses a body signed, then changed", async () => {
    const body = JSON.stringify(payload);
    const changed = body.replace("/orch dispatch", "/orch cleanup");
    const response = await post("issue_comment", changed, { headers: { "x-hub-signature-256": sign(body) } });
    expect(response.status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describe("malformed signed payloads", () => {
  const cases: { name: string; event: (typeof HANDLED)[number]; path: string; value: unknown; error: string }[] = [
    { name: "no issue", event: "issue_comment.created", path: "issue", value: REMOVE, error: "issue: expected an object (missing)" },
    { name: "issue.number a string", event: "issue_comment.created", path: "issue.number", value: "1", error: "issue.number: expected a number, received a string" },
    { name: "issue.title missing", event: "issue_comment.created", path: "issue.title", value: REMOVE, error: "issue.title: expected a string (missing)" },
    { name: "comment.body a number", event: "issue_comment.created", path: "comment.body", value: 42, error: "comment.body: expected a string, received a number" },
    { name: "comment.id missing", event: "issue_comment.created", path: "comment.id", value: REMOVE, error: "comment.id: expected a number (missing)" },
    { name: "no sender", event: "issue_comment.created", path: "sender", value: REMOVE, error: "sender: expected an object (missing)" },
    { name: "sender.login a number", event: "issue_comment.created", path: "sender.login", value: 1, error: "sender.login: expected a string, received a number" },
    { name: "repository.owner null", event: "issue_comment.created", path: "repository.owner", value: null, error: "repository.owner: expected an object, received null" },
    { name: "installation.id a string", event: "issue_comment.created", path: "installation.id", value: "4242", error: "installation.id: expected a number, received a string" },
    { name: "no pull_request", event: "pull_request_review_comment.created", path: "pull_request", value: REMOVE, error: "pull_request: expected an object (missing)" },
    { name: "pull_request.html_url an array", event: "pull_request_review_comment.created", path: "pull_request.html_url", value: [], error: "pull_request.html_url: expected a string, received an array" },
    { name: "no check_run", event: "check_run.requested_action", path: "check_run", value: REMOVE, error: "check_run: expected an object (missing)" },
    { name: "check_run.external_id a number", event: "check_run.requested_action", path: "check_run.external_id", value: 7, error: "check_run.external_id: expected a string, received a number" },
    { name: "requested_action.identifier a number", event: "check_run.requested_action", path: "requested_action.identifier", value: 1, error: "requested_action.identifier: expected a string, received a number" },
    { name: "repository.default_branch missing", event: "check_run.requested_action", path: "repository.default_branch", value: REMOVE, error: "repository.default_branch: expected a string (missing)" },
    { name: "issue a string", event: "issues.labeled", path: "issue", value: "#3", error: "issue: expected an object, received a string" },
    { name: "label.name a number", event: "issues.labeled", path: "label.name", value: 5, error: "label.name: expected a string, received a number" },
    { name: "pull_request.number missing", event: "pull_request.labeled", path: "pull_request.number", value: REMOVE, error: "pull_request.number: expected a number (missing)" },
    { name: "issue.body a number", event: "issues.closed", path: "issue.body", value: 1, error: "issue.body: expected a string, received a number" },
    { name: "no repository", event: "issues.closed", path: "repository", value: REMOVE, error: "repository: expected an object (missing)" },
    { name: "pull_request.title null", event: "pull_request.closed", path: "pull_request.title", value: null, error: "pull_request.title: expected a string, received null" },
  ];
  it.each(cases)("$event, $name: 400 naming the field, no handler", async ({ event, path, value, error }) => {
    const { name, payload } = valid[event];
    const response = await post(name, withField(payload, path, value));
    expect(response).toEqual({ status: 400, text: JSON.stringify({ error: `invalid ${name} payload: ${error}` }) });
    expect(calls).toEqual([]);
  });

  it.each([
    { name: "not JSON", event: "issue_comment", body: "{not json", error: "SyntaxError: Invalid JSON" },
    { name: "JSON cut short", event: "issue_comment", body: JSON.stringify(valid["issue_comment.created"].payload).slice(0, 100), error: "SyntaxError: Invalid JSON" },
    { name: "JSON null", event: "issue_comment", body: "null", error: "invalid issue_comment payload: expected an object, received null" },
    { name: "an array", event: "issue_comment", body: "[]", error: "invalid issue_comment payload: expected an object, received an array" },
    { name: "a number", event: "check_run", body: "5", error: "invalid check_run payload: expected an object, received a number" },
    { name: "a string", event: "issues", body: '"closed"', error: "invalid issues payload: expected an object, received a string" },
    { name: "null for an event orch does not handle", event: "push", body: "null", error: "invalid push payload: expected an object, received null" },
    { name: "only an action", event: "issue_comment", body: '{"action":"created"}', error: "invalid issue_comment payload: repository: expected an object (missing); sender: expected an object (missing); issue: expected an object (missing); and 1 more" },
  ])("$name: 400, no handler", async ({ event, body, error }) => {
    const response = await post(event, body);
    expect(response).toEqual({ status: 400, text: JSON.stringify({ error }) });
    expect(calls).toEqual([]);
  });

  it("logs the refusal with the delivery id", async () => {
    logLines.length = 0;
    await post("issue_comment", withField(valid["issue_comment.created"].payload, "issue", REMOVE), { headers: { "x-github-delivery": "delivery-42" } });
    const line = logLines.map((text) => JSON.parse(text) as { msg: string; deliveryId?: string }).find((entry) => entry.msg.startsWith("webhook refused"));
    expect(line).toMatchObject({ deliveryId: "delivery-42", msg: "webhook refused: invalid issue_comment payload: issue: expected an object (missing)" });
  });
});

describe("what reaches Probot", () => {
  it.each(HANDLED.map((event) => ({ event })))("a valid signed $event: 200, its handler ran", async ({ event }) => {
    const { name, payload } = valid[event];
    expect(await post(name, payload)).toEqual({ status: 200, text: "ok\n" });
    expect(calls).toEqual([event]);
  });

  it.each([
    { name: "an event orch does not handle (push)", event: "push", payload: { ref: "refs/heads/main", after: "0".repeat(40) }, calls: ["push"] },
    { name: "ping", event: "ping", payload: { zen: "Keep it logically awesome.", hook_id: 1 }, calls: [] },
    { name: "an action orch does not handle, malformed (issue_comment.edited)", event: "issue_comment", payload: { action: "edited" }, calls: [] },
    { name: "a handled event with an action that is not a string", event: "issue_comment", payload: { action: 5 }, calls: [] },
    {
      name: "a label event without a label (the handler skips it)",
      event: "issues",
      payload: withField(valid["issues.labeled"].payload, "label", REMOVE),
      calls: ["issues.labeled"],
    },
    {
      name: "a comment without an installation (the handler skips it)",
      event: "issue_comment",
      payload: withField(valid["issue_comment.created"].payload, "installation", REMOVE),
      calls: ["issue_comment.created"],
    },
    {
      name: "a comment on a pull request with a null body",
      event: "issue_comment",
      payload: withField(valid["issue_comment.created"].payload, "issue.body", null),
      calls: ["issue_comment.created"],
    },
  ])("$name: 200, untouched", async ({ event, payload, calls: expected }) => {
    expect(await post(event, payload)).toEqual({ status: 200, text: "ok\n" });
    expect(calls).toEqual(expected);
  });

  it("hands Probot the payload exactly as it came, unknown keys and all", async () => {
    const seen: unknown[] = [];
    const probot = newProbot();
    const echo = await startWebhookServer({
      probot,
      appFn: (app) => app.on("issue_comment.created", async (context) => void seen.push(context.payload)),
      host: "127.0.0.1",
      port: 0,
    });
    try {
      const payload = { ...valid["issue_comment.created"].payload, something_new: { from: "GitHub" } };
      expect((await post("issue_comment", payload, { to: echo })).status).toBe(200);
      expect(seen).toEqual([payload]);
    } finally {
      await echo.stop();
    }
  });
});

describe("other routes", () => {
  it.each([
    { name: "GET /ping", method: "GET", path: "/ping", status: 200, text: "PONG" },
    { name: "GET /ping?x=1", method: "GET", path: "/ping?x=1", status: 200, text: "PONG" },
    { name: "GET on the webhook path", method: "GET", path: PATH, status: 404, text: JSON.stringify({ error: `Unknown route: GET ${PATH}` }) },
    { name: "the webhook path with a trailing slash, GET", method: "GET", path: `${PATH}/`, status: 404, text: JSON.stringify({ error: `Unknown route: GET ${PATH}` }) },
    { name: "GET /", method: "GET", path: "/", status: 404, text: "" },
    { name: "POST elsewhere", method: "POST", path: "/api/github/other", status: 404, text: "" },
  ])("$name: $status", async ({ method, path, status, text }) => {
    const response = await fetch(`${server.url}${path}`, { method });
    expect({ status: response.status, text: await response.text() }).toEqual({ status, text });
  });

  it("takes a webhook on a WEBHOOK_PATH of its own", async () => {
    const custom = await startWebhookServer({ probot: newProbot(), appFn: recordingApp, host: "127.0.0.1", port: 0, webhookPath: "/hooks/github" });
    try {
      const body = JSON.stringify(valid["issue_comment.created"].payload);
      const response = await fetch(`${custom.url}/hooks/github`, { method: "POST", headers: webhookHeaders("issue_comment", body), body });
      expect(response.status).toBe(200);
      expect(calls).toEqual(["issue_comment.created"]);
      expect((await fetch(`${custom.url}${PATH}`, { method: "POST", headers: webhookHeaders("issue_comment", body), body })).status).toBe(404);
    } finally {
      await custom.stop();
    }
  });
});
