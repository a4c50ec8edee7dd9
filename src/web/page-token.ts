/**
 * The attempt page's links carry a token, so a page cannot be found by
 * counting attempt ids: HMAC-SHA256 of the attempt id with a server secret.
 * The secret is ORCH_PAGE_SECRET when set, else derived from the GitHub App's
 * private key, which every host (web and worker) has, so the link a worker
 * puts on a check run opens on the web host with no extra configuration.
 */
import crypto from "node:crypto";

/** How this host links to and serves attempt pages. */
export interface PageSettings {
  /** ORCH_PUBLIC_URL without a trailing `/`; undefined: pages are served but nothing links to them. */
  publicUrl: string | undefined;
  /** Signs the links' tokens; the same on every host. */
  secret: Buffer;
}

/** What the key-derived secret is an HMAC of, so the private key itself never signs a page link. */
const DERIVE_LABEL = "orch attempt page token v1";

/**
 * The secret that signs page links: `pageSecret` (ORCH_PAGE_SECRET) when
 * given, else an HMAC of a fixed label keyed with the private key in its
 * canonical form (PKCS#8 DER), so a key given as PEM text, with `\n`
 * escapes or as a file yields the same secret on every host.
 */
export function derivePageSecret(params: { pageSecret?: string; privateKey?: string }): Buffer | undefined {
  if (params.pageSecret) return crypto.createHash("sha256").update(params.pageSecret, "utf8").digest();
  if (!params.privateKey) return undefined;
  let key: Buffer;
  try {
    key = crypto.createPrivateKey(params.privateKey).export({ type: "pkcs8", format: "der" });
  } catch {
    // Not a key Node can read (Probot would refuse it too): the text itself, trimmed.
    key = Buffer.from(params.privateKey.trim(), "utf8");
  }
  return crypto.createHmac("sha256", key).update(DERIVE_LABEL).digest();
}

/** The token of an attempt's page: base64url of HMAC-SHA256(secret, attempt id), 43 characters. */
export function signAttemptToken(secret: Buffer, attemptId: number): string {
  return crypto.createHmac("sha256", secret).update(`attempt:${attemptId}`).digest("base64url");
}

/** Whether `token` is the attempt's; compared in constant time. A missing or odd-length token is simply false. */
export function isAttemptToken(secret: Buffer, attemptId: number, token: string | null | undefined): boolean {
  if (typeof token !== "string") return false;
  const expected = Buffer.from(signAttemptToken(secret, attemptId), "utf8");
  const given = Buffer.from(token, "utf8");
  // timingSafeEqual needs equal lengths; the length of a right token is public anyway.
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** `<publicUrl>/attempts/<id>?token=<t>`; publicUrl has no trailing `/` (settings.ts). */
export function buildAttemptPageUrl(params: { publicUrl: string; secret: Buffer; attemptId: number }): string {
  const { publicUrl, secret, attemptId } = params;
  return `${publicUrl}/attempts/${attemptId}?token=${signAttemptToken(secret, attemptId)}`;
}

/** The page URL maker for check runs and the status comment; undefined without a public URL. */
export function createAttemptUrl(page: PageSettings | undefined): ((attemptId: number) => string) | undefined {
  const publicUrl = page?.publicUrl;
  if (!page || publicUrl === undefined) return undefined;
  return (attemptId) => buildAttemptPageUrl({ publicUrl, secret: page.secret, attemptId });
}
