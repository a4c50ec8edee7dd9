/**
 * Hostile names and text: a clear reply, no state change, and no path
 * outside ORCH_HOME. Then a property test: thousands of random and hostile
 * comment bodies through the real handler change state only through valid
 * commands by permitted users, and never crash orch.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseComment } from "../../src/commands/parse.js";
import { openDb, type Db } from "../../src/store/db.js";
import { issueCommentCreated } from "../fakes/events.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness;
let db: Db | undefined;

beforeAll(async () => {
  h = await startHarness({ agents: { committer: fixtureAgent("commit-file.sh"), failing: fixtureAgent("fail.sh") } });
});
afterAll(async () => {
  await db?.$disconnect();
  await h?.close();
});

/** Every run and attempt in the database, counted directly. */
async function countRows() {
  db ??= await openDb(h.databaseUrl);
  const [runs, attempts, threads] = await Promise.all([db.run.count(), db.attempt.count(), db.thread.count()]);
  return { runs, attempts, threads };
}

describe("hostile names", () => {
  it.each([
    { name: "path traversal as a task", body: "/orch retry ../x", reply: "is not a task key" },
    { name: "an option as an agent", body: "/orch dispatch -rf", reply: "is not an agent name" },
    { name: "shell syntax as an agent", body: "/orch dispatch ;rm", reply: "is not an agent name" },
    { name: "command substitution", body: "/orch dispatch $(id)", reply: "is not an agent name" },
    { name: "a very long agent name", body: `/orch dispatch ${"a".repeat(300)}`, reply: "is not an agent name" },
    { name: "a unicode lookalike agent", body: "/orch dispatch сodex", reply: "is not an agent name" },
    { name: "an unknown but well-formed agent", body: "/orch dispatch x".padEnd(20, "y"), reply: "there is no agent" },
    { name: "a task that does not exist", body: "/orch cleanup t999", reply: "there is no orch run on this thread yet" },
  ])("$name: replies and changes nothing", async ({ body, reply }) => {
    const before = fs.readdirSync(h.root).sort();
    const rows = await countRows();
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number: 900, body }));
    expect(h.github.repliesOn(900).at(-1)!.body).toContain(reply);
    expect(await countRows()).toEqual(rows);
    expect(fs.readdirSync(h.root).sort()).toEqual(before);
    expect(fs.existsSync(path.join(h.home, "worktrees"))).toBe(false);
  });

  it("ignores a payload whose repository name is not one GitHub allows", async () => {
    const payload = issueCommentCreated({ ...target, number: 901, body: "/orch dispatch" });
    payload.repository.name = "../../etc";
    const requests = h.github.requests.length;
    await h.deliver("issue_comment", payload);
    expect(h.github.requests.length).toBe(requests);
    expect(await h.store.findThread({ owner: OWNER, repo: "../../etc", number: 901 })).toBeUndefined();
  });
});

describe("fuzzing the comment handler", () => {
  it("10,000 random and hostile bodies: no crash, no unhandled rejection, state changes only from valid commands by permitted users", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    // Attempts stay queued: the property is about what the handler records, not agents.
    await h.orch.stop();
    h.github.permissions.set("outsider", "read");

    const verbs = ["dispatch", "run", "retry", "reassign", "cancel", "cleanup", "status", "help", "DISPATCH", "retyr", ""];
    const args = ["", "t1", "t2", "t0", "committer", "failing", "nobody", "--run", "--", "-- fix it", "../x", "-rf", ";", "$(id)", "\u0000", "é", "```", "> "];
    const commandLine = fc
      .tuple(fc.constantFrom("/orch", "/ORCH", " /orch", "／orch", "/orchestra", "> /orch", "    /orch"), fc.constantFrom(...verbs), fc.array(fc.constantFrom(...args), { maxLength: 4 }))
      .map(([prefix, verb, rest]) => [prefix, verb, ...rest].join(" "));
    const body = fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
      { weight: 4, arbitrary: fc.array(fc.oneof(commandLine, fc.string({ maxLength: 40 }), fc.constantFrom("```", "~~~", "<!--", "-->", "")), { maxLength: 6 }).map((lines) => lines.join(fc.sample(fc.constantFrom("\n", "\r\n"), 1)[0])) },
    );
    const sender = fc.constantFrom("octocat", "outsider");
    let deliveries = 0;
    const knownAgents = new Set(["committer", "failing"]);

    await fc.assert(
      fc.asyncProperty(body, sender, async (text, who) => {
        const before = await countRows();
        const results = parseComment(text);
        const permitted = who === "octocat";
        const expectedNewRuns = permitted
          ? results.filter((r) => r.kind === "command" && r.command.verb === "dispatch" && knownAgents.has(r.command.agent ?? "committer")).length
          : 0;
        await h.receive("issue_comment", issueCommentCreated({ ...target, number: 902, body: text, sender: who }), `fuzz-${deliveries++}`);
        await h.orch.whenIdle();
        const after = await countRows();
        expect(after.runs - before.runs).toBe(expectedNewRuns);
        expect(after.threads - before.threads).toBe(before.threads === 0 && expectedNewRuns > 0 ? 1 : 0);
        if (!permitted || results.every((r) => r.kind === "error" || !["dispatch", "retry", "reassign"].includes(r.command.verb))) {
          expect(after.attempts - before.attempts).toBe(expectedNewRuns);
        }
      }),
      { numRuns: 10_000, seed: 20261125 },
    );

    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
    expect(h.github.unexpected).toEqual([]);
    expect(deliveries).toBe(10_000);
  }, 300_000);
});
