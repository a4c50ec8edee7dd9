import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld, type SeedAttempt } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import { reassignVerb, type ReassignCommand } from "./reassign.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

describe("reassign", () => {
  it.each(["failed", "blocked"] as const)("after a %s attempt: queues attempt 2 with the other agent", async (state) => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ agent: "codex", state }] }] });
    const outcome = await reassignVerb.run(world.deps, world.request(thread), { verb: "reassign", agent: "claude" });
    expect(renderOutcome(outcome)).toBe(
      `queued attempt 2 of \`t1\` with \`claude\` on branch \`orch/${thread.number}/t1/a2\`. The status comment follows it.`,
    );
    const run = (await world.store.findRun({ threadId: thread.id }))!;
    expect(run.tasks[0]!.attempts.map((a) => a.agent)).toEqual(["codex", "claude"]);
  });

  it.each<{ name: string; attempts: SeedAttempt[]; command: ReassignCommand; reply: string }>([
    {
      name: "the agent the latest attempt used",
      attempts: [{ agent: "codex", state: "failed" }],
      command: { verb: "reassign", agent: "codex" },
      reply: "`t1`'s latest attempt already used `codex`; for another go with it, `/orch retry t1`, or name another agent (`claude`, `codex` (default)).",
    },
    {
      name: "an agent the server does not have",
      attempts: [{ state: "failed" }],
      command: { verb: "reassign", agent: "gpt" },
      reply: "there is no agent `gpt` on this server. Known agents: `claude`, `codex` (default).",
    },
    {
      name: "a cancelled task (retry is for that)",
      attempts: [{ state: "cancelled" }],
      command: { verb: "reassign", agent: "claude" },
      reply: "`t1`'s latest is attempt 1 (`codex`, cancelled); reassign applies to a failed or blocked task. For the same agent, `/orch retry t1`.",
    },
    {
      name: "a running task",
      attempts: [{ state: "running" }],
      command: { verb: "reassign", agent: "claude" },
      reply: "`t1`'s latest is attempt 1 (`codex`, running); reassign applies to a failed or blocked task. To stop it first, `/orch cancel t1`.",
    },
    {
      name: "a button on an older attempt's check run, even when the latest could be reassigned",
      attempts: [{ agent: "codex", state: "failed" }, { agent: "claude", state: "failed" }],
      command: { verb: "reassign", task: "t1", agent: "codex", fromAttempt: 1 },
      reply:
        "that button is on the check run of attempt 1 of `t1`, whose latest is now attempt 2 (`claude`, failed); nothing was done. Use the buttons of the latest attempt's check run, or `/orch reassign t1`.",
    },
  ])("refuses $name and queues nothing", async ({ attempts, command, reply }) => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts }] });
    const before = (await world.store.findRun({ threadId: thread.id }))!;
    const outcome = await reassignVerb.run(world.deps, world.request(thread), command);
    expect(renderOutcome(outcome)).toBe(reply);
    expect(await world.store.findRun({ threadId: thread.id })).toEqual(before);
  });
});
