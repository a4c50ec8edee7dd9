import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, parseRepoConfig } from "./repo-config.js";

const agents = ["codex", "claude"];

describe("parseRepoConfig", () => {
  it.each([
    { name: "no file", raw: null, config: DEFAULT_REPO_CONFIG },
    { name: "an empty file", raw: {}, config: DEFAULT_REPO_CONFIG },
    {
      name: "every key",
      raw: { default_agent: "claude", min_permission: "maintain", labels: { dispatch: "go", cancel: "stop" }, draft_pull_requests: false, cleanup_on_close: false },
      config: { defaultAgent: "claude", minPermission: "maintain", labels: { dispatch: "go", cancel: "stop" }, draftPullRequests: false, cleanupOnClose: false, taskLists: true, caps: {}, council: { autoPick: false } },
    },
    { name: "council.auto_pick on", raw: { council: { auto_pick: true } }, config: { ...DEFAULT_REPO_CONFIG, council: { autoPick: true } } },
    { name: "council.auto_pick off", raw: { council: { auto_pick: false } }, config: DEFAULT_REPO_CONFIG },
    { name: "an empty council", raw: { council: {} }, config: DEFAULT_REPO_CONFIG },
    { name: "one label renamed keeps the other's default", raw: { labels: { cancel: "halt" } }, config: { ...DEFAULT_REPO_CONFIG, labels: { dispatch: "orch:dispatch", cancel: "halt" } } },
  ])("$name", ({ raw, config }) => {
    expect(parseRepoConfig(raw, agents)).toEqual({ config, problems: [] });
  });

  it.each([
    { name: "unknown top-level key, with a suggestion", raw: { cleanup_on_closed: true }, problem: "unknown key `cleanup_on_closed` (did you mean `cleanup_on_close`?)" },
    { name: "unknown label key", raw: { labels: { retry: "x" } }, problem: "`labels`: unknown key `retry`" },
    { name: "a permission that is not a level", raw: { min_permission: "none" }, problem: "`min_permission`: expected one of read, triage, write, maintain, admin" },
    { name: "a string for a boolean", raw: { draft_pull_requests: "yes" }, problem: "`draft_pull_requests`: expected true or false" },
    { name: "an empty label", raw: { labels: { dispatch: " " } }, problem: "`labels.dispatch`: expected a label name" },
    { name: "an agent the server lacks", raw: { default_agent: "gpt" }, problem: "`default_agent`: `gpt` is not an agent on this server; known agents: `codex`, `claude`" },
    { name: "not a mapping", raw: ["a"], problem: "`(top level)`:" },
    { name: "a string for auto_pick", raw: { council: { auto_pick: "yes" } }, problem: "`council.auto_pick`: expected true or false" },
    { name: "a judge named by the repository", raw: { council: { judge: "codex" } }, problem: "`council`: unknown key `judge`" },
    { name: "a typo in council", raw: { council: { autopick: true } }, problem: "`council`: unknown key `autopick` (did you mean `auto_pick`?)" },
  ])("$name: defaults, and a problem naming the key", ({ raw, problem }) => {
    const result = parseRepoConfig(raw, agents);
    expect(result.config).toEqual(DEFAULT_REPO_CONFIG);
    expect(result.problems.join("\n")).toContain(problem);
  });
});
