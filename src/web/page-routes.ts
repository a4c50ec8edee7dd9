/**
 * The attempt page's routes, added to Probot's router (createApp's
 * addHandler), so they are served on the app's own port beside the webhooks:
 *
 *     GET /attempts/<id>?token=<t>                 the page (attempt-page.ts)
 *     GET /attempts/<id>/events?token=<t>&from=<n> its live log (log-stream.ts)
 *
 * A wrong or missing token and an unknown attempt get the same 404, so the
 * answer tells nothing about which attempts exist. Every answer carries a
 * strict Content-Security-Policy (script and style only with the response's
 * nonce), nosniff, no referrer (the token is in the URL) and no caching.
 * Behind a reverse proxy that serves orch under a path (ORCH_PUBLIC_URL
 * https://example.com/orch), the proxy strips that path; the page's own
 * links are relative, so they work under any prefix.
 */
import crypto from "node:crypto";
import type http from "node:http";
import type { Logger } from "pino";
import type { Redactor } from "../secrets/redactor.js";
import type { Store } from "../store/store.js";
import { getAttemptFiles } from "../pipeline/attempt-files.js";
import { renderAttemptPage } from "./attempt-page.js";
import { loadAttemptPage } from "./load-attempt-page.js";
import { streamAttemptLog } from "./log-stream.js";
import { isAttemptToken } from "./page-token.js";

const ROUTE = /^\/attempts\/([1-9][0-9]{0,14})(\/events)?$/;

/** Live logs open at once on this host; each looks at the database twice a second, so a crowd of open tabs is capped. */
const MAX_STREAMS = 100;

export interface PageDeps {
  store: Pick<Store, "findAttemptContext" | "findRun" | "findLogTail" | "findVerifyTail">;
  /** ORCH_HOME, where this host keeps its attempts' logs. */
  home: string;
  /** This host's id: only its own attempts' logs are on its disk. */
  host: string;
  redactor: Redactor;
  secret: Buffer;
  log: Logger;
  /** Default MAX_STREAMS. */
  maxStreams?: number;
}

function securityHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      // data: for the empty icon, which spares the browser asking for /favicon.ico.
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
  };
}

function notFound(response: http.ServerResponse, headers: Record<string, string>): true {
  response.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" }).end("Not found: this attempt page does not exist, or the link is not complete.\n");
  return true;
}

/** The handler for Probot's router: true when it answered (a path under /attempts/), false to let the next one try. */
export function createPageHandler(deps: PageDeps): (request: http.IncomingMessage, response: http.ServerResponse) => Promise<boolean> {
  const { store, home, host, redactor, secret, log } = deps;
  const maxStreams = deps.maxStreams ?? MAX_STREAMS;
  let openStreams = 0;
  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://orch.invalid");
    if (!url.pathname.startsWith("/attempts/")) return false;
    const nonce = crypto.randomBytes(16).toString("base64");
    const headers = securityHeaders(nonce);
    const match = ROUTE.exec(url.pathname);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { ...headers, allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("Only GET is served here.\n");
      return true;
    }
    const attemptId = Number(match?.[1]);
    if (!match || !Number.isSafeInteger(attemptId) || !isAttemptToken(secret, attemptId, url.searchParams.get("token"))) return notFound(response, headers);

    if (match[2]) {
      const context = await store.findAttemptContext(attemptId);
      if (!context) return notFound(response, headers);
      if (openStreams >= maxStreams) {
        // EventSource tries again by itself; the page keeps what it has meanwhile.
        response.writeHead(503, { ...headers, "retry-after": "10", "content-type": "text/plain; charset=utf-8" }).end("Too many live logs are open on this host; try again soon.\n");
        return true;
      }
      openStreams++;
      const isLocal = context.attempt.host === null || context.attempt.host === host;
      // EventSource resends the last id it saw when it reconnects: the offset it had.
      const from = Number(request.headers["last-event-id"] ?? url.searchParams.get("from") ?? 0);
      void streamAttemptLog({
        request,
        response,
        logFile: isLocal ? getAttemptFiles(home, attemptId).logFile : undefined,
        findLogTail: () => store.findLogTail(attemptId),
        from: Number.isSafeInteger(from) && from >= 0 ? from : 0,
        findAttempt: async () => (await store.findAttemptContext(attemptId))?.attempt,
        redact: (text) => redactor.redact(text),
        headers,
      })
        .catch((error: unknown) => {
          log.warn({ err: error, attemptId }, "the attempt page's live log stopped");
          response.destroy();
        })
        .finally(() => openStreams--);
      return true;
    }

    const data = await loadAttemptPage({ store, home, host, redactor, secret }, { attemptId });
    if (!data) return notFound(response, headers);
    const body = renderAttemptPage(data, nonce);
    response.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" });
    response.end(request.method === "HEAD" ? undefined : body);
    return true;
  };
}
