/**
 * orch's own environment variables (Probot reads its own), with defaults
 * that make `npm start` work on a fresh clone: SQLite under ./data, ORCH_HOME
 * ./.orch, and the example agent registry when no config file is there yet.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getPrivateKey } from "@probot/get-private-key";
import { ConfigError } from "./config/config-error.js";
import { getProvider, type Provider } from "./store/db.js";
import type { HostRole } from "./store/store.js";
import { WorkspaceError } from "./workspace/errors.js";
import { checkBaseUrl } from "./workspace/layout.js";
import { derivePageSecret } from "./web/page-token.js";

export interface Settings {
  /** DATABASE_URL; it names SQLite or PostgreSQL and parses. */
  databaseUrl: string;
  databaseProvider: Provider;
  /** ORCH_HOME, absolute. */
  home: string;
  configPath: string;
  /** True when ORCH_CONFIG is unset and ./orch.config.yml is missing, so the shipped example is used. */
  isExampleConfig: boolean;
  /** ORCH_GIT_BASE_URL (else made from GHE_PROTOCOL and GHE_HOST), an http(s) or file URL without credentials or trailing `/`. */
  gitBaseUrl: string;
  /** ORCH_HOST_ID: this host's stable name among the hosts sharing the database. */
  host: string;
  /** ORCH_ROLE: `all` (webhooks and attempts), `web` (webhooks, reports; runs no agent) or `worker` (attempts; serves /healthz and /metrics only). */
  role: Role;
  /** ORCH_PUBLIC_URL: where people reach orch (the attempt pages), http(s), no credentials, no trailing `/`; undefined: no page links. */
  publicUrl: string | undefined;
  /** What signs the attempt pages' tokens: from ORCH_PAGE_SECRET, else the GitHub App's private key; undefined without either (setup mode). */
  pageSecret: Buffer | undefined;
  /** ORCH_METRICS_TOKEN: the bearer token `GET /metrics` asks for; undefined: /metrics is open (keep it to your network). */
  metricsToken: string | undefined;
}

export type Role = HostRole;
const ROLES: readonly Role[] = ["all", "web", "worker"];

/** Host ids name queues (pg-boss allows letters, digits, `_` and `-`) and appear in summaries. */
const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/**
 * Reads the settings from `env`. A DATABASE_URL or ORCH_GIT_BASE_URL orch
 * cannot use is a ConfigError saying what a right one looks like, so orch
 * stops before it opens anything; the database and git code check the same
 * rules (store/db.ts getProvider, workspace/layout.ts checkBaseUrl).
 */
export function readSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): Settings {
  const explicitConfig = env.ORCH_CONFIG;
  const defaultConfig = path.resolve(cwd, "orch.config.yml");
  const isExampleConfig = !explicitConfig && !fs.existsSync(defaultConfig);
  const databaseUrl = env.DATABASE_URL || "file:./data/orch.db";
  const databaseProvider = getProvider(databaseUrl);
  return {
    databaseUrl,
    databaseProvider,
    home: path.resolve(cwd, env.ORCH_HOME || "./.orch"),
    configPath: explicitConfig
      ? path.resolve(cwd, explicitConfig)
      : isExampleConfig
        ? path.resolve(cwd, "orch.config.example.yml")
        : defaultConfig,
    isExampleConfig,
    gitBaseUrl: readGitBaseUrl(env),
    host: readHostId(env),
    role: readRole(env, databaseProvider),
    publicUrl: readPublicUrl(env),
    pageSecret: readPageSecret(env, cwd),
    metricsToken: readMetricsToken(env),
  };
}

function readMetricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.ORCH_METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < MIN_PAGE_SECRET || !/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError("ORCH_METRICS_TOKEN", [
      `ORCH_METRICS_TOKEN: expected at least ${MIN_PAGE_SECRET} printable characters without spaces (e.g. the output of \`openssl rand -hex 32\`), the token Prometheus sends as \`Authorization: Bearer …\`; it has ${token.length}${/\s/.test(token) ? " and a space" : ""}. Or leave it unset, and keep /metrics to your network.`,
    ]);
  }
  return token;
}

/** At least this long, so a secret (the page links', the metrics token) is not guessable from a short word. */
const MIN_PAGE_SECRET = 32;

function readPageSecret(env: NodeJS.ProcessEnv, cwd: string): Buffer | undefined {
  if (env.ORCH_PAGE_SECRET !== undefined && env.ORCH_PAGE_SECRET !== "") {
    if (env.ORCH_PAGE_SECRET.length < MIN_PAGE_SECRET) {
      throw new ConfigError("ORCH_PAGE_SECRET", [
        `ORCH_PAGE_SECRET: expected at least ${MIN_PAGE_SECRET} random characters (e.g. the output of \`openssl rand -hex 32\`), the same on every host; it has ${env.ORCH_PAGE_SECRET.length}. Or leave it unset: the GitHub App's private key then signs the page links.`,
      ]);
    }
    return derivePageSecret({ pageSecret: env.ORCH_PAGE_SECRET });
  }
  let privateKey: string | null;
  try {
    // Probot's own reading (PRIVATE_KEY, its \\n and base64 forms, PRIVATE_KEY_PATH, a .pem here), so every host finds the same key.
    privateKey = getPrivateKey({ env, cwd });
  } catch {
    privateKey = null;
  }
  return privateKey ? derivePageSecret({ privateKey }) : undefined;
}

function readPublicUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.ORCH_PUBLIC_URL?.trim();
  if (!raw) return undefined;
  const example = "Set ORCH_PUBLIC_URL to the address people open orch at, like https://orch.example.com or https://tools.example.com/orch.";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("ORCH_PUBLIC_URL", [`ORCH_PUBLIC_URL: ${JSON.stringify(raw)} is not a URL. ${example}`]);
  }
  const problem =
    url.protocol !== "http:" && url.protocol !== "https:"
      ? `expected an http or https URL; got ${url.protocol.replace(/:$/, "")}`
      : url.username || url.password
        ? "it holds a user name or password, which every page link would carry"
        : url.search || url.hash
          ? "expected no query or fragment"
          : undefined;
  if (problem) throw new ConfigError("ORCH_PUBLIC_URL", [`ORCH_PUBLIC_URL: ${problem}. ${example}`]);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function readRole(env: NodeJS.ProcessEnv, provider: Provider): Role {
  const role = (env.ORCH_ROLE || "all").trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new ConfigError("ORCH_ROLE", [`ORCH_ROLE: expected all, web or worker; got ${JSON.stringify(env.ORCH_ROLE)}`]);
  }
  if (role !== "all" && provider === "sqlite") {
    throw new ConfigError("ORCH_ROLE", [
      `ORCH_ROLE: ${role} needs hosts that share one database, and SQLite (DATABASE_URL file:…) belongs to one process. Use ORCH_ROLE=all on one host, or point DATABASE_URL at PostgreSQL.`,
    ]);
  }
  return role as Role;
}

function readHostId(env: NodeJS.ProcessEnv): string {
  const host = env.ORCH_HOST_ID || os.hostname().split(".")[0] || "orch";
  if (!HOST_ID.test(host)) {
    throw new ConfigError("ORCH_HOST_ID", [
      `ORCH_HOST_ID: expected 1 to 63 letters, digits, "_" or "-", starting with a letter or digit, like web-1 or worker-2; got ${JSON.stringify(host)}`,
    ]);
  }
  return host;
}

function readGitBaseUrl(env: NodeJS.ProcessEnv): string {
  const gheHost = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}` : undefined;
  try {
    return checkBaseUrl(env.ORCH_GIT_BASE_URL || gheHost || "https://github.com");
  } catch (error) {
    if (!(error instanceof WorkspaceError)) throw error;
    const madeFrom = env.ORCH_GIT_BASE_URL ? "" : " (ORCH_GIT_BASE_URL is unset, so orch made it from GHE_PROTOCOL and GHE_HOST)";
    throw new ConfigError("ORCH_GIT_BASE_URL", [
      `${error.message}${madeFrom}. Set ORCH_GIT_BASE_URL to the address of the GitHub server orch clones from, like https://github.com or https://github.example.com.`,
    ]);
  }
}
