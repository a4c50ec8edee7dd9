import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import type { RepoConfig } from "../../config/repo-config.js";
import type { ThreadKind } from "../../store/records.js";
import { dispatchVerb, type DispatchCommand } from "./dispatch.js";

let world: CommandWorld;
let nextNumber = 1;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

describe("dispatch", () => {
  it.each<{
    name: string;
    command: DispatchCommand;
    repoConfig?: Partial<RepoConfig>;
    kind?: ThreadKind;
    headRepo?: string;
    expected: { agent: string; baseRef: (n: number) => string; prBase: string; draft: boolean };
  }>([
    {
      name: "the server's default agent on an issue, from the default branch",
      command: { verb: "dispatch" },
      expected: { agent: "codex", baseRef: () => "refs/heads/main", prBase: "main", draft: true },
    },
    {
      name: "the repository's default agent, and its draft setting",
      command: { verb: "dispatch" },
      repoConfig: { defaultAgent: "claude", draftPullRequests: false },
      expected: { agent: "claude", baseRef: () => "refs/heads/main", prBase: "main", draft: false },
    },
    {
      name: "the agent the command names, over the repository's default",
      command: { verb: "dispatch", agent: "claude" },
      repoConfig: { defaultAgent: "codex" },
      expected: { agent: "claude", baseRef: () => "refs/heads/main", prBase: "main", draft: true },
    },
    {
      name: "a pull request: from its head, proposed back to its head branch",
      command: { verb: "dispatch" },
      kind: "pull_request",
      expected: { agent: "codex", baseRef: (n) => `refs/pull/${n}/head`, prBase: "feature", draft: true },
    },
    {
      name: "a pull request from a fork: proposed to its base branch",
      command: { verb: "dispatch" },
      kind: "pull_request",
      headRepo: "someone/widgets",
      expected: { agent: "codex", baseRef: (n) => `refs/pull/${n}/head`, prBase: "main", draft: true },
    },
  ])("$name", async ({ command, repoConfig, kind, headRepo, expected }) => {
    const number = nextNumber++;
    world.github.pullRequest = { headRef: "feature", headRepoFullName: headRepo ?? "acme/widgets", baseRef: "main" };
    const request = world.request(number, { ...(repoConfig ? { repoConfig } : {}) });
    if (kind) request.request.thread.kind = kind;
    const wakes = world.calls.wakes;

    const outcome = await dispatchVerb.run(world.deps, request, command);

    expect(outcome).toEqual({ kind: "silent" });
    const thread = (await world.store.findThread({ owner: "acme", repo: "widgets", number }))!;
    const run = (await world.store.findRun({ threadId: thread.id }))!;
    expect(run).toMatchObject({ baseRef: expected.baseRef(number), prBase: expected.prBase, draft: expected.draft, requestedBy: "maintainer" });
    expect(run.tasks.map((task) => task.key)).toEqual(["t1"]);
    expect(run.tasks[0]!.attempts).toEqual([expect.objectContaining({ number: 1, agent: expected.agent, state: "queued", branch: `orch/${number}/t1/a1` })]);
    expect(world.calls.wakes).toBe(wakes + 1);
    expect(world.calls.refreshed).toContain(thread.id);
  });

  it("puts the instructions in the task's prompt", async () => {
    const number = nextNumber++;
    await dispatchVerb.run(world.deps, world.request(number), { verb: "dispatch", instructions: "keep the public API unchanged" });
    const thread = (await world.store.findThread({ owner: "acme", repo: "widgets", number }))!;
    const run = (await world.store.findRun({ threadId: thread.id }))!;
    expect(run.tasks[0]!.prompt).toContain("keep the public API unchanged");
  });

  it("refuses an agent the server does not have, lists the known ones, and records nothing", async () => {
    const number = nextNumber++;
    const outcome = await dispatchVerb.run(world.deps, world.request(number), { verb: "dispatch", agent: "gpt" });
    expect(renderOutcome(outcome)).toBe("there is no agent `gpt` on this server. Known agents: `claude`, `codex` (default).");
    expect(await world.store.findThread({ owner: "acme", repo: "widgets", number })).toBeUndefined();
  });
});
