/**
 * The secret values in orch's own environment, for `new Redactor({ known })`:
 * what orch holds that must never appear in anything it publishes or logs.
 */
import { readFileSync } from "node:fs";

/** Variables whose whole value is a secret. (The private key and DATABASE_URL are handled apart.) */
const SECRET_VALUE_NAMES = [
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_SECRET",
  "ORCH_PAGE_SECRET",
  "ORCH_METRICS_TOKEN",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GH_ENTERPRISE_TOKEN",
  "GITHUB_ENTERPRISE_TOKEN",
] as const;

/**
 * Returns the distinct non-empty secret values found:
 * - the app's private key from each place it can come from: `privateKey`,
 *   `PRIVATE_KEY`, and the file at `PRIVATE_KEY_PATH` if it can be read (an
 *   unreadable file is skipped: orch fails to start on it anyway, and this
 *   must not throw). Besides each value as given, the forms Probot turns it
 *   into (base64 decoded, `\n` escapes unescaped, a one-line PEM wrapped at
 *   64 characters), since those are what a stack trace or a dump would show;
 * - `WEBHOOK_SECRET`, `GITHUB_CLIENT_SECRET`, `ORCH_PAGE_SECRET`, `ORCH_METRICS_TOKEN`, `GITHUB_TOKEN`, `GH_TOKEN` and
 *   the enterprise token variables, when set;
 * - the password in `databaseUrl` and in `DATABASE_URL`, both as written
 *   and percent-decoded;
 * - the value of each of `agentEnvNames` present in `env`.
 *
 * Short values are returned too; the Redactor decides what is too short to hide.
 */
export function collectKnownSecrets(params: {
  env: NodeJS.ProcessEnv;
  agentEnvNames: readonly string[];
  privateKey?: string;
  databaseUrl?: string;
}): string[] {
  const { env, agentEnvNames } = params;
  const values: string[] = [];

  for (const privateKey of [params.privateKey, env.PRIVATE_KEY, tryReadFile(env.PRIVATE_KEY_PATH)]) {
    if (privateKey) values.push(...buildPrivateKeyForms(privateKey));
  }

  for (const name of SECRET_VALUE_NAMES) {
    const value = env[name];
    if (value) values.push(value);
  }

  values.push(...findDatabasePassword(params.databaseUrl), ...findDatabasePassword(env.DATABASE_URL));

  for (const name of agentEnvNames) {
    const value = env[name];
    if (value) values.push(value);
  }

  return [...new Set(values.filter((value) => value.length > 0))];
}

/** The password of a `scheme://user:password@host/…` URL, as written and decoded; none for `file:` or no password. */
function findDatabasePassword(url: string | undefined): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL orch can use; the store refuses it with its own message.
    return [];
  }
  if (!parsed.password) return [];
  let decoded = parsed.password;
  try {
    decoded = decodeURIComponent(parsed.password);
  } catch {
    // A malformed escape: the raw form is all there is.
  }
  return [parsed.password, decoded];
}

/** The key as given plus the forms @probot/get-private-key derives from it. */
function buildPrivateKeyForms(raw: string): string[] {
  const forms = [raw];
  let key = raw;
  if (!key.includes("-----BEGIN") && Buffer.from(key, "base64").toString("base64") === key) {
    key = Buffer.from(key, "base64").toString("utf8");
    forms.push(key);
  }
  if (key.includes("\\n")) {
    key = key.replace(/\\n/g, "\n");
    forms.push(key);
  }
  const oneLine = /^(-----BEGIN [A-Z ]+-----)\s*([A-Za-z0-9+/=]+)\s*(-----END [A-Z ]+-----)\s*$/.exec(key);
  if (oneLine) {
    const [, begin, body = "", end] = oneLine;
    forms.push([begin, ...(body.match(/.{1,64}/g) ?? []), end, ""].join("\n"));
  }
  return forms;
}

function tryReadFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
