/**
 * Environment variables an agent never gets, whatever the registry lists:
 * the server config refuses them (naming why), and the runner drops them as
 * a second line of defence. One list for both.
 */

/** orch's own credentials: write access to the repository or to orch itself. */
export const ORCH_SECRET_NAMES: ReadonlySet<string> = new Set([
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GH_ENTERPRISE_TOKEN",
  "GITHUB_ENTERPRISE_TOKEN",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_SECRET",
  "ORCH_PAGE_SECRET",
  "DATABASE_URL",
]);

/** Variables that hand git a credential: an askpass program, an SSH agent. (GIT_CONFIG* too: config can carry helpers and headers.) */
export const GIT_CREDENTIAL_CARRIERS: ReadonlySet<string> = new Set(["GIT_ASKPASS", "SSH_ASKPASS", "SSH_AUTH_SOCK"]);

/** True for a name an agent must never receive, in any letter case. */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return ORCH_SECRET_NAMES.has(upper) || GIT_CREDENTIAL_CARRIERS.has(upper) || upper.startsWith("GIT_CONFIG");
}
