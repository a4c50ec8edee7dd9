/**
 * The Probot app: builds orch's parts and turns each event it listens to
 * into a plain request (github/to-request.ts) for Orch.handle. No logic
 * lives here; see src/orch.ts for where each request goes.
 */
import { pino } from "pino";
import type { ApplicationFunction, ApplicationFunctionOptions, Probot } from "probot";
import { createGitHubFactory } from "./github/thread-client.js";
import { buttonRequest, closedRequest, commentRequest, labelRequest } from "./github/to-request.js";
import type { OrchRequest } from "./commands/request.js";
import { Orch, type OrchOptions } from "./orch.js";
import { createPageHandler } from "./web/page-routes.js";

const REDACTED_LOG_PATHS = [
  "token",
  "*.token",
  "privateKey",
  "*.privateKey",
  "headers.authorization",
  "*.headers.authorization",
  "err.request.headers.authorization",
  "err.response.headers.authorization",
  "env",
  "*.env",
];

/** pino's standard error serializer, with the message and stack passed through the redactor's known values. */
function redactError(error: unknown, redactor: AppOptions["redactor"]): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (!serialized || typeof serialized !== "object") return serialized;
  for (const key of ["message", "stack"]) {
    if (typeof serialized[key] === "string") serialized[key] = redactor.redactKnown(serialized[key] as string);
  }
  return serialized;
}

export type AppOptions = Omit<OrchOptions, "github" | "log">;

/**
 * The app function for Probot. `onStarted` hands the running orch to the
 * caller (main, tests). With `options.page`, the attempt pages are added to
 * Probot's router (a worker's is a no-op: it serves only /healthz).
 */
export function createApp(options: AppOptions, onStarted?: (orch: Orch) => void): ApplicationFunction {
  return async (app: Probot, appOptions?: ApplicationFunctionOptions) => {
    const github = createGitHubFactory((installationId) => app.auth(installationId), options.redactor);
    // Defence in depth: orch never logs a token or key, these paths are censored if one
    // ever gets near a log line, and an error's message passes the known values' redaction.
    const log = app.log.child(
      {},
      {
        redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
        serializers: { err: (error: unknown) => redactError(error, options.redactor) },
      },
    );
    const orch = new Orch({ ...options, github, log });
    // Keep the events in step with payload-schemas.ts and app.yml.
    const forward =
      <C>(toRequest: (context: C) => OrchRequest | undefined) =>
      async (context: C): Promise<void> => {
        const request = toRequest(context);
        if (request) orch.handle(request);
      };
    app.on(["issue_comment.created", "pull_request_review_comment.created"], forward(commentRequest));
    app.on("check_run.requested_action", forward(buttonRequest));
    app.on(["issues.labeled", "pull_request.labeled"], forward(labelRequest));
    app.on(["issues.closed", "pull_request.closed"], forward(closedRequest));
    if (options.page && appOptions?.addHandler) {
      const { store, home, host, redactor } = options;
      appOptions.addHandler(createPageHandler({ store, home, host, redactor, secret: options.page.secret, log: log.child({ name: "attempt-page" }) }));
    }
    await orch.start();
    onStarted?.(orch);
  };
}
