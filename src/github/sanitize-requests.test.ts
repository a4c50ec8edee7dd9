import { describe, expect, it } from "vitest";
import { Redactor } from "../secrets/redactor.js";
import { sanitizeRequests } from "./sanitize-requests.js";

/** The one part of Octokit this touches: `hook.before("request", …)`. */
function fakeOctokit() {
  const hooks: ((options: Record<string, unknown>) => Promise<void> | void)[] = [];
  return {
    hook: { before: (_name: "request", hook: (options: Record<string, unknown>) => Promise<void> | void) => void hooks.push(hook) },
    async send(options: Record<string, unknown>) {
      for (const hook of hooks) await hook(options);
      return options;
    },
  };
}

describe("sanitizeRequests", () => {
  it("redacts and strips bidi controls from every text parameter, and leaves the rest alone", async () => {
    const octokit = fakeOctokit();
    const redactor = new Redactor({ known: ["ghs_installationTokenValue123"] });
    sanitizeRequests(octokit, redactor);

    const sent = await octokit.send({
      method: "PATCH",
      url: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
      owner: "acme",
      repo: "widgets",
      check_run_id: 7,
      title: "token ghs_installationTokenValue123",
      body: "a\u202eb",
      output: { title: "t", summary: "s", text: "log: ghs_installationTokenValue123" },
    });

    expect(sent).toEqual({
      method: "PATCH",
      url: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
      owner: "acme",
      repo: "widgets",
      check_run_id: 7,
      title: "token [redacted]",
      body: "ab",
      output: { title: "t", summary: "s", text: "log: [redacted]" },
    });
  });
});
