/**
 * After a full dispatch (fetch, push, pull request), the installation token
 * and the app's private key appear nowhere: not in a log line, a database
 * row, a file under ORCH_HOME, a request body sent to GitHub, or the
 * agent's environment.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getAttemptFiles } from "../../src/pipeline/attempt-files.js";
import { INSTALLATION_TOKEN } from "../fakes/fake-github.js";
import { issueCommentCreated } from "../fakes/events.js";
import { listRemoteBranches } from "../helpers/git-remote.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("secrets", () => {
  it("never leave orch: logs, rows, files, request bodies and the agent's environment are clean", async () => {
    const privateKey = fs.readFileSync(new URL("../fixtures/mock-cert.pem", import.meta.url), "utf8");
    const keyLine = privateKey.split("\n")[5]!;
    const orchEnvToken = "ghp_orchOwnEnvironmentToken000000000000";
    h = await startHarness({
      agents: { committer: fixtureAgent("commit-file.sh"), envdump: fixtureAgent("print-env.sh") },
      env: { GITHUB_TOKEN: orchEnvToken, PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "webhook-secret-value" },
    });
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 1, body: "/orch dispatch committer" }));
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 2, body: "/orch dispatch envdump" }));

    // The token was really used: the branch was pushed and a pull request opened.
    expect(h.github.tokenExchanges).toBe(1);
    expect(await listRemoteBranches(h.remote.barePath)).toContain("orch/1/t1/a1");
    expect(h.github.pulls).toHaveLength(1);

    const secrets = [
      INSTALLATION_TOKEN,
      Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString("base64"),
      keyLine,
      orchEnvToken,
      "webhook-secret-value",
    ];
    const expectClean = (where: string, text: string) => {
      for (const secret of secrets) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
    };

    expect(h.logs.length).toBeGreaterThan(10);
    h.logs.forEach((line, i) => expectClean(`log line ${i}`, line));
    for (const request of h.github.requests) expectClean(`${request.method} ${request.path}`, JSON.stringify(request.body ?? ""));
    for (const comment of h.github.comments) expectClean(`comment ${comment.id}`, comment.body);

    const dbFile = h.databaseUrl.slice("file:".length);
    for (const file of [dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f))) expectClean(file, fs.readFileSync(file, "latin1"));
    const db = await (await import("../../src/store/db.js")).openDb(h.databaseUrl);
    for (const table of ["Thread", "Run", "Task", "Attempt", "Delivery"]) {
      const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`);
      expect(rows.length, `${table} has rows`).toBeGreaterThan(0);
      expectClean(`table ${table}`, JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v)));
    }
    await db.$disconnect();

    for (const file of filesUnder(h.home)) expectClean(file, fs.readFileSync(file, "latin1"));

    const thread = await h.store.findThread({ ...target, number: 2 });
    const attempt = (await h.store.findRun({ threadId: thread!.id }))!.tasks[0]!.attempts[0]!;
    const agentEnv = fs.readFileSync(path.join(getAttemptFiles(h.home, attempt.id).ioDir, "env.txt"), "utf8");
    expect(agentEnv).toContain(`ORCH_ATTEMPT_ID=${attempt.id}`);
    expectClean("the agent's environment", agentEnv);
    expect(agentEnv).not.toMatch(/^(GITHUB_TOKEN|GH_TOKEN|PRIVATE_KEY|WEBHOOK_SECRET|DATABASE_URL|GIT_CONFIG_\w+)=/m);
  });
});
