import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld, type SeedAttempt } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import type { AttemptState } from "../../store/transitions.js";
import { retryVerb, type RetryCommand } from "./retry.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

describe("retry", () => {
  it.each<AttemptState>(["failed", "blocked", "cancelled", "timed_out", "lost"])(
    "after a %s attempt: queues attempt 2 with the same agent",
    async (state) => {
      const { thread, attempts } = await world.seed({ tasks: [{ key: "t1", attempts: [{ agent: "claude", state }] }] });
      const outcome = await retryVerb.run(world.deps, world.request(thread), { verb: "retry" });
      expect(renderOutcome(outcome)).toBe(
        `queued attempt 2 of \`t1\` with \`claude\` on branch \`orch/${thread.number}/t1/a2\`. The status comment follows it.`,
      );
      const run = (await world.store.findRun({ threadId: thread.id }))!;
      expect(run.tasks[0]!.attempts.map((a) => [a.number, a.agent, a.state])).toEqual([
        [1, "claude", state],
        [2, "claude", "queued"],
      ]);
      expect(attempts.t1).toHaveLength(1);
    },
  );

  it.each<{ name: string; tasks: { key: string; attempts: SeedAttempt[] }[]; command: RetryCommand; reply: (n: number) => string }>([
    {
      name: "a running task",
      tasks: [{ key: "t1", attempts: [{ state: "running" }] }],
      command: { verb: "retry" },
      reply: () => "`t1` is still active: attempt 1 (`codex`, running). Retry applies once it has ended; to stop it, `/orch cancel t1`.",
    },
    {
      name: "a queued task",
      tasks: [{ key: "t1", attempts: [{ state: "queued" }] }],
      command: { verb: "retry", task: "t1" },
      reply: () => "`t1` is still active: attempt 1 (`codex`, queued). Retry applies once it has ended; to stop it, `/orch cancel t1`.",
    },
    {
      name: "a succeeded task",
      tasks: [{ key: "t1", attempts: [{ state: "succeeded" }] }],
      command: { verb: "retry" },
      reply: () =>
        "`t1`'s latest is attempt 1 (`codex`, succeeded); retry applies to a failed, blocked, timed-out, lost or cancelled task. To run it again anyway, `/orch dispatch` starts a new run.",
    },
    {
      name: "no TASK in a run of several",
      tasks: [
        { key: "t1", attempts: [{ state: "failed" }] },
        { key: "t2", attempts: [{ state: "failed" }] },
      ],
      command: { verb: "retry" },
      reply: () => "run RUN has several tasks (`t1`, `t2`); say which one, e.g. `/orch retry t1`.",
    },
    {
      name: "a task the run does not have",
      tasks: [{ key: "t1", attempts: [{ state: "failed" }] }],
      command: { verb: "retry", task: "t9" },
      reply: () => "run RUN has no task `t9`; its tasks: `t1`.",
    },
    {
      name: "a button on an older attempt's check run",
      tasks: [{ key: "t1", attempts: [{ state: "failed" }, { state: "failed" }] }],
      command: { verb: "retry", fromAttempt: 1 },
      reply: () =>
        "that button is on the check run of attempt 1 of `t1`, whose latest is now attempt 2 (`codex`, failed); nothing was done. Use the buttons of the latest attempt's check run, or `/orch retry t1`.",
    },
  ])("refuses $name and queues nothing", async ({ tasks, command, reply }) => {
    const { thread, runId } = await world.seed({ tasks });
    const before = (await world.store.findRun({ threadId: thread.id }))!;
    const outcome = await retryVerb.run(world.deps, world.request(thread), command);
    expect(renderOutcome(outcome)).toBe(reply(thread.number).replace("RUN", String(runId)));
    expect(await world.store.findRun({ threadId: thread.id })).toEqual(before);
  });

  it("the button of the latest attempt retries it", async () => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }, { state: "failed" }] }] });
    const outcome = await retryVerb.run(world.deps, world.request(thread), { verb: "retry", fromAttempt: 2 });
    expect(outcome).toMatchObject({ kind: "done", notice: { kind: "queued_attempt", number: 3 } });
  });

  it("refuses a thread orch has no run on", async () => {
    const outcome = await retryVerb.run(world.deps, world.request(99_999), { verb: "retry" });
    expect(renderOutcome(outcome)).toBe("there is no orch run on this thread yet. Start one with `/orch dispatch`.");
  });

  it("hands the feedback to the next attempt's prompt, fenced", async () => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    const outcome = await retryVerb.run(world.deps, world.request(thread), { verb: "retry", feedback: "the tests still fail on Windows" });
    expect(renderOutcome(outcome)).toContain(", with your feedback.");
    const run = (await world.store.findRun({ threadId: thread.id }))!;
    const next = run.tasks[0]!.attempts[1]!;
    expect(next.feedback).toBe("the tests still fail on Windows");
    expect(next.prompt).toContain("the tests still fail on Windows");
  });
});
