import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCommandWorld, OWNER, REPO, type CommandWorld } from "../../test/fakes/command-world.js";
import type { ThreadRecord } from "../store/records.js";
import { handleRequest } from "./handle-request.js";
import type { OrchRequest, ThreadRef } from "./request.js";

let world: CommandWorld;
let deliveries = 0;
let nextNumber = 1;

beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(() => {
  world.github.replies.length = 0;
  world.github.reactions.length = 0;
  world.github.removedLabels.length = 0;
  world.github.repoConfig = undefined;
  world.github.permissions.set("maintainer", "write");
});

function threadRef(thread: ThreadRecord | number, isOpen = true): ThreadRef {
  const number = typeof thread === "number" ? thread : thread.number;
  return { number, kind: "issue", title: `Thread ${number}`, body: "", url: `https://github.com/${OWNER}/${REPO}/issues/${number}`, isOpen };
}

const from = { installationId: 1, owner: OWNER, repo: REPO, defaultBranch: "main", sender: "maintainer" };

function comment(body: string, thread: ThreadRecord | number = nextNumber++, extra: Partial<OrchRequest> = {}): OrchRequest {
  return { ...from, deliveryId: `d${++deliveries}`, kind: "comment", thread: threadRef(thread), body, commentId: 77, isReviewComment: false, ...extra } as OrchRequest;
}

async function runsOn(number: number) {
  const thread = await world.store.findThread({ owner: OWNER, repo: REPO, number });
  return thread ? (await world.store.getThreadView({ threadId: thread.id, maxRuns: 10 })).runs : [];
}

describe("handleRequest: a comment", () => {
  it("acknowledges it, runs its commands and answers them in one reply", async () => {
    const request = comment("/orch dispatch\n/orch frobnicate");
    await handleRequest(world.deps, request);
    expect(world.github.reactions).toEqual([{ commentId: 77, isReviewComment: false }]);
    expect(await runsOn(request.kind === "comment" ? request.thread.number : 0)).toHaveLength(1);
    expect(world.github.replies).toHaveLength(1);
    expect(world.github.replies[0]).toContain("`frobnicate` is not an orch command");
  });

  it("does nothing for a comment without commands: no reaction, no delivery recorded", async () => {
    const request = comment("thanks, looks good");
    await handleRequest(world.deps, request);
    expect(world.github.reactions).toEqual([]);
    expect(await world.store.recordDelivery({ id: request.deliveryId, event: "comment" })).toBe(true);
  });

  it("does a redelivered webhook's work once", async () => {
    const request = comment("/orch dispatch");
    await handleRequest(world.deps, request);
    await handleRequest(world.deps, request);
    expect(world.github.reactions).toHaveLength(1);
    expect(await runsOn(request.kind === "comment" ? request.thread.number : 0)).toHaveLength(1);
  });

  it("drops a repository name orch would not put in a path, recording nothing", async () => {
    const request = { ...comment("/orch dispatch"), repo: "../../etc" } as OrchRequest;
    await handleRequest(world.deps, request);
    expect(world.github.reactions).toEqual([]);
    expect(await world.store.findThread({ owner: OWNER, repo: "../../etc", number: 1 })).toBeUndefined();
  });

  it.each([
    { permission: "read" as const, minimum: undefined, refused: "only people with write permission (or higher) on this repository can command orch, and yours is read." },
    { permission: "write" as const, minimum: "maintain", refused: "only people with maintain permission (or higher) on this repository can command orch, and yours is write." },
  ])("refuses $permission below the bar ($minimum), and changes nothing", async ({ permission, minimum, refused }) => {
    world.github.permissions.set("maintainer", permission);
    if (minimum) world.github.repoConfig = { min_permission: minimum };
    const request = comment("/orch dispatch");
    await handleRequest(world.deps, request);
    expect(world.github.replies).toEqual([expect.stringContaining(refused)]);
    expect(await runsOn(request.kind === "comment" ? request.thread.number : 0)).toEqual([]);
  });

  it("names the bad keys of .github/orch.yml, then runs the command on the defaults", async () => {
    world.github.repoConfig = { default_agent: "nobody", colour: "blue" };
    const request = comment("/orch dispatch");
    await handleRequest(world.deps, request);
    expect(world.github.replies[0]).toMatch(/^⚠️ `\.github\/orch\.yml` is invalid, so orch is using its defaults/);
    expect(world.github.replies[0]).toContain("colour");
    const [run] = await runsOn(request.kind === "comment" ? request.thread.number : 0);
    expect(run?.tasks[0]?.attempts[0]?.agent).toBe("codex");
  });

  it("says .github/orch.yml is not YAML when it cannot be parsed", async () => {
    world.github.repoConfig = new Error("Configuration could not be parsed from .github/orch.yml (invalid YAML)");
    await handleRequest(world.deps, comment("/orch help"));
    expect(world.github.replies[0]).toContain("- it is not valid YAML");
  });

  it("refuses to start work on a closed thread, but still cancels", async () => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "running" }] }] });
    const closed = { ...comment("/orch retry\n/orch cancel", thread), thread: threadRef(thread, false) } as OrchRequest;
    await handleRequest(world.deps, closed);
    expect(world.github.replies[0]).toContain("this issue is closed; reopen it to start another attempt.");
    expect(world.github.replies[0]).toContain("cancelled attempt 1 (`codex`) of `t1`.");
  });

  it("answers a verb that fails inside orch with an internal error, the details only in the log", async () => {
    const failing = { ...world.deps, store: { ...world.store, findRun: async () => Promise.reject(new Error("database is down: password=hunter2")) } };
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    await handleRequest(failing, comment("/orch retry", thread));
    expect(world.github.replies).toEqual([expect.stringContaining("orch hit an internal error running this command; the server log has the details.")]);
    expect(world.github.replies[0]).not.toContain("hunter2");
  });
});

describe("handleRequest: a label", () => {
  const label = (name: string, thread: ThreadRecord | number): OrchRequest => ({
    ...from,
    deliveryId: `d${++deliveries}`,
    kind: "label",
    thread: threadRef(thread),
    label: name,
  });

  it("the dispatch label dispatches with the default agent and is removed", async () => {
    const number = nextNumber++;
    await handleRequest(world.deps, label("orch:dispatch", number));
    expect(world.github.removedLabels).toEqual(["orch:dispatch"]);
    expect((await runsOn(number))[0]?.tasks[0]?.attempts[0]?.agent).toBe("codex");
    expect(world.github.replies).toEqual([]);
  });

  it("the cancel label cancels the thread's active runs, says so, and is removed", async () => {
    const { thread, runId } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "running" }] }] });
    await handleRequest(world.deps, label("orch:cancel", thread));
    expect(world.github.replies).toEqual([
      expect.stringContaining(`@maintainer cancelled 1 attempt of run ${runId}. I removed the \`orch:cancel\` label.`),
    ]);
    expect(world.github.removedLabels).toEqual(["orch:cancel"]);
  });

  it.each(["orch:dispatch", "orch:cancel"])("%s from someone below the bar: refused, removed, nothing started or stopped", async (name) => {
    world.github.permissions.set("maintainer", "triage");
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "running" }] }] });
    await handleRequest(world.deps, label(name, thread));
    expect(world.github.replies).toEqual([expect.stringContaining("only people with write permission")]);
    expect(world.github.removedLabels).toEqual([name]);
    expect(await runsOn(thread.number)).toHaveLength(1);
    expect((await world.attempt(attempts.t1![0]!)).state).toBe("running");
  });

  it("follows the labels .github/orch.yml names, and ignores every other label", async () => {
    world.github.repoConfig = { labels: { dispatch: "agent please" } };
    const number = nextNumber++;
    await handleRequest(world.deps, label("orch:dispatch", number));
    await handleRequest(world.deps, label("bug", number));
    expect(await runsOn(number)).toEqual([]);
    await handleRequest(world.deps, label("agent please", number));
    expect(await runsOn(number)).toHaveLength(1);
    expect(world.github.removedLabels).toEqual(["agent please"]);
  });
});

describe("handleRequest: a check-run button", () => {
  const press = (identifier: string, attemptId: number, repo = REPO): OrchRequest => ({
    ...from,
    repo,
    deliveryId: `d${++deliveries}`,
    kind: "button",
    attemptId,
    identifier,
    checkRunName: "orch / t1 / attempt 1",
  });

  it("acts on the attempt it belongs to, on the thread as GitHub has it now", async () => {
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }, { state: "failed" }] }] });
    world.github.threadState = { title: thread.title, body: "", isOpen: true, url: thread.url, isPullRequest: false };
    await handleRequest(world.deps, press("cleanup", attempts.t1![0]!));
    expect(world.github.replies).toEqual([expect.stringContaining("Removed the worktree of t1 attempt 1;")]);
    expect((await world.attempt(attempts.t1![1]!)).workspaceState).toBe("allocated");
  });

  it("refuses Retry once the thread has been closed", async () => {
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    world.github.threadState = { title: thread.title, body: "", isOpen: false, url: thread.url, isPullRequest: false };
    await handleRequest(world.deps, press("retry", attempts.t1![0]!));
    expect(world.github.replies).toEqual([expect.stringContaining("this issue is closed; reopen it to start another attempt.")]);
    expect((await runsOn(thread.number))[0]?.tasks[0]?.attempts).toHaveLength(1);
  });

  it.each([
    { name: "an identifier that is not orch's", identifier: "lgtm", repo: REPO },
    { name: "an attempt of another repository", identifier: "retry", repo: "gadgets" },
  ])("ignores $name", async ({ identifier, repo }) => {
    const { attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    await handleRequest(world.deps, press(identifier, attempts.t1![0]!, repo));
    expect(world.github.replies).toEqual([]);
  });

  it("ignores an attempt id orch does not have", async () => {
    await handleRequest(world.deps, press("retry", 987_654));
    await handleRequest(world.deps, press("retry", Number.NaN));
    expect(world.github.replies).toEqual([]);
  });
});

describe("handleRequest: a closed thread", () => {
  const close = (thread: ThreadRecord | number): OrchRequest => ({ ...from, deliveryId: `d${++deliveries}`, kind: "closed", thread: threadRef(thread, false) });

  it("cancels its active attempts, waits for them, removes every worktree and says what it did", async () => {
    const { thread, runId, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }, { state: "running" }] }] });
    await handleRequest(world.deps, close(thread));
    const [a1, a2] = attempts.t1!;
    expect(world.calls.settledWaits).toContain(a2);
    expect((await world.attempt(a2!)).state).toBe("cancelled");
    expect((await world.attempt(a1!)).workspaceState).toBe("cleaned");
    expect((await world.attempt(a2!)).workspaceState).toBe("cleaned");
    expect(world.github.replies).toEqual([
      `Closing this issue cancelled 1 active attempt. Removed the worktree of t1 attempt 1, t1 attempt 2; the branches stay, in orch's cache and on GitHub.`,
    ]);
    expect(runId).toBeGreaterThan(0);
  });

  it("keeps the worktrees when .github/orch.yml says cleanup_on_close: false", async () => {
    world.github.repoConfig = { cleanup_on_close: false };
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    await handleRequest(world.deps, close(thread));
    expect((await world.attempt(attempts.t1![0]!)).workspaceState).toBe("allocated");
    expect(world.github.replies).toEqual([]);
  });

  it("does nothing, and records nothing, for a thread orch never saw", async () => {
    const request = close(55_555);
    await handleRequest(world.deps, request);
    expect(world.github.replies).toEqual([]);
    expect(await world.store.recordDelivery({ id: request.deliveryId, event: "closed" })).toBe(true);
  });
});
