import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTaskPrompt, buildRetryPrompt } from "../pipeline/prompt.js";
import { getAttemptFiles } from "../pipeline/attempt-files.js";
import { Redactor } from "../secrets/redactor.js";
import { NO_COUNCIL_JUDGE, type AttemptContext, type AttemptRecord, type RunView, type TaskRecord } from "../store/records.js";
import { createPageHandler } from "./page-routes.js";
import { derivePageSecret, signAttemptToken } from "./page-token.js";

const KNOWN_SECRET = "sk-orch-known-0123456789abcdef";
// A GitHub token shape the secret scanner finds (not a known value).
const SHAPED_SECRET = `ghp_${"A1b2C3d4E5".repeat(3)}abcdef`;
const secret = derivePageSecret({ pageSecret: "p".repeat(40) })!;
const now = new Date("2026-12-01T12:00:00Z");

function attempt(overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    id: 7, taskId: 3, number: 2, agent: "codex", state: "running", requestedBy: "octocat", prompt: "p", feedback: null,
    branch: "orch/42/t1/a2", baseSha: "a".repeat(40), headSha: null, worktreePath: null, workspaceState: "allocated",
    checkRunId: 5, reportedState: "running", pid: 100, host: "web-1", lease: "l", queuedAt: new Date("2026-12-01T11:58:00Z"),
    startedAt: new Date("2026-12-01T11:58:05Z"), endedAt: null, exitCode: null, summary: null, pullRequestNumber: null,
    pullRequestUrl: null, verifyState: null, autoRetry: 0, autoRetryLimit: 0, council: false, diffStat: null,
    costUsd: null, inputTokens: null, outputTokens: null, ...overrides,
  };
}

const issueBody = `Please fix the parser.\n<script>alert("x")</script>\nmy token is ${SHAPED_SECRET}\n\u202eevil\u202c`;
const thread = { id: 1, installationId: 9, owner: "acme", repo: "widgets", number: 42, kind: "issue" as const, title: "Parser <b>breaks</b>", url: "https://github.com/acme/widgets/issues/42", statusCommentId: null };
const run: RunView = {
  id: 2, threadId: 1, state: "active", requestedBy: "octocat", baseRef: "refs/heads/main", prBase: "main", draft: true,
  verify: { run: "npm test", timeoutMs: 60_000, maxAutoRetries: 1 }, maxAttemptsPerTask: 10, runTimeoutMs: null, maxCostUsd: null, createdAt: now, endedAt: null, tasks: [],
};
const taskPrompt = buildTaskPrompt({ thread: { ...thread, body: issueBody }, requestedBy: "octocat", instructions: "Keep the API stable.", nonce: "abc123" });

const contexts = new Map<number, AttemptContext>();
function put(record: AttemptRecord, mode: "change" | "council" = "change"): void {
  const task = { id: record.taskId, runId: 2, key: "t1", state: "pending" as const, prompt: taskPrompt, after: [], agent: "codex", mode, councilSize: mode === "council" ? 2 : 0, judge: NO_COUNCIL_JUDGE, autoPick: false, baseRef: null, mergeRefs: [], prBase: null };
  contexts.set(record.id, { attempt: record, task, run, thread });
}
/** What the council's judge said, when a test sets it. */
let councilJudge: TaskRecord["judge"] = NO_COUNCIL_JUDGE;
const copiedTails = new Map<number, string>();
const copiedVerifyTails = new Map<number, string>();
const store = {
  findAttemptContext: async (id: number) => contexts.get(id),
  findLogTail: async (id: number) => copiedTails.get(id) ?? null,
  findVerifyTail: async (id: number) => copiedVerifyTails.get(id) ?? null,
  findRun: async () => {
    const attempts = [...contexts.values()].filter((c) => c.task.mode === "council").map((c) => c.attempt);
    const first = [...contexts.values()].find((c) => c.task.mode === "council")!;
    return { ...run, tasks: [{ ...first.task, judge: councilJudge, attempts }] };
  },
};

let home: string;
let server: http.Server;
let base: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "orch-page-"));
  const prompt = buildRetryPrompt({ taskPrompt, previous: { number: 1, agent: "codex", state: "failed", summary: "gave up </pre><img src=x>" }, requestedBy: "octocat", nonce: "def456" });
  put(attempt({ prompt, verifyState: "failed", autoRetry: 1, autoRetryLimit: 2, costUsd: 0.42, inputTokens: 1200, outputTokens: 300 }));
  put(attempt({ id: 8, host: "worker-2" }));
  put(attempt({ id: 9, host: "worker-3" }));
  put(attempt({ id: 11, host: "worker-3", state: "failed", verifyState: "failed", endedAt: new Date("2026-12-01T11:58:35Z") }));
  copiedVerifyTails.set(11, `FAIL dates.test.ts on worker-3\nAPI_KEY=${KNOWN_SECRET}`);
  put(attempt({ id: 10, state: "succeeded", pullRequestNumber: 5, pullRequestUrl: "javascript:alert(1)", headSha: "c".repeat(40), branch: 'orch/"><script>x</script>' }));
  copiedTails.set(9, `step 1 on worker-3\nexport API_KEY=${KNOWN_SECRET}`);
  put(attempt({ id: 20, taskId: 4, number: 1, state: "succeeded", headSha: "b".repeat(40), endedAt: new Date("2026-12-01T11:59:05Z"), diffStat: "2 files, +10 −1", summary: "Fixed <it>" }), "council");
  put(attempt({ id: 21, taskId: 4, number: 2, agent: "claude", state: "failed", endedAt: new Date("2026-12-01T11:59:35Z"), summary: `leaked ${KNOWN_SECRET}` }), "council");
  const files = getAttemptFiles(home, 7);
  fs.mkdirSync(files.dir, { recursive: true });
  fs.writeFileSync(files.logFile, `[orch] started codex\nreading <src/parser.ts> & friends\nexport API_KEY=${KNOWN_SECRET}\n\u001b[31mred\u001b[0m done\n`);
  fs.writeFileSync(files.verifyLogFile, "FAIL parser.test.ts\nexpected 1 got 2\n");
  const handler = createPageHandler({ store, home, host: "web-1", redactor: new Redactor({ known: [KNOWN_SECRET] }), secret, log: pino({ level: "silent" }) });
  server = http.createServer((request, response) => {
    void handler(request, response).then((handled) => handled || response.writeHead(404, { "x-fell-through": "1" }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(home, { recursive: true, force: true });
});

const page = (id: number, token = signAttemptToken(secret, id)) => fetch(`${base}/attempts/${id}?token=${encodeURIComponent(token)}`);

describe("the attempt page", () => {
  it("shows the attempt: state, agent, host, branch, timings, usage, verify with its output, auto-retry, log and prompt", async () => {
    const response = await page(7);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const body = await response.text();
    expect(body).toContain('class="state state-running" data-state="running">running</span>');
    for (const text of ["codex", "web-1", "orch/42/t1/a2", "2026-12-01 11:58:00 UTC", "2026-12-01 11:58:05 UTC", "$0.42 · 1,200 in / 300 out tokens", "1 of 2, started by orch", "FAIL parser.test.ts", "Keep the API stable.", "npm test"]) {
      expect(body).toContain(text);
    }
    expect(body).toContain("reading &#60;src/parser.ts&#62; &#38; friends\n");
    expect(body).toContain("red done\n");
  });

  it("redacts a secret planted in the log, in the issue text and in an agent's summary", async () => {
    const bodies = [await (await page(7)).text(), await (await page(20)).text()];
    for (const body of bodies) {
      expect(body).not.toContain(KNOWN_SECRET);
      expect(body).not.toContain(SHAPED_SECRET);
    }
    expect(bodies[0]).toContain("export API_KEY=[redacted]");
    expect(bodies[0]).toContain("my token is [redacted]");
    expect(bodies[1]).toContain("leaked [redacted]");
  });

  it("escapes the issue text, the title and summaries, drops bidi controls, and marks the issue text as untrusted", async () => {
    const body = await (await page(7)).text();
    expect(body).not.toContain("<script>alert");
    expect(body).not.toContain("<b>breaks</b>");
    expect(body).not.toContain("<img src=x>");
    expect(body).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(body).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(body).toContain("evil");
    const issue = /<figure class="untrusted"><figcaption>Untrusted text: the thread&#39;s title and text[^<]*<\/figcaption><pre class="block" tabindex="0">([^]*?)<\/pre>/.exec(body);
    expect(issue?.[1]).toContain("Please fix the parser.");
    expect(issue?.[1]).not.toContain("Keep the API stable.");
    expect(body).toMatch(/Untrusted text: written by an earlier attempt&#39;s agent[^<]*<\/figcaption><pre class="block" tabindex="0">gave up &#60;\/pre&#62;&#60;img src=x&#62;<\/pre>/);
  });

  it("links only http(s) URLs, and escapes a branch name in its link", async () => {
    const body = await (await page(10)).text();
    expect(body).not.toContain("javascript:");
    expect(body).toContain("#5");
    expect(body).not.toContain('"><script>x');
    expect(body).toContain("orch/&#34;&#62;&#60;script&#62;x&#60;/script&#62;");
  });

  it("sends a strict CSP with a fresh nonce, nosniff, no referrer and no caching", async () => {
    const [first, second] = [await page(7), await page(7)];
    const csp = first.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'; style-src 'nonce-[A-Za-z0-9+/=]+'; connect-src 'self'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toBe(second.headers.get("content-security-policy"));
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    const body = await first.text();
    expect(body.match(/<script nonce="([^"]+)">/)?.[1]).toBe(nonce);
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("referrer-policy")).toBe("no-referrer");
    expect(first.headers.get("cache-control")).toBe("no-store");
  });

  it("shows the tail another host copied, redacted, and follows it live", async () => {
    const body = await (await page(9)).text();
    expect(body).toContain("This attempt runs on host <code>worker-3</code>; this is the end of its log as that host copied it");
    expect(body).toContain("step 1 on worker-3\nexport API_KEY=[redacted]\n</pre>");
    expect(body).toContain(`"events":"9/events?token=${signAttemptToken(secret, 9)}&from=0"`);
    const running = contexts.get(9)!;
    contexts.set(9, { ...running, attempt: { ...running.attempt, state: "failed", endedAt: new Date("2026-12-01T11:58:35Z") } });
    try {
      const text = await (await fetch(`${base}/attempts/9/events?token=${signAttemptToken(secret, 9)}`)).text();
      expect(text).toContain(`event: tail\ndata: ${JSON.stringify({ lines: ["step 1 on worker-3", "export API_KEY=[redacted]"] })}`);
      expect(text).toMatch(/event: state\ndata: \{"state":"failed"[^]*event: end/);
    } finally {
      contexts.set(9, running);
    }
  });

  it("shows the verify output another host copied, redacted", async () => {
    const body = await (await page(11)).text();
    expect(body).toContain("FAIL dates.test.ts on worker-3\nAPI_KEY=[redacted]");
    expect(body).not.toContain(KNOWN_SECRET);
  });

  it("says where the log is for an attempt another host ran and copied nothing of", async () => {
    const body = await (await page(8)).text();
    expect(body).toContain("This attempt runs on host <code>worker-2</code>, and its log lies on that host's disk");
  });

  it("shows a council task's comparison as a table linking each attempt's page", async () => {
    const body = await (await page(20)).text();
    expect(body).toContain('<h2 id="council-heading">Council t1</h2>');
    expect(body).toContain(`<a href="21?token=${signAttemptToken(secret, 21)}">a2</a>`);
    expect(body).toContain("2 files, +10 −1");
    expect(body).toContain("Fixed &#60;it&#62;");
    expect(body).toContain("https://github.com/acme/widgets/compare/main...orch/42/t1/a2");
    expect(body).toContain("<code>/orch pick t1/a1</code>");
  });

  it("shows the judge's rank and reason for each attempt of a ranked council, redacted and escaped", async () => {
    councilJudge = {
      ...NO_COUNCIL_JUDGE,
      agent: "judge",
      state: "ranked",
      ranking: [
        { attempt: 2, reason: `<b>bold</b> but leaks ${KNOWN_SECRET}` },
        { attempt: 1, reason: "smaller diff" },
      ],
    };
    try {
      const body = await (await page(20)).text();
      expect(body).toContain('<th scope="col">Judge&#39;s rank</th>');
      expect(body).toMatch(/<th scope="row">.*a2<\/a><\/th><td>1<\/td>/);
      expect(body).toContain("&#60;b&#62;bold&#60;/b&#62; but leaks");
      expect(body).toContain("smaller diff");
      expect(body).not.toContain(KNOWN_SECRET);
    } finally {
      councilJudge = NO_COUNCIL_JUDGE;
    }
  });

  it.each([
    { name: "no token", url: "/attempts/7" },
    { name: "a tampered token", url: `/attempts/7?token=${signAttemptToken(secret, 7).slice(0, -2)}xx` },
    { name: "another attempt's token", url: `/attempts/7?token=${signAttemptToken(secret, 8)}` },
    { name: "an unknown attempt with its right token", url: `/attempts/999?token=${signAttemptToken(secret, 999)}` },
    { name: "the live log with a tampered token", url: `/attempts/7/events?token=x` },
    { name: "a path that is not an attempt", url: `/attempts/07?token=${signAttemptToken(secret, 7)}` },
  ])("answers 404, the same each time, for $name", async ({ url }) => {
    const response = await fetch(`${base}${url}`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("Not found: this attempt page does not exist, or the link is not complete.\n");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-fell-through")).toBeNull();
  });

  it("refuses a live log past the cap with 503, and takes one again once a stream has closed", async () => {
    const capped = createPageHandler({ store, home, host: "web-1", redactor: new Redactor(), secret, log: pino({ level: "silent" }), maxStreams: 1 });
    const cappedServer = http.createServer((request, response) => void capped(request, response));
    await new Promise<void>((resolve) => cappedServer.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(cappedServer.address() as AddressInfo).port}/attempts/7/events?token=${signAttemptToken(secret, 7)}`;
    try {
      const controller = new AbortController();
      const first = await fetch(url, { signal: controller.signal });
      expect(first.status).toBe(200);
      const second = await fetch(url);
      expect(second.status).toBe(503);
      expect(second.headers.get("retry-after")).toBe("10");
      controller.abort();
      await first.body?.cancel().catch(() => undefined);
      for (let tries = 0; ; tries++) {
        const again = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        if (again?.status === 200) {
          await again.body?.cancel();
          break;
        }
        if (tries > 100) throw new Error("the closed stream never freed its place");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      cappedServer.closeAllConnections();
      await new Promise((resolve) => cappedServer.close(resolve));
    }
  });

  it("leaves other paths to the next handler", async () => {
    const response = await fetch(`${base}/attemptsx/7`);
    expect(response.headers.get("x-fell-through")).toBe("1");
  });

  it("streams an ended attempt's log after the offset, redacted, then its state and the end", async () => {
    const ended = contexts.get(7)!;
    contexts.set(7, { ...ended, attempt: { ...ended.attempt, state: "succeeded", endedAt: new Date("2026-12-01T11:59:05Z") } });
    try {
      const response = await fetch(`${base}/attempts/7/events?token=${signAttemptToken(secret, 7)}&from=21`);
      expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      const text = await response.text();
      expect(text).toContain(`event: lines\ndata: ${JSON.stringify({ lines: ["reading <src/parser.ts> & friends", "export API_KEY=[redacted]", "red done"] })}`);
      expect(text).toContain('event: state\ndata: {"state":"succeeded","label":"succeeded","ended":"2026-12-01T11:59:05.000Z","duration":"1m"}');
      expect(text).toMatch(/event: end\ndata: \{\}\n\n$/);
      expect(text).not.toContain("[orch] started");
    } finally {
      contexts.set(7, ended);
    }
  });
});
