/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the test run, unless
 * TEST_PG_URL points at one already (a superuser URL; each test file creates its
 * own database there). Store tests run against it as well as against SQLite.
 *
 * The cluster uses Debian's server binaries (package `postgresql`), found under
 * /usr/lib/postgresql/<version>/bin or via PG_BIN. PostgreSQL refuses to run as
 * root, so as root the server runs as the `postgres` user the package creates.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { freePort } from "./helpers/free-port.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

function findPostgresBin(): string {
  const candidates = [
    process.env.PG_BIN,
    ...(fs.existsSync("/usr/lib/postgresql")
      ? fs
          .readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []),
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "initdb")));
  if (!found) {
    throw new Error(
      "PostgreSQL server binaries not found (looked for initdb in PG_BIN and /usr/lib/postgresql/*/bin). " +
        "Install them with `apt-get install -y postgresql`, or set TEST_PG_URL to a PostgreSQL superuser URL.",
    );
  }
  return found;
}


/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
function runPostgresBinary(bin: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  if (isRoot) execFileSync("runuser", ["-u", "postgres", "--", bin, ...args], { stdio: "pipe" });
  else execFileSync(bin, args, { stdio: "pipe" });
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.TEST_PG_URL) {
    project.provide("pgAdminUrl", process.env.TEST_PG_URL);
    return () => {};
  }
  const bin = findPostgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orch-pg-"));
  if (process.getuid?.() === 0) {
    fs.chmodSync(dir, 0o755);
    execFileSync("chown", ["postgres:postgres", dir]);
  }
  const dataDir = path.join(dir, "data");
  const port = await freePort();
  runPostgresBinary(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  runPostgresBinary(path.join(bin, "pg_ctl"), [
    "-D", dataDir, "-l", path.join(dir, "server.log"), "-w",
    "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`,
    "start",
  ]);
  project.provide("pgAdminUrl", `postgresql://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      runPostgresBinary(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Creates an empty database named `<prefix>_<random>` on the cluster at `adminUrl`; returns its URL. */
export async function createPostgresDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
