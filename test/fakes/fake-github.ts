/**
 * A recording fake of the part of GitHub's REST API orch uses, served through
 * nock on https://api.github.com (network access stays disabled). It keeps
 * state like GitHub would (comments, check runs, pull requests), so tests
 * assert on effects: "the status comment was created once and edited", "the
 * check run ended success". A request it does not know is answered 404 and
 * recorded in `unexpected`, which tests expect to stay empty.
 */
import nock from "nock";

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id: string;
  status: string;
  conclusion?: string;
  output?: { title: string; summary: string; text?: string };
  actions?: { label: string; identifier: string; description: string }[];
  details_url?: string;
  /** Every state it was created or updated with, in order. */
  history: { status: string; conclusion?: string }[];
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  edits: number;
}

export interface FakePullRequest {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  html_url: string;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  times: number;
  headers?: Record<string, string>;
  /** Do what was asked, then answer with the fault anyway (the response was lost on the way). */
  afterApplying?: boolean;
}

export const INSTALLATION_TOKEN = "ghs_fakeInstallationToken0123456789abcdef";

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: RecordedRequest[] = [];
  readonly comments: FakeComment[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly pulls: FakePullRequest[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly removedLabels: { issueNumber: number; name: string }[] = [];
  tokenExchanges = 0;
  /** Permission answered for each user; everyone else has "write". */
  readonly permissions = new Map<string, string>();
  /** Issues and pull requests by number, for GET issue / pull. */
  readonly threads = new Map<number, { state: string; title: string; body: string; headRef?: string; headSha?: string; headRepo?: string; baseRef?: string }>();
  /** `.github/orch.yml` of the repository; undefined answers 404. */
  repoConfig: string | undefined;
  /** What GET /app (the app's JWT) answers: the app's id and slug. */
  app = { id: 123, slug: "orch-test", name: "orch test" };
  private readonly faults: Fault[] = [];
  private nextId = 9_000_000_001;

  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {}

  /** Starts answering; call nock.cleanAll() (or stop()) afterwards. */
  start(): this {
    const scope = nock("https://api.github.com").persist();
    for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"] as const) {
      scope.intercept(/.*/, method).reply((uri, body) => this.handle(method, uri, body));
    }
    return this;
  }

  stop(): void {
    nock.cleanAll();
  }

  /** The next `times` requests matching method and path fail with `status` (502, 403 for a secondary rate limit, …). */
  failNext(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  commentsOn(issueNumber: number): FakeComment[] {
    return this.comments.filter((c) => c.issueNumber === issueNumber);
  }

  /** Comments that are not the status comment: orch's replies. */
  repliesOn(issueNumber: number): FakeComment[] {
    return this.commentsOn(issueNumber).filter((c) => !c.body.includes("<!-- orch:status -->"));
  }

  statusCommentsOn(issueNumber: number): FakeComment[] {
    return this.commentsOn(issueNumber).filter((c) => c.body.includes("<!-- orch:status -->"));
  }

  /**
   * Answers one request the way start() does, without nock: `uri` is the path
   * (and query) under the API root, `body` the raw request body. Used by
   * github-server.ts to serve this fake over real HTTP.
   */
  route(method: string, uri: string, body: unknown): [number, unknown, Record<string, string>?] {
    return this.handle(method, uri, body);
  }

  private id(): number {
    return this.nextId++;
  }

  private handle(method: string, uri: string, rawBody: unknown): [number, unknown, Record<string, string>?] {
    const url = new URL(uri, "https://api.github.com");
    const path = decodeURIComponent(url.pathname);
    const body = typeof rawBody === "string" && rawBody ? safeJson(rawBody) : rawBody;
    const request = { method, path, body };
    this.requests.push(request);
    const fault = this.faults.find((f) => f.method === method && f.path.test(path) && f.times > 0);
    if (fault) {
      fault.times -= 1;
      if (fault.afterApplying) this.answer(request, url.searchParams);
      return [fault.status, { message: `fake fault ${fault.status}` }, fault.headers];
    }
    return this.answer(request, url.searchParams);
  }

  private answer(request: RecordedRequest, query: URLSearchParams): [number, unknown, Record<string, string>?] {
    const { method, path, body } = request;
    const repoPrefix = `/repos/${this.owner}/${this.repo}`;
    let match: RegExpMatchArray | null;

    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      this.tokenExchanges += 1;
      return [201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} }];
    }
    if (method === "GET" && path === "/app") return [200, this.app];
    // Probot's config reader falls back to the owner's .github repository.
    if (method === "GET" && path === `/repos/${this.owner}/.github/contents/.github/orch.yml`) {
      return [404, { message: "Not Found" }];
    }
    if (!path.startsWith(`${repoPrefix}/`)) return this.unknown(request);
    const rest = path.slice(repoPrefix.length);

    if (method === "GET" && (match = rest.match(/^\/collaborators\/([^/]+)\/permission$/))) {
      const permission = this.permissions.get(match[1]!) ?? "write";
      const legacy = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
      return [200, { permission: legacy, role_name: permission, user: { login: match[1] } }];
    }
    if (method === "POST" && (match = rest.match(/^\/issues\/comments\/(\d+)\/reactions$/))) {
      this.reactions.push({ commentId: Number(match[1]), content: (body as { content: string }).content });
      return [201, { id: this.id(), content: (body as { content: string }).content }];
    }
    if (method === "POST" && (match = rest.match(/^\/pulls\/comments\/(\d+)\/reactions$/))) {
      this.reactions.push({ commentId: Number(match[1]), content: (body as { content: string }).content });
      return [201, { id: this.id(), content: (body as { content: string }).content }];
    }
    if (method === "POST" && (match = rest.match(/^\/issues\/(\d+)\/comments$/))) {
      const comment = { id: this.id(), issueNumber: Number(match[1]), body: (body as { body: string }).body, edits: 0 };
      this.comments.push(comment);
      return [201, { id: comment.id, body: comment.body, html_url: `https://github.com${repoPrefix}/issues/${match[1]}#issuecomment-${comment.id}` }];
    }
    if (method === "PATCH" && (match = rest.match(/^\/issues\/comments\/(\d+)$/))) {
      const comment = this.comments.find((c) => c.id === Number(match![1]));
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = (body as { body: string }).body;
      comment.edits += 1;
      return [200, { id: comment.id, body: comment.body }];
    }
    if (method === "GET" && (match = rest.match(/^\/commits\/([0-9a-f]+)\/check-runs$/))) {
      const runs = this.checkRuns.filter((run) => run.head_sha === match![1] && (!query.get("check_name") || run.name === query.get("check_name")));
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    if (method === "POST" && rest === "/check-runs") {
      const input = body as Omit<FakeCheckRun, "id" | "history">;
      const run: FakeCheckRun = { ...input, id: this.id(), history: [{ status: input.status, conclusion: input.conclusion }] };
      this.checkRuns.push(run);
      return [201, { id: run.id, status: run.status, name: run.name }];
    }
    if (method === "PATCH" && (match = rest.match(/^\/check-runs\/(\d+)$/))) {
      const run = this.checkRuns.find((r) => r.id === Number(match![1]));
      if (!run) return [404, { message: "Not Found" }];
      Object.assign(run, body);
      run.history.push({ status: run.status, conclusion: run.conclusion });
      return [200, { id: run.id, status: run.status, conclusion: run.conclusion }];
    }
    if (method === "POST" && rest === "/pulls") {
      const input = body as { head: string; base: string; title: string; body: string; draft?: boolean };
      const number = 1000 + this.pulls.length + 1;
      const pull = { ...input, draft: input.draft ?? false, number, html_url: `https://github.com${repoPrefix}/pull/${number}` };
      this.pulls.push(pull);
      return [201, { number, html_url: pull.html_url, head: { ref: input.head }, base: { ref: input.base } }];
    }
    if (method === "GET" && (match = rest.match(/^\/pulls\/(\d+)$/))) {
      const thread = this.threads.get(Number(match[1]));
      if (!thread) return [404, { message: "Not Found" }];
      return [
        200,
        {
          number: Number(match[1]),
          state: thread.state,
          title: thread.title,
          body: thread.body,
          head: { ref: thread.headRef, sha: thread.headSha, repo: { full_name: thread.headRepo ?? `${this.owner}/${this.repo}` } },
          base: { ref: thread.baseRef ?? "main" },
        },
      ];
    }
    if (method === "GET" && (match = rest.match(/^\/issues\/(\d+)$/))) {
      const number = Number(match[1]);
      const thread = this.threads.get(number);
      if (!thread) return [404, { message: "Not Found" }];
      return [
        200,
        {
          number,
          state: thread.state,
          title: thread.title,
          body: thread.body,
          html_url: `https://github.com${repoPrefix}/issues/${number}`,
          ...(thread.headRef ? { pull_request: { url: `https://api.github.com${repoPrefix}/pulls/${number}` } } : {}),
        },
      ];
    }
    if (method === "DELETE" && (match = rest.match(/^\/issues\/(\d+)\/labels\/(.+)$/))) {
      this.removedLabels.push({ issueNumber: Number(match[1]), name: match[2]! });
      return [200, []];
    }
    if (method === "GET" && rest === "/contents/.github/orch.yml") {
      if (this.repoConfig === undefined) return [404, { message: "Not Found" }];
      return [200, this.repoConfig, { "content-type": "text/plain; charset=utf-8" }];
    }
    return this.unknown(request);
  }

  private unknown(request: RecordedRequest): [number, unknown] {
    this.unexpected.push(request);
    return [404, { message: `fake GitHub does not know ${request.method} ${request.path}` }];
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
