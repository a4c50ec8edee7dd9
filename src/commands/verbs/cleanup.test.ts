import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import { cleanupVerb } from "./cleanup.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

describe("cleanup", () => {
  it("removes the worktrees of the task's ended attempts and leaves its running one", async () => {
    const { thread, attempts } = await world.seed({
      tasks: [{ key: "t1", attempts: [{ state: "failed" }, { state: "cancelled" }, { state: "running" }] }],
    });
    const outcome = await cleanupVerb.run(world.deps, world.request(thread), { verb: "cleanup", scope: { kind: "task" } });
    expect(renderOutcome(outcome)).toBe(
      "Removed the worktree of t1 attempt 1, t1 attempt 2; the branches stay, in orch's cache and on GitHub. " +
        "Left t1 attempt 3 alone because it is still active; `/orch cancel` stops it first.",
    );
    const [a1, a2, a3] = attempts.t1!;
    expect((await world.attempt(a1!)).workspaceState).toBe("cleaned");
    expect((await world.attempt(a2!)).workspaceState).toBe("cleaned");
    expect((await world.attempt(a3!)).workspaceState).toBe("allocated");
  });

  it("a button cleans the attempt of its own check run only", async () => {
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }, { state: "failed" }] }] });
    const [a1, a2] = attempts.t1!;
    const outcome = await cleanupVerb.run(world.deps, world.request(thread), { verb: "cleanup", scope: { kind: "attempt", attemptId: a1! } });
    expect(renderOutcome(outcome)).toBe("Removed the worktree of t1 attempt 1; the branches stay, in orch's cache and on GitHub.");
    expect((await world.attempt(a1!)).workspaceState).toBe("cleaned");
    expect((await world.attempt(a2!)).workspaceState).toBe("allocated");
  });

  it("--run cleans every task of the run", async () => {
    const { thread, runId, attempts } = await world.seed({
      tasks: [
        { key: "t1", attempts: [{ state: "succeeded" }] },
        { key: "t2", attempts: [{ state: "failed" }] },
      ],
    });
    const outcome = await cleanupVerb.run(world.deps, world.request(thread), { verb: "cleanup", scope: { kind: "run" } });
    expect(renderOutcome(outcome)).toContain("Removed the worktree of t1 attempt 1, t2 attempt 1;");
    expect((await world.attempt(attempts.t2![0]!)).workspaceState).toBe("cleaned");
    expect(runId).toBeGreaterThan(0);
  });

  it("says when there is nothing to clean", async () => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed", hasWorktree: false }] }] });
    const outcome = await cleanupVerb.run(world.deps, world.request(thread), { verb: "cleanup", scope: { kind: "task", task: "t1" } });
    expect(renderOutcome(outcome)).toBe("Nothing to clean up in `t1`: no ended attempt still has a worktree.");
  });
});
