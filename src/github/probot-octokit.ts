/**
 * The Octokit class orch gives Probot: Probot's own (retry, throttling,
 * pagination), with two fixes from the environment.
 *
 * - GHE_HOST: Probot gives the app-auth strategy a `request` without its
 *   baseUrl, so `octokit.auth({ type: "installation" })` asks api.github.com
 *   for the token unless a request through the auth hook (which passes the
 *   baseUrl) fetched it first. A worker's first GitHub call is exactly that
 *   token, for the clone; here the strategy's `request` gets the same baseUrl
 *   as every other request.
 * - ORCH_GITHUB_THROTTLE=off: no client-side throttling (Probot spaces each
 *   process's writes a second apart, as github.com's secondary rate limits
 *   ask). For a GitHub Enterprise Server without those limits, and for tests
 *   and benchmarks against a fake GitHub.
 *
 * With `onRequestError`, it is also told the HTTP status of every request
 * that fails (orch_github_request_errors_total). Its hook is added after
 * Probot's plugins, so it wraps their retries: a 502 retried into a 200 is
 * not an error, one that stays a 502 is counted once. A 404 for a file's
 * contents is GitHub's "no such file", which the config reader asks for on
 * every command (.github/orch.yml, then the owner's .github repository): an
 * answer, not an error, so it is not counted.
 */
import { ProbotOctokit } from "probot";
import { ConfigError } from "../config/config-error.js";

type Octokit = typeof ProbotOctokit;
interface InstanceOptions {
  auth?: { request?: { defaults(options: object): unknown } };
  throttle?: object;
}

export function octokitFromEnv(
  env: NodeJS.ProcessEnv,
  options: { onRequestError?: (status: number | undefined) => void } = {},
): Octokit | undefined {
  const { onRequestError } = options;
  const configured = configuredOctokit(env);
  if (!onRequestError) return configured;
  return (configured ?? ProbotOctokit).plugin((octokit) => {
    octokit.hook.error("request", (error, request) => {
      const { status } = error as { status?: unknown };
      const code = typeof status === "number" ? status : undefined;
      if (!(code === 404 && request.method === "GET" && /\/contents\//.test(request.url))) onRequestError(code);
      throw error;
    });
  }) as Octokit;
}

/** Probot's Octokit with the GHE_HOST and ORCH_GITHUB_THROTTLE fixes; undefined when neither applies. */
function configuredOctokit(env: NodeJS.ProcessEnv): Octokit | undefined {
  const baseUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : undefined;
  const throttle = env.ORCH_GITHUB_THROTTLE ?? "on";
  if (throttle !== "on" && throttle !== "off") {
    throw new ConfigError("ORCH_GITHUB_THROTTLE", [`ORCH_GITHUB_THROTTLE: expected "on" (the default) or "off"; got ${JSON.stringify(throttle.slice(0, 40))}`]);
  }
  if (!baseUrl && throttle === "on") return undefined;
  // The function form: Probot re-applies its own throttle options over an object (see shared/notes).
  return ProbotOctokit.defaults((options: InstanceOptions) => {
    const request = options.auth?.request;
    return {
      ...options,
      ...(baseUrl && request ? { auth: { ...options.auth, request: request.defaults({ baseUrl }) } } : {}),
      ...(throttle === "off" ? { throttle: { enabled: false } } : {}),
    };
  }) as Octokit;
}
