/**
 * The last gate before GitHub: every request orch's Octokit sends has its
 * text (`body`, `title`, check-run `output`) passed through the redactor and
 * stripped of bidi controls, whatever built it. Renderers and commands
 * redact what they know to be agent-written already; this catches what
 * anything else lets through (a maintainer's comment quoted in a reply, a
 * git error, a future feature).
 */
import type { Redactor } from "../secrets/redactor.js";
import { stripBidiControlsDeep } from "../render/published-text.js";

/** The request parameters that carry published text. */
const TEXT_PARAMETERS = ["body", "title", "output"] as const;

interface HookableOctokit {
  hook: { before(name: "request", hook: (options: Record<string, unknown>) => Promise<void> | void): void };
}

export function sanitizeRequests(octokit: HookableOctokit, redactor: Redactor): void {
  octokit.hook.before("request", async (options) => {
    for (const key of TEXT_PARAMETERS) {
      if (options[key] === undefined || options[key] === null) continue;
      options[key] = stripBidiControlsDeep(await redactor.redactDeep(options[key]));
    }
  });
}
