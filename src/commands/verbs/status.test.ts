import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import { statusVerb } from "./status.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

describe("status", () => {
  it("refreshes the thread's status comment and waits for it, with no reply of its own", async () => {
    const { thread } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    const outcome = await statusVerb.run(world.deps, world.request(thread), { verb: "status" });
    expect(outcome).toEqual({ kind: "silent" });
    expect(world.calls.refreshed).toContain(thread.id);
  });

  it("on a thread orch never saw, says how to start", async () => {
    const outcome = await statusVerb.run(world.deps, world.request(4242), { verb: "status" });
    expect(renderOutcome(outcome)).toBe("there is no orch run on this thread yet. Start one with `/orch dispatch`.");
  });
});
