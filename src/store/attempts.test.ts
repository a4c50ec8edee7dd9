import { describe, expect, it } from "vitest";
import { PROVIDERS, useTestStore } from "../../test/helpers/databases.js";

describe.each(PROVIDERS)("an attempt's copied log tail on %s", (provider) => {

  const store = useTestStore(provider);

  it("is kept apart: read only when asked for, never in the attempt records", async () => {
    const thread = await store.upsertThread({ installationId: 1, owner: "acme", repo: "widgets", number: 1, kind: "issue", title: "t", url: "https://github.com/acme/widgets/issues/1" });
    const run = await store.createRun({
      threadId: thread.id,
      requestedBy: "octocat",
      baseRef: "refs/heads/main",
      prBase: "main",
      draft: true,
      tasks: [{ key: "t1", prompt: "fix", agent: "codex", branch: "orch/1/t1/a1" }],
    });
    const attemptId = run.tasks[0]!.attempts[0]!.id;
    expect(await store.findLogTail(attemptId)).toBeNull();
    await store.recordLogTail({ attemptId, logTail: "line 1\nline 2" });
    expect(await store.findLogTail(attemptId)).toBe("line 1\nline 2");
    expect(await store.findLogTail(attemptId + 1000)).toBeNull();
    const context = await store.findAttemptContext(attemptId);
    expect(context?.attempt).not.toHaveProperty("logTail");
    const view = await store.getThreadView({ threadId: thread.id, maxRuns: 1 });
    expect(view.runs[0]?.tasks[0]?.attempts[0]).not.toHaveProperty("logTail");
  });
});
