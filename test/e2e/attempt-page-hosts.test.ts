/**
 * The attempt page across hosts sharing PostgreSQL: the agent runs on a
 * worker, whose disk holds the log, and the page is opened on the web host.
 * The worker copies the log's redacted tail into the database
 * (pipeline/log-mirror.ts); the web host's page shows it and its live stream
 * sends it again as it changes, until the attempt ends; then the page shows
 * the verify output the worker copied.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import { issueCommentCreated } from "../fakes/events.js";
import type { AppProcess } from "../helpers/app-process.js";
import { APP_OWNER, APP_REPO } from "../helpers/app-process.js";
import { cleanupCluster, clusterOutput, homeOf, prepareCluster, startHost, type Cluster } from "../helpers/cluster.js";
import { waitFor } from "../helpers/wait-for.js";

const PUBLIC_URL = "https://orch.example.test";
let cluster: Cluster;
let web: AppProcess;

beforeAll(async () => {
  cluster = await prepareCluster({
    hosts: [{ id: "web-1", role: "web" }, { id: "worker-1", role: "worker" }],
    agents: { claude: "slow-printer.sh" },
    maxRunning: 2,
    hostTtl: "30s",
    env: { ORCH_PUBLIC_URL: PUBLIC_URL },
  });
  [web] = await Promise.all([startHost(cluster, "web-1"), startHost(cluster, "worker-1")]);
});
afterAll(async () => {
  if (cluster) await cleanupCluster(cluster);
});

/** Reads server-sent events from `url` until `done` says the text so far is enough (or the stream ends). */
async function readEvents(url: string, done: (text: string) => boolean): Promise<string> {
  const response = await fetch(url);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done: ended } = await reader.read();
    if (value) text += decoder.decode(value, { stream: true });
    if (ended || done(text)) break;
  }
  await reader.cancel();
  return text;
}

describe("the attempt page of an attempt on another host", () => {
  it("shows the log tail the worker copied and follows it live to the end", async () => {
    onTestFailed(() => void process.stderr.write(`${clusterOutput(cluster)}\n`));
    cluster.github.threads.set(60, { state: "open", title: "Week dates", body: "Parse 2026-W49-2" });
    // Its output is not its command's text, which the page shows too.
    cluster.github.repoConfig = ["verify:", `  run: "printf 'verify %s on the worker\\\\n' ran"`].join("\n");
    await web.deliver("issue_comment", issueCommentCreated({ owner: APP_OWNER, repo: APP_REPO, number: 60, body: "/orch dispatch", title: "Week dates", issueBody: "Parse 2026-W49-2" }));
    const pageUrl = await waitFor(() => cluster.github.checkRuns[0]?.details_url, "the check run");
    const attemptId = Number(/\/attempts\/(\d+)/.exec(pageUrl)![1]);
    const onWeb = `${web.url}${pageUrl.slice(PUBLIC_URL.length)}`;
    await waitFor(async () => (await cluster.store.findLogTail(attemptId))?.includes("step 1 of 2 done"), "the worker's first copy");

    const body = await (await fetch(onWeb)).text();
    expect(body).toContain("This attempt runs on host <code>worker-1</code>; this is the end of its log as that host copied it");
    expect(body).toContain("Plan: accept ISO week dates (2026-W49-2) besides calendar dates\nstep 1 of 2 done\n");
    expect(body).not.toContain("Editing src/dates.js");

    const { ioDir } = getAttemptFiles(homeOf(cluster, "worker-1"), attemptId);
    const eventsUrl = `${web.url}/attempts/${attemptId}/events?${new URL(pageUrl).searchParams}`;
    let step = 0;
    const events = await readEvents(
      eventsUrl,
      (text) => {
        // Let the agent go on once the stream has shown where it is, each step in turn.
        if (step === 0 && text.includes("step 1 of 2 done")) fs.writeFileSync(path.join(ioDir, "more-1"), String(++step));
        if (step === 1 && text.includes("step 2 of 2 done")) fs.writeFileSync(path.join(ioDir, "more-2"), String(++step));
        return text.includes("event: end");
      },
    );
    expect(events).toContain("event: tail");
    expect(events).toContain("Running the tests: 48 passed, 0 failed");
    expect(events).toContain("All done: the change is ready for review");
    expect(events).toMatch(/event: state\ndata: \{"state":"succeeded"[^]*event: end/);

    // Its verify ran on the worker too: the web host's page shows the output the worker copied.
    const ended = await (await fetch(onWeb)).text();
    expect(ended).toContain("verify ran on the worker");
    expect(fs.existsSync(getAttemptFiles(homeOf(cluster, "web-1"), attemptId).verifyLogFile)).toBe(false);
  });
});
