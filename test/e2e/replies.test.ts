import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCommentCreated } from "../fakes/events.js";
import { fixtureAgent, OWNER, REPO, startHarness, type Harness } from "../helpers/orch-harness.js";

const target = { owner: OWNER, repo: REPO };
let h: Harness;
let nextNumber = 100;

beforeAll(async () => {
  h = await startHarness({ agents: { codex: fixtureAgent("commit-file.sh"), claude: fixtureAgent("fail.sh") }, defaultAgent: "codex" });
});
afterAll(async () => {
  await h?.close();
});

async function comment(body: string, extra: Partial<Parameters<typeof issueCommentCreated>[0]> = {}) {
  const number = nextNumber++;
  await h.deliver("issue_comment", issueCommentCreated({ ...target, number, body, ...extra }));
  return number;
}

async function runsOn(number: number) {
  const thread = await h.store.findThread({ ...target, number });
  return thread ? (await h.store.getThreadView({ threadId: thread.id, maxRuns: 10 })).runs : [];
}

describe("replies to commands", () => {
  it("answers /orch help with the usage of every verb and the server's agents", async () => {
    const number = await comment("/orch help");
    const [reply] = h.github.repliesOn(number);
    expect(reply!.body).toMatch(/^@octocat here is what orch understands/);
    for (const usage of ["/orch dispatch [AGENT] [-- INSTRUCTIONS]", "/orch retry [TASK] [-- FEEDBACK]", "/orch cancel [TASK | --run]", "/orch status"]) {
      expect(reply!.body).toContain(usage);
    }
    expect(reply!.body).toContain("`codex` (default)");
    expect(h.github.reactions.at(-1)).toMatchObject({ content: "eyes" });
    expect(await runsOn(number)).toEqual([]);
  });

  it("answers an unknown verb with a suggestion and records nothing", async () => {
    const number = await comment("/orch dispatc claude");
    const [reply] = h.github.repliesOn(number);
    expect(reply!.body).toContain("Did you mean `/orch dispatch`?");
    expect(reply!.body).toContain("<details><summary>Your command</summary>");
    expect(await runsOn(number)).toEqual([]);
    expect(await h.store.findThread({ ...target, number })).toBeUndefined();
  });

  it("answers an unknown agent with the known ones and records nothing", async () => {
    const number = await comment("/orch dispatch gpt9");
    const [reply] = h.github.repliesOn(number);
    expect(reply!.body).toBe(
      "@octocat there is no agent `gpt9` on this server. Known agents: `claude`, `codex` (default).\n\n<details><summary>Your command</summary>\n\n```text\n/orch dispatch gpt9\n```\n\n</details>",
    );
    expect(await h.store.findThread({ ...target, number })).toBeUndefined();
    expect(h.github.checkRuns.filter((run) => run.details_url?.endsWith(`/${number}`))).toEqual([]);
  });

  it("ignores comments without commands, quoted commands, and comments by bots", async () => {
    const before = h.github.requests.length;
    await comment("Thanks! I'll /orch dispatch later.");
    await comment("> /orch dispatch\n\nI agree with the above");
    await comment("/orch dispatch", { sender: "orch[bot]", senderType: "Bot" });
    expect(h.github.requests.slice(before)).toEqual([]);
  });

  it("refreshes the status comment on /orch status, and says so when there is no run", async () => {
    const lonely = await comment("/orch status");
    expect(h.github.repliesOn(lonely)[0]!.body).toContain("there is no orch run on this thread yet");

    const number = await comment("/orch dispatch");
    const [status] = h.github.statusCommentsOn(number);
    const edits = status!.edits;
    await h.deliver("issue_comment", issueCommentCreated({ ...target, number, body: "/orch status" }));
    expect(h.github.statusCommentsOn(number)).toHaveLength(1);
    expect(h.github.statusCommentsOn(number)[0]!.edits).toBe(edits + 1);
    expect(h.github.repliesOn(number)).toEqual([]);
  });

  it("runs several commands of one comment and answers them in one reply", async () => {
    const number = await comment("/orch help status\n/orch cancel\n/orch bogus");
    const replies = h.github.repliesOn(number);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("`/orch status`: post or refresh the status comment.");
    expect(replies[0]!.body).toContain("there is no orch run on this thread yet");
    expect(replies[0]!.body).toContain("`bogus` is not an orch command");
  });

  it("refuses to dispatch on a closed issue", async () => {
    const number = await comment("/orch dispatch", { state: "closed" });
    expect(h.github.repliesOn(number)[0]!.body).toContain("this issue is closed; reopen it to dispatch an agent.");
    expect(await runsOn(number)).toEqual([]);
  });

  it("does the work of a redelivered webhook once", async () => {
    const number = nextNumber++;
    const payload = issueCommentCreated({ ...target, number, body: "/orch dispatch" });
    await Promise.all(Array.from({ length: 10 }, () => h.deliver("issue_comment", payload, "delivery-redelivered")));
    const runs = await runsOn(number);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.tasks[0]!.attempts).toHaveLength(1);
    expect(h.github.statusCommentsOn(number)).toHaveLength(1);
  });
});
