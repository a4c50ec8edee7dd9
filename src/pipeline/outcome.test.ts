import { describe, expect, it } from "vitest";
import type { AgentExit } from "../agents/runner.js";
import type { AgentResult, ResultFileRead } from "../agents/result-file.js";
import { decideOutcome } from "./outcome.js";

const missing: ResultFileRead = { kind: "missing" };
const reported = (result: AgentResult): ResultFileRead => ({ kind: "reported", result });
const exited = (exitCode: number | null, signal: NodeJS.Signals | null = null): AgentExit => ({ reason: "exited", exitCode, signal, durationMs: 1000 });

describe("decideOutcome", () => {
  it.each([
    { name: "exit 0 with changes succeeds", exit: exited(0), result: missing, hasChanges: true, expected: { state: "succeeded", summary: "changes committed" } },
    { name: "exit 0 without changes fails with 'no changes'", exit: exited(0), result: missing, hasChanges: false, expected: { state: "failed", summary: "no changes" } },
    { name: "exit 1 fails with the code", exit: exited(1), result: missing, hasChanges: true, expected: { state: "failed", summary: "the agent exited with code 1" } },
    { name: "a signal orch did not send fails", exit: exited(null, "SIGSEGV"), result: missing, hasChanges: false, expected: { state: "failed", summary: "the agent was killed by SIGSEGV" } },
    { name: "blocked in the result file wins over exit 0 and changes", exit: exited(0), result: reported({ status: "blocked" as const, summary: "need a key" }), hasChanges: true, expected: { state: "blocked", summary: "need a key" } },
    { name: "blocked in the result file wins over a non-zero exit", exit: exited(3), result: reported({ status: "blocked" as const }), hasChanges: false, expected: { state: "blocked", summary: "the agent needs a human" } },
    { name: "failed in the result file wins over exit 0", exit: exited(0), result: reported({ status: "failed" as const, summary: "tests fail" }), hasChanges: true, expected: { state: "failed", summary: "tests fail" } },
    { name: "succeeded in the result file, with its summary", exit: exited(0), result: reported({ status: "succeeded" as const, summary: "done" }), hasChanges: true, expected: { state: "succeeded", summary: "done" } },
    { name: "succeeded in the result file without changes is believed", exit: exited(0), result: reported({ status: "succeeded" as const }), hasChanges: false, expected: { state: "succeeded", summary: "no changes" } },
    { name: "succeeded in the result file does not hide a non-zero exit", exit: exited(2), result: reported({ status: "succeeded" as const, summary: "done" }), hasChanges: true, expected: { state: "failed", summary: "the agent exited with code 2: done" } },
    { name: "an invalid result file is ignored, and said so", exit: exited(0), result: { kind: "invalid" as const, reason: "not JSON" }, hasChanges: true, expected: { state: "succeeded", summary: "changes committed (ignored an invalid result file: not JSON)" } },
    { name: "a timeout wins over everything", exit: { reason: "timed_out" as const, durationMs: 1_800_000 }, result: missing, hasChanges: true, expected: { state: "timed_out", summary: "timed out after 30m; the agent's processes were killed" } },
    { name: "an idle timeout says the agent was idle", exit: { reason: "timed_out" as const, durationMs: 310_000, idleMs: 300_000 }, result: missing, hasChanges: false, expected: { state: "timed_out", summary: "idle for 5m (no output, no file change); the agent's processes were killed" } },
    { name: "a cancel names who cancelled", exit: { reason: "cancelled" as const, durationMs: 5 }, result: missing, hasChanges: true, cancelledBy: "octocat", expected: { state: "cancelled", summary: "cancelled by @octocat" } },
    { name: "a program that never started fails with its message", exit: { reason: "spawn_failed" as const, message: 'could not start "codex": program not found on PATH', durationMs: 0 }, result: missing, hasChanges: false, expected: { state: "failed", summary: 'could not start "codex": program not found on PATH' } },
  ])("$name", ({ exit, result, hasChanges, cancelledBy, expected }) => {
    expect(decideOutcome({ exit, result, hasChanges, cancelledBy })).toEqual(expected);
  });
});
