import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import { verifyVerb } from "./verify.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

const args = (...positionals: string[]) => ({ positionals, flags: [] });

describe("verify", () => {
  it.each([
    [[], { verb: "verify" }],
    [["T2"], { verb: "verify", task: "t2" }],
  ] as const)("parses %j", (positionals, command) => {
    expect(verifyVerb.parse(args(...positionals), undefined)).toEqual(command);
  });

  it("refuses a word that is not a task, and more than one task", () => {
    expect(verifyVerb.parse(args("tests"), undefined)).toMatchObject({ problem: expect.stringContaining("`tests`") });
    expect(verifyVerb.parse(args("t1", "t2"), undefined)).toMatchObject({ problem: expect.stringContaining("`verify` takes at most one TASK") });
  });

  it("refuses a run dispatched without a verify command, saying how to get one, and runs nothing", async () => {
    const { thread, runId } = await world.seed({ tasks: [{ key: "t1", attempts: [{ state: "failed" }] }] });
    const outcome = await verifyVerb.run(world.deps, world.request(thread), { verb: "verify" });
    expect(renderOutcome(outcome)).toBe(
      `run ${runId} has no verify command: it was dispatched while \`.github/orch.yml\` on the default branch had no \`verify.run\`. Add one there, then \`/orch dispatch\` a new run.`,
    );
    expect(world.calls.verified).toEqual([]);
  });
});
