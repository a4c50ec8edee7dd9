/**
 * The one place that runs secretlint: finds text shaped like a secret
 * (GitHub tokens, PEM private keys, cloud and model API keys, passwords in
 * URLs) with the rules of @secretlint/secretlint-rule-preset-recommend, plus
 * two supplements for shapes DESIGN.md names that the preset misses:
 * googleApiKeyRule and pemPrivateKeyRule (each file says what it adds).
 *
 * Three departures from "just use the preset":
 *
 * - The preset's filter-comments rule is left out. It makes secretlint skip
 *   everything after a `secretlint-disable` comment, so any text (an agent's
 *   log, a file in its diff) could switch the scan off for what follows.
 *   What orch scans is written by the agent, and through an issue by anyone.
 * - secretlint's profiler is silenced (see silenceProfiler below).
 * - The AWS rule's range for a secret access key is corrected (see
 *   fixAwsSecretRange below): as reported it would leave most of the key.
 *
 * Ranges are never read back into messages: secretlint's `message` and
 * `data` quote the secret, so only rule and message ids leave this file.
 */
import { performance } from "node:perf_hooks";
import { lintSource } from "@secretlint/core";
import { secretLintProfiler } from "@secretlint/profiler";
import { rules as recommendedRules } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintCoreConfig, SecretLintRuleCreator } from "@secretlint/types";
import { GOOGLE_API_KEY_RULE_ID, googleApiKeyRule } from "./google-api-key-rule.js";
import { PEM_PRIVATE_KEY_RULE_ID, pemPrivateKeyRule } from "./pem-private-key-rule.js";
import type { SecretRange } from "./ranges.js";

const FILTER_COMMENTS_RULE_ID = "@secretlint/secretlint-rule-filter-comments";
const RULE_ID_PREFIX = "@secretlint/secretlint-rule-";

/**
 * Human names per rule id, or per `ruleId#messageId` where one rule finds
 * several kinds. Built from ids only, so a name never holds a secret.
 */
const RULE_NAMES: Readonly<Record<string, string>> = {
  "aws#AWSSecretAccessKey": "AWS secret access key",
  "aws#AWSAccessKeyID": "AWS access key ID",
  "aws#AWSAccountID": "AWS account ID",
  gcp: "Google Cloud service account key",
  privatekey: "private key",
  npm: "npm token",
  "npm#PackageJSON_xOauthToken": "GitHub token",
  basicauth: "password in a URL",
  slack: "Slack token",
  "slack#IncomingWebhook": "Slack webhook URL",
  sendgrid: "SendGrid API key",
  shopify: "Shopify API key",
  github: "GitHub token",
  openai: "OpenAI API key",
  anthropic: "Anthropic API key",
  linear: "Linear API key",
  "1password": "1Password service account token",
  "database-connection-string": "database URL with a password",
  [GOOGLE_API_KEY_RULE_ID]: "Google API key",
  [PEM_PRIVATE_KEY_RULE_ID]: "private key",
};

const ruleCreators: SecretLintRuleCreator[] = [
  ...recommendedRules.filter((rule) => rule.meta.id !== FILTER_COMMENTS_RULE_ID),
  googleApiKeyRule,
  pemPrivateKeyRule,
];

const config: SecretLintCoreConfig = {
  rules: ruleCreators.map((rule) => ({ id: rule.meta.id, rule, options: {} })),
};

/** The rule ids in use (exported for tests: the filter-comments rule must not be among them). */
export const SECRET_SHAPE_RULE_IDS: readonly string[] = ruleCreators.map((rule) => rule.meta.id);

silenceProfiler();

/**
 * The spans of `text` that look like secrets, in secretlint's order, with a
 * short human rule name each. Throws if secretlint fails (it should not); the
 * error names no part of the text.
 */
export async function findSecretShapes(text: string): Promise<SecretRange[]> {
  if (text.length === 0) return [];
  let result;
  try {
    result = await lintSource({
      // A neutral name: rules that switch on a file name (.npmrc, package.json, .p12, .json) must not fire on log text.
      source: { filePath: "orch-scan.txt", ext: ".txt", content: text, contentType: "text" },
      options: { config, maskSecrets: true, noPhysicFilePath: true },
    });
  } catch (error) {
    // Only the error's class: a rule's message could quote the text it choked on.
    const reason = error instanceof Error ? error.name : typeof error;
    throw new Error(`the secret scanner failed (${reason})`);
  }
  return result.messages.map((message) => {
    const [start, end] =
      message.messageId === "AWSSecretAccessKey" ? fixAwsSecretRange(text, message.range) : message.range;
    return { start, end, rule: getRuleName(message.ruleId, message.messageId) };
  });
}

/** "GitHub token" for the GitHub rule, and a readable fallback for a rule added later. */
export function getRuleName(ruleId: string, messageId: string | undefined): string {
  const shortId = ruleId.startsWith(RULE_ID_PREFIX) ? ruleId.slice(RULE_ID_PREFIX.length) : ruleId;
  return RULE_NAMES[`${shortId}#${messageId ?? ""}`] ?? RULE_NAMES[shortId] ?? `${shortId} secret`;
}

// secretlint's reportAWSSecretAccessKey pattern, as in 11.7.1.
const AWS_SECRET_PATTERN = String.raw`["']?(?:AWS|aws|Aws)?_?(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/\+=]{40})["']?\b`;

/**
 * secretlint 11.7.1's AWS rule matches `aws_secret_access_key = "<40 chars>"`
 * but reports `[matchStart, matchStart + 40]`: the start of the whole match
 * with the length of the key, which covers the variable name and only the
 * first characters of the key. This re-runs its pattern at that start and
 * returns the key's own span; if the pattern no longer matches (a later
 * secretlint fixed it), the range is widened to the end of the line, which
 * hides at least as much.
 */
export function fixAwsSecretRange(text: string, range: readonly [number, number]): [number, number] {
  const [start, end] = range;
  const pattern = new RegExp(AWS_SECRET_PATTERN, "dy");
  pattern.lastIndex = start;
  const key = pattern.exec(text)?.indices?.[1];
  if (key && key[0] >= start) return [key[0], key[1]];
  const lineEnd = text.indexOf("\n", start);
  return [start, Math.max(end, lineEnd === -1 ? text.length : lineEnd)];
}

/**
 * secretlint 11 marks about 60 `performance` entries per scan, and its
 * profiler keeps every one of them (and so does Node's global performance
 * timeline, which is never cleared): measured here, 120,000 entries after
 * 2,000 scans. orch scans every text it publishes for weeks on end, so that
 * is a leak. The profiler is only read by the secretlint CLI's `--profile`;
 * replacing its `performance` with a no-op stops the marks at the source.
 * (Clearing the marks afterwards instead would race the profiler's own
 * deferred `performance.measure`, which throws on a cleared mark as an
 * unhandled rejection.)
 */
function silenceProfiler(): void {
  const quiet = { mark: () => undefined, measure: () => undefined, now: () => performance.now() };
  (secretLintProfiler as unknown as { perf: typeof quiet }).perf = quiet;
}
