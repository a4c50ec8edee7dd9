import { describe, expect, it } from "vitest";
import { DEFAULT_CAPS } from "../../config/server-config.js";
import { runCaps } from "./new-run.js";

describe("runCaps", () => {
  it.each([
    ["the server's values when the repository sets none", {}, {}, { maxAttemptsPerTask: 10, runTimeoutMs: undefined, maxCostUsd: undefined }],
    ["a repository's lower values", { maxAttemptsPerTask: 3, runTimeoutMs: 60_000, maxCostUsd: 2 }, { runTimeoutMs: 120_000, maxCostUsd: 5 }, { maxAttemptsPerTask: 3, runTimeoutMs: 60_000, maxCostUsd: 2 }],
    ["never a repository's higher values", { maxAttemptsPerTask: 50, runTimeoutMs: 600_000, maxCostUsd: 50 }, { runTimeoutMs: 120_000, maxCostUsd: 5 }, { maxAttemptsPerTask: 10, runTimeoutMs: 120_000, maxCostUsd: 5 }],
    ["a repository's cap where the server sets none", { runTimeoutMs: 60_000, maxCostUsd: 1 }, {}, { maxAttemptsPerTask: 10, runTimeoutMs: 60_000, maxCostUsd: 1 }],
  ] as const)("takes %s", (_, caps, server, want) => {
    expect(runCaps({ limits: { ...DEFAULT_CAPS, ...server } }, { caps })).toEqual(want);
  });
});
