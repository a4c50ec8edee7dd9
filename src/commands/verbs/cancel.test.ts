import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import { cancelVerb } from "./cancel.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

describe("cancel", () => {
  it.each(["queued", "running"] as const)("cancels the task's %s attempt, saying who did", async (state) => {
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state }] }] });
    const outcome = await cancelVerb.run(world.deps, world.request(thread), { verb: "cancel", scope: { kind: "task" } });
    expect(renderOutcome(outcome)).toBe("cancelled attempt 1 (`codex`) of `t1`.");
    expect(await world.attempt(attempts.t1![0]!)).toMatchObject({ state: "cancelled", summary: "cancelled by @maintainer" });
    expect(world.calls.refreshed).toContain(thread.id);
  });

  it("refuses a task whose latest attempt has ended, and stops nothing", async () => {
    const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    const outcome = await cancelVerb.run(world.deps, world.request(thread), { verb: "cancel", scope: { kind: "task", task: "t1" } });
    expect(renderOutcome(outcome)).toBe("nothing to cancel: `t1`'s latest is attempt 1 (`codex`, failed).");
    expect(world.calls.cancelled.map((call) => call.attemptId)).not.toContain(attempts.t1![0]);
  });

  it("--run cancels every active attempt of the latest run and leaves ended ones", async () => {
    const { thread, runId, attempts } = await world.seed({
      tasks: [
        { key: "t1", attempts: [{ state: "running" }] },
        { key: "t2", attempts: [{ state: "queued" }] },
        { key: "t3", attempts: [{ state: "succeeded" }] },
      ],
    });
    const outcome = await cancelVerb.run(world.deps, world.request(thread), { verb: "cancel", scope: { kind: "run" } });
    expect(renderOutcome(outcome)).toBe(`cancelled 2 attempts of run ${runId}.`);
    expect((await world.attempt(attempts.t1![0]!)).state).toBe("cancelled");
    expect((await world.attempt(attempts.t2![0]!)).state).toBe("cancelled");
    expect((await world.attempt(attempts.t3![0]!)).state).toBe("succeeded");
  });

  it("--run with nothing active says so", async () => {
    const { thread, runId } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    const outcome = await cancelVerb.run(world.deps, world.request(thread), { verb: "cancel", scope: { kind: "run" } });
    expect(renderOutcome(outcome)).toBe(`nothing to cancel: run ${runId} has no queued or running attempt.`);
  });

  it("a button cancels the attempt of its own check run", async () => {
    const { thread, attempts } = await world.seed({
      tasks: [
        { key: "t1", attempts: [{ state: "running" }] },
        { key: "t2", attempts: [{ state: "running" }] },
      ],
    });
    const [t2] = attempts.t2!;
    const outcome = await cancelVerb.run(world.deps, world.request(thread), { verb: "cancel", scope: { kind: "attempt", attemptId: t2! } });
    expect(renderOutcome(outcome)).toBe("cancelled attempt 1 (`codex`) of `t2`.");
    expect((await world.attempt(t2!)).state).toBe("cancelled");
    expect((await world.attempt(attempts.t1![0]!)).state).toBe("running");
  });

  it("the cancel label's scope stops every active run of the thread, with the reason given", async () => {
    const first = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "running" }] }] });
    const second = await world.seed({ number: first.thread.number, tasks: [{ key: "t1", attempts: [{ state: "queued" }] }] });
    const why = "cancelled by @maintainer with the orch:cancel label";
    const outcome = await cancelVerb.run(world.deps, world.request(first.thread), { verb: "cancel", scope: { kind: "active" }, why });
    expect(renderOutcome(outcome)).toBe(`cancelled 1 attempt of run ${first.runId}. cancelled 1 attempt of run ${second.runId}.`);
    expect(await world.attempt(first.attempts.t1![0]!)).toMatchObject({ state: "cancelled", summary: why });
    expect(await world.attempt(second.attempts.t1![0]!)).toMatchObject({ state: "cancelled", summary: why });
  });
});
