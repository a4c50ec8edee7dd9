/**
 * The shape of every webhook payload orch handles: exactly the fields the
 * edge (to-request.ts) reads, no more. The intake
 * (webhook-intake.ts) checks a signed payload against them before Probot
 * runs a handler, so a malformed payload is a 400 naming the field rather
 * than a TypeError and a 500 from deep inside a handler.
 *
 * Fields a handler tolerates missing (`installation`, `label`,
 * `requested_action`: the delivery is not for orch) are optional here too, but
 * when present they must have the type the handler uses. Unknown keys are
 * allowed: GitHub adds fields, and Probot gets the payload as it came.
 *
 *     tryValidatePayload("issue_comment", { action: "created", issue: {} , ... })
 *       → { ok: false, reason: "invalid issue_comment payload: issue.number: expected a number (missing)" }
 *     tryValidatePayload("push", { ref: "refs/heads/main" })  → { ok: true }
 *     tryValidatePayload("push", null)  → { ok: false, reason: "invalid push payload: expected an object, received null" }
 */
import { z } from "zod";

/** An issue or a pull request, as to-request.ts reads it. */
const thread = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().optional(),
  html_url: z.string(),
  state: z.string().optional(),
  pull_request: z.unknown().optional(),
});

/** What context.repo() and to-request.ts read. */
const repository = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string(),
});

const sender = z.object({ login: z.string(), type: z.string() });

/** Handlers skip a payload without one; with one, its id is the installation they act for. */
const installation = z.object({ id: z.number() }).optional();

const common = { repository, sender, installation };

/** commentRequest (to-request.ts): the comment's body is parsed for commands, its id gets the 👀 reaction. */
const comment = z.object({ id: z.number(), body: z.string().nullable() });

/** labelRequest (to-request.ts) skips a payload without a label name. */
const label = z.object({ name: z.string() }).optional();

const checkRunRequestedAction = z.object({
  ...common,
  // buttonRequest (to-request.ts): external_id is the attempt id; an id orch does not have is skipped as not its button.
  check_run: z.object({ external_id: z.string().nullable().optional(), name: z.string() }),
  requested_action: z.object({ identifier: z.string() }).optional(),
});

/** `<event>.<action>` → the schema its handler needs. Keep in step with the app.on(...) calls in src/app.ts. */
export const PAYLOAD_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  "issue_comment.created": z.object({ ...common, issue: thread, comment }),
  "pull_request_review_comment.created": z.object({ ...common, pull_request: thread, comment }),
  "check_run.requested_action": checkRunRequestedAction,
  "issues.labeled": z.object({ ...common, issue: thread, label }),
  "pull_request.labeled": z.object({ ...common, pull_request: thread, label }),
  "issues.closed": z.object({ ...common, issue: thread }),
  "pull_request.closed": z.object({ ...common, pull_request: thread }),
};

/** Every webhook payload is a JSON object; Probot answers 500 to `null` or a number. */
const anyPayload = z.object({});

export type PayloadCheck = { ok: true } | { ok: false; reason: string };

/** Reasons name at most this many fields; the rest are counted. */
const MAX_REASONS = 3;

/**
 * Checks `payload` (parsed JSON) of the event `name` against the schema of
 * `<name>.<payload.action>`, or, for an event orch does not handle, only that
 * it is an object. Never throws.
 */
export function tryValidatePayload(name: string, payload: unknown): PayloadCheck {
  const action = isRecord(payload) && typeof payload.action === "string" ? payload.action : undefined;
  const schema = (action !== undefined && Object.hasOwn(PAYLOAD_SCHEMAS, `${name}.${action}`) && PAYLOAD_SCHEMAS[`${name}.${action}`]) || anyPayload;
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true };
  const issues = result.error.issues;
  const shown = issues.slice(0, MAX_REASONS).map((issue) => describeIssue(issue, payload));
  const more = issues.length > MAX_REASONS ? `; and ${issues.length - MAX_REASONS} more` : "";
  return { ok: false, reason: `invalid ${name} payload: ${shown.join("; ")}${more}` };
}

function describeIssue(issue: z.ZodError["issues"][number], payload: unknown): string {
  const path = issue.path.map(String).join(".");
  const prefix = path ? `${path}: ` : "";
  if (issue.code !== "invalid_type") return `${prefix}${issue.message}`;
  const found = valueAt(payload, issue.path);
  const received = found.isPresent ? `, received ${describeValue(found.value)}` : " (missing)";
  return `${prefix}expected ${withArticle(issue.expected)}${received}`;
}

function valueAt(root: unknown, path: PropertyKey[]): { isPresent: boolean; value?: unknown } {
  let value = root;
  for (const key of path) {
    if (!isRecord(value) && !Array.isArray(value)) return { isPresent: false };
    if (!Object.hasOwn(value, key)) return { isPresent: false };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { isPresent: value !== undefined, value };
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return withArticle(typeof value);
}

function withArticle(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
