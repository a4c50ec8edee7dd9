/**
 * The attempt page in the real app (`node --import tsx src/main.ts`, as
 * test/helpers/app-process.ts starts it) with ORCH_PUBLIC_URL set: every
 * check run's Details link and the status comment's attempt number are the
 * page's URL, the link opens the page, and a tampered token gets a 404.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { APP_OWNER, APP_REPO, cleanupApp, prepareApp, startApp, type AppProcess, type AppSetup } from "../helpers/app-process.js";
import { waitFor } from "../helpers/wait-for.js";

const PUBLIC_URL = "https://orch.example.test/tools";
const target = { owner: APP_OWNER, repo: APP_REPO };
let server: FakeGitHubServer;
let setup: AppSetup;
let app: AppProcess;

beforeAll(async () => {
  server = await serveFakeGitHub(new FakeGitHub(APP_OWNER, APP_REPO));
  setup = await prepareApp({ github: server, agents: { committer: "commit-file.sh" }, env: { ORCH_PUBLIC_URL: `${PUBLIC_URL}/` } });
  app = await startApp(setup);
});
afterAll(async () => {
  if (setup) await cleanupApp(setup);
  await server?.close();
});

/** The page URL as the proxy in front of orch would pass it on: the public path prefix stripped. */
function onApp(pageUrl: string): string {
  return `${app.url}${pageUrl.slice(PUBLIC_URL.length)}`;
}

describe("the attempt page, whole app", () => {
  beforeEach(() => {
    onTestFailed(() => void process.stderr.write(`--- orch output ---\n${app.output()}\n`));
  });

  it("is every check run's details link and the status comment's attempt link, and opens with its token only", async () => {
    const { github } = server;
    github.threads.set(31, { state: "open", title: "Add a changelog", body: "Please add CHANGELOG.md <b>soon</b>" });
    await app.deliver("issue_comment", issueCommentCreated({ ...target, number: 31, body: "/orch dispatch", title: "Add a changelog", issueBody: "Please add CHANGELOG.md <b>soon</b>" }));
    const ended = await waitFor(() => github.checkRuns.filter((run) => run.status === "completed").length >= 2 && github.checkRuns, "the check runs to complete");

    const urls = new Set(ended.map((run) => run.details_url));
    expect(urls.size).toBe(1);
    const [pageUrl] = [...urls] as string[];
    expect(pageUrl).toMatch(new RegExp(`^${PUBLIC_URL.replace(/[.]/g, "\\.")}/attempts/\\d+\\?token=[A-Za-z0-9_-]{43}$`));
    const status = await waitFor(() => github.statusCommentsOn(31).find((comment) => comment.body.includes("succeeded")), "the status comment to show the end");
    expect(status.body).toContain(`| t1 | [1](${pageUrl}) |`);

    const response = await fetch(onApp(pageUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await response.text();
    expect(body).toContain('data-state="succeeded">succeeded</span>');
    expect(body).toContain("commit-file: committed orch-agent.txt");
    expect(body).toContain("Please add CHANGELOG.md &#60;b&#62;soon&#60;/b&#62;");
    expect(body).toContain("acme/widgets#31");

    const tampered = await fetch(onApp(pageUrl.replace(/.$/, (c) => (c === "A" ? "B" : "A"))));
    expect(tampered.status).toBe(404);
    const untokened = await fetch(onApp(pageUrl.replace(/\?token=.*$/, "")));
    expect(untokened.status).toBe(404);
    expect(await untokened.text()).toBe(await tampered.text());
  });
});
