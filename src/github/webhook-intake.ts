/**
 * The guard in front of Probot's webhook middleware. It owns the webhook
 * path: every refusal there is its own, so Probot's middleware (which reads
 * a body whole, with no limit, before it verifies the signature) only ever
 * sees a request whose body is already read, within the cap, signed, JSON,
 * and of the shape orch's handlers need; it gets that body as the string
 * `request.body`, which @octokit/webhooks' node middleware takes instead of
 * reading the stream, and verifies and dispatches it as it always did.
 *
 * In order, on the webhook path:
 *   1. not POST                                  404 (as @octokit/webhooks answers)
 *   2. Content-Length over the cap               413 at once, body unread, connection closed
 *                                                (answer-and-close.ts: after a moment's lingering)
 *   3. Content-Type not application/json         415 (as @octokit/webhooks)
 *   4. X-GitHub-Event, -Delivery or
 *      X-Hub-Signature-256 missing               400 (as @octokit/webhooks)
 *   5. the body passes the cap while read        413 at once, connection closed
 *   6. signature does not match                  400 (as @octokit/webhooks)
 *   7. not JSON                                  400 (as @octokit/webhooks)
 *   8. not an object, or not the shape a
 *      handler needs (payload-schemas.ts)        400 naming the field; no handler runs
 * then Probot, which answers 200 (or 202 when handlers take over 9 s) as before.
 * Refusals are JSON `{"error": "..."}`, like @octokit/webhooks' own.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "probot";
import { answerAndClose, type LingerLimits } from "./answer-and-close.js";
import { tryValidatePayload } from "./payload-schemas.js";
import { readCappedBody } from "./read-capped-body.js";

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones. */
export const MAX_WEBHOOK_PAYLOAD_BYTES = 25 * 1024 * 1024;

/**
 * How long a refused oversized request may go on sending before its
 * connection is closed; what it sends meanwhile is dropped, not kept.
 */
const LINGER: Omit<LingerLimits, "maxDiscardBytes"> = { quietMs: 100, maxMs: 2_000 };

/** Handles a request; resolves true when it answered it (or will), false when the request is not its own. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const REQUIRED_HEADERS = ["x-github-event", "x-hub-signature-256", "x-github-delivery"] as const;
// The same test as @octokit/webhooks' middleware, so nothing it would refuse gets past here.
const JSON_CONTENT_TYPE = /^\s*(application\/json)\s*(?:;|$)/u;
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };
// GitHub sends UTF-8; @octokit/webhooks decodes the same way (no throw on bad bytes, BOM dropped).
const utf8 = new TextDecoder("utf-8", { fatal: false });

export function createWebhookIntake(params: {
  /** The webhook path, e.g. /api/github/webhooks. */
  path: string;
  maxPayloadBytes?: number;
  /** Signature check over the decoded body: Probot's `probot.webhooks.verify`. */
  verify(payload: string, signature: string): Promise<boolean>;
  /** Probot's node middleware; called with `request.body` set. */
  deliver(request: IncomingMessage, response: ServerResponse): Promise<unknown>;
  log: Logger;
}): RequestHandler {
  const { verify, deliver, log } = params;
  const maxBytes = params.maxPayloadBytes ?? MAX_WEBHOOK_PAYLOAD_BYTES;
  const webhookPath = withoutTrailingSlashes(params.path);
  const tooLarge = `payload too large: GitHub webhook payloads are at most ${maxBytes} bytes`;
  const tooLargeAnswer = (request: IncomingMessage, response: ServerResponse, error: string) =>
    answerAndClose({ request, response, status: 413, headers: JSON_HEADERS, body: JSON.stringify({ error }), limits: { ...LINGER, maxDiscardBytes: maxBytes } });

  return async (request, response) => {
    const pathname = pathnameOf(request.url ?? "");
    if (pathname === undefined) {
      refuse(response, 422, `Request URL could not be parsed: ${request.url}`);
      return true;
    }
    if (pathname !== webhookPath) return false;
    if (request.method !== "POST") {
      refuse(response, 404, `Unknown route: ${request.method} ${pathname}`);
      return true;
    }
    const declared = request.headers["content-length"];
    if (declared !== undefined && Number(declared) > maxBytes) {
      log.warn({ contentLength: declared, deliveryId: request.headers["x-github-delivery"] }, "webhook refused: Content-Length over the cap");
      tooLargeAnswer(request, response, `${tooLarge}; this one declares ${declared}`);
      return true;
    }
    const contentType = request.headers["content-type"];
    if (typeof contentType !== "string" || !JSON_CONTENT_TYPE.test(contentType)) {
      refuse(response, 415, 'Unsupported "Content-Type" header value. Must be "application/json"');
      return true;
    }
    const missing = REQUIRED_HEADERS.filter((header) => request.headers[header] === undefined);
    if (missing.length > 0) {
      refuse(response, 400, `Required headers missing: ${missing.join(", ")}`);
      return true;
    }
    const name = String(request.headers["x-github-event"]);
    const deliveryId = String(request.headers["x-github-delivery"]);
    const signature = String(request.headers["x-hub-signature-256"]);
    const context = { deliveryId, event: name };

    const read = await readCappedBody(request, maxBytes);
    if (read.kind === "aborted") {
      log.debug(context, "webhook abandoned by the client before its body ended");
      response.destroy();
      return true;
    }
    if (read.kind === "too-large") {
      log.warn({ ...context, bytesRead: read.bytesRead }, "webhook refused: body over the cap");
      tooLargeAnswer(request, response, tooLarge);
      return true;
    }
    const body = utf8.decode(read.body);
    // An empty body or signature makes verify throw; either way it is not signed.
    if (!(await verify(body, signature).catch(() => false))) {
      log.warn(context, "webhook refused: bad signature. Check that WEBHOOK_SECRET matches the app's webhook secret on GitHub.");
      refuse(response, 400, "Error: [@octokit/webhooks] signature does not match event payload and secret");
      return true;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      log.warn(context, "webhook refused: signed, but not JSON");
      refuse(response, 400, "SyntaxError: Invalid JSON");
      return true;
    }
    const check = tryValidatePayload(name, payload);
    if (!check.ok) {
      log.warn(context, `webhook refused: ${check.reason}`);
      refuse(response, 400, check.reason);
      return true;
    }
    request.body = body;
    await deliver(request, response);
    return true;
  };
}

function refuse(response: ServerResponse, status: number, error: string): void {
  const body = JSON.stringify({ error });
  response.writeHead(status, { ...JSON_HEADERS, "content-length": Buffer.byteLength(body) }).end(body);
}

/** The request's path as @octokit/webhooks' middleware matches it (trailing slashes ignored); undefined if unparsable. */
function pathnameOf(url: string): string | undefined {
  try {
    return new URL(withoutTrailingSlashes(url), "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

function withoutTrailingSlashes(path: string): string {
  const trimmed = path.replace(/\/+$/u, "");
  return trimmed === "" ? "/" : trimmed;
}
