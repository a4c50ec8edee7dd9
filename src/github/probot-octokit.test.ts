/**
 * The GitHub error counter's hook on the Octokit orch gives Probot: a
 * request that fails for good is counted once with its status, after
 * Octokit's own retries; one a retry saves, or one that succeeds, is not.
 */
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { octokitFromEnv } from "./probot-octokit.js";

const API = "https://api.github.com";

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function countingOctokit() {
  const statuses: (number | undefined)[] = [];
  const Octokit = octokitFromEnv({ ORCH_GITHUB_THROTTLE: "off" }, { onRequestError: (status) => statuses.push(status) })!;
  // Retries as in production (3), with millisecond waits instead of seconds.
  const octokit = new Octokit({ auth: "token", retry: { retryAfterBaseValue: 1 } });
  return { octokit, statuses };
}

describe("octokitFromEnv with onRequestError", () => {
  it.each([
    { name: "a 502 through every retry is counted once, as 502", replies: [502, 502, 502, 502], thrown: 502, counted: [502] },
    { name: "a 404 (not retried) is counted as 404", replies: [404], thrown: 404, counted: [404] },
    { name: "a 502 a retry saves is not counted", replies: [502, 200], thrown: undefined, counted: [] },
    { name: "a 200 is not counted", replies: [200], thrown: undefined, counted: [] },
  ])("$name", async ({ replies, thrown, counted }) => {
    const { octokit, statuses } = countingOctokit();
    const scope = nock(API);
    for (const status of replies) scope.get("/repos/acme/widgets").reply(status, status === 200 ? { id: 1 } : { message: `fault ${status}` });

    const result = await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }).then(
      () => undefined,
      (error: { status?: number }) => error.status,
    );

    expect(result).toBe(thrown);
    expect(statuses).toEqual(counted);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("does not count the 404 that says a file does not exist (the config reader's answer)", async () => {
    const { octokit, statuses } = countingOctokit();
    const scope = nock(API).get("/repos/acme/widgets/contents/.github%2Forch.yml").reply(404, { message: "Not Found" });

    await expect(octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "acme", repo: "widgets", path: ".github/orch.yml" })).rejects.toMatchObject({ status: 404 });

    expect(statuses).toEqual([]);
    expect(scope.pendingMocks()).toEqual([]);
  });

  it("gives Probot its own Octokit, unchanged, when nothing is asked of it", () => {
    expect(octokitFromEnv({})).toBeUndefined();
  });
});
