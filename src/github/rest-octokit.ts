/**
 * GitHub for processes other than the Probot server: the operator's command
 * line. `@octokit/rest` with the app's own credentials (APP_ID and
 * PRIVATE_KEY or PRIVATE_KEY_PATH, read as Probot reads them) through
 * `@octokit/auth-app`: a JWT for `GET /app`, an installation token for a
 * thread's installation. GHE_HOST and GHE_PROTOCOL give the API root, as
 * for the server (probot-octokit.ts). The `.github/orch.yml` reader is
 * Probot's own plugin, so the command line reads a repository's config as
 * a comment's handler does.
 */
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { getPrivateKey } from "@probot/get-private-key";
import { config } from "@probot/octokit-plugin-config";
import type { Octokit as ServerOctokit } from "./thread-client.js";

const RestOctokit = Octokit.plugin(config);

/** The app's credentials as the environment gives them. */
export interface AppCredentials {
  appId: string;
  privateKey: string;
}

/** What is missing or wrong about the app's credentials, in words for an operator; undefined when they can be used. */
export type CredentialsProblem = { kind: "no_app_id" } | { kind: "no_private_key" } | { kind: "bad_private_key"; why: string };

/** Reads APP_ID and the private key (PRIVATE_KEY, PRIVATE_KEY_PATH, or a single .pem in `cwd`, as Probot does). */
export function readAppCredentials(env: NodeJS.ProcessEnv, cwd = process.cwd()): AppCredentials | CredentialsProblem {
  const appId = env.APP_ID?.trim();
  if (!appId) return { kind: "no_app_id" };
  let privateKey: string | null;
  try {
    privateKey = getPrivateKey({ env, cwd });
  } catch (error) {
    return { kind: "bad_private_key", why: error instanceof Error ? error.message.replace(/^\[@probot\/get-private-key\] /, "") : String(error) };
  }
  if (!privateKey) return { kind: "no_private_key" };
  return { appId, privateKey };
}

/** The API root: GitHub Enterprise's `<protocol>://<host>/api/v3`, else api.github.com. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com";
}

/** An Octokit that authenticates as the app itself (a JWT): for `GET /app`. */
export function createAppOctokit(params: { credentials: AppCredentials; env: NodeJS.ProcessEnv }): Octokit {
  const { credentials, env } = params;
  return new Octokit({
    baseUrl: apiBaseUrl(env),
    authStrategy: createAppAuth,
    auth: { appId: credentials.appId, privateKey: credentials.privateKey },
    userAgent: "orch-cli",
    log: QUIET_LOG,
  });
}

/**
 * One Octokit per installation, for createGitHubFactory (thread-client.ts):
 * the token is fetched on first use and renewed by auth-app. ThreadClient
 * calls `rest`, `auth` and `config`, which this one has like Probot's.
 */
export function createInstallationOctokits(params: { credentials: AppCredentials; env: NodeJS.ProcessEnv }): (installationId: number) => Promise<ServerOctokit> {
  const { credentials, env } = params;
  return async (installationId) =>
    new RestOctokit({
      baseUrl: apiBaseUrl(env),
      authStrategy: createAppAuth,
      auth: { appId: credentials.appId, privateKey: credentials.privateKey, installationId },
      userAgent: "orch-cli",
      log: QUIET_LOG,
    }) as unknown as ServerOctokit;
}

/** Octokit warns on stderr (deprecations); the command line's own messages say what matters. */
const QUIET_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
