import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandWorld, type CommandWorld } from "../../../test/fakes/command-world.js";
import { renderOutcome } from "../../render/command-replies.js";
import { parseComment } from "../parse.js";
import { findVerb, VERBS } from "./index.js";

let world: CommandWorld;
beforeAll(async () => {
  world = await createCommandWorld();
});
afterAll(async () => {
  await world.close();
});

const help = findVerb("help")!;

describe("help", () => {
  it("lists every verb's usage and description, and the agents with their descriptions", async () => {
    const text = renderOutcome(await help.run(world.deps, world.request(1), { verb: "help" }))!;
    for (const verb of VERBS) expect(text).toContain(`| \`${verb.usage}\` | ${verb.description} |`);
    expect(text).toContain("- `claude`\n- `codex` (default): OpenAI's Codex CLI");
  });

  it("of one verb: its usage, alias and examples", async () => {
    const text = renderOutcome(await help.run(world.deps, world.request(1), { verb: "help", topic: "dispatch" }))!;
    expect(text).toContain("`/orch dispatch [AGENT] [-- INSTRUCTIONS]`: start a run on this thread.\nAlias: `run`.");
    expect(text).toContain("/orch dispatch codex -- fix the flaky login test; keep the public API unchanged");
  });

  it.each([
    { body: "/orch help run", topic: "dispatch" },
    { body: "/orch help Reassign", topic: "reassign" },
  ])("`$body` is help on $topic", ({ body, topic }) => {
    expect(parseComment(body)).toMatchObject([{ kind: "command", command: { verb: "help", topic } }]);
  });

  it("on a word that is not a verb, suggests the nearest one", () => {
    expect(parseComment("/orch help dispach")).toMatchObject([
      { kind: "error", message: expect.stringContaining("There is no help on `dispach`: it is not an orch command. Did you mean `/orch help dispatch`?") },
    ]);
  });
});
