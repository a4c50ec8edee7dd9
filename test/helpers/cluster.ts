/**
 * Several real orch processes as separate hosts: each its own ORCH_HOME,
 * working directory, host id and role, all sharing one PostgreSQL database
 * (a new one on the test run's cluster, test/global-setup.ts), one bare git
 * remote and one fake GitHub served over HTTP.
 *
 *     const cluster = await prepareCluster({ hosts: [{ id: "web", role: "web" }, { id: "w1", role: "worker" }], agents });
 *     const web = await startHost(cluster, "web");
 *     await web.deliver("issue_comment", payload);
 *     await cleanupCluster(cluster);
 *
 * The test reads the shared database through src/store (`cluster.store`).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { migrateDatabase, openDb } from "../../src/store/db.js";
import { createStore, type Store } from "../../src/store/store.js";
import { FakeGitHub } from "../fakes/fake-github.js";
import { serveFakeGitHub, type FakeGitHubServer } from "../fakes/github-server.js";
import { createPostgresDatabase } from "../global-setup.js";
import { APP_OWNER, APP_REPO, cleanupApp, prepareApp, startApp, type AppAgent, type AppProcess, type AppSetup } from "./app-process.js";
import { createRemote, type Remote } from "./git-remote.js";

export interface ClusterHost {
  id: string;
  role: "all" | "web" | "worker";
}

export interface Cluster {
  root: string;
  github: FakeGitHub;
  server: FakeGitHubServer;
  remote: Remote;
  databaseUrl: string;
  store: Store;
  setups: Map<string, AppSetup>;
}

export async function prepareCluster(params: {
  hosts: ClusterHost[];
  agents: Record<string, AppAgent>;
  maxRunning: number;
  maxRunningPerHost?: number;
  /** scale.host_ttl, e.g. "3s". */
  hostTtl: string;
  /** The PostgreSQL superuser URL to create the database on; default the test run's (vitest's inject("pgAdminUrl")). The bench passes its own. */
  adminUrl?: string;
  /** Where the temp root goes (default os.tmpdir()). */
  parentDir?: string;
  /** More environment for every host (after the cluster's own, e.g. LOG_LEVEL). */
  env?: Record<string, string>;
}): Promise<Cluster> {
  const root = fs.mkdtempSync(path.join(params.parentDir ?? os.tmpdir(), "orch-cluster-"));
  const github = new FakeGitHub(APP_OWNER, APP_REPO);
  const server = await serveFakeGitHub(github);
  const remote = await createRemote({ root: path.join(root, "remotes"), owner: APP_OWNER, repo: APP_REPO, files: { "README.md": "# widgets\n" } });
  const databaseUrl = await createPostgresDatabase(params.adminUrl ?? inject("pgAdminUrl"), "orch_cluster");
  // The hosts migrate at start too (one after another, under an advisory lock); this lets the test read before any host is up.
  await migrateDatabase(databaseUrl);
  const store = createStore({ db: await openDb(databaseUrl), provider: "postgresql" });
  const setups = new Map<string, AppSetup>();
  for (const host of params.hosts) {
    const setup = await prepareApp({
      github: server,
      agents: params.agents,
      maxRunning: params.maxRunning,
      maxRunningPerHost: params.maxRunningPerHost,
      host: { databaseUrl, remote, id: host.id, role: host.role },
      parentDir: params.parentDir,
      config: ["scale:", `  host_ttl: ${params.hostTtl}`],
      // The fake GitHub has no secondary rate limits: without this each process writes once a second.
      env: { ORCH_GITHUB_THROTTLE: "off", ...params.env },
    });
    setups.set(host.id, setup);
  }
  return { root, github, server, remote, databaseUrl, store, setups };
}

function setupOf(cluster: Cluster, id: string): AppSetup {
  const setup = cluster.setups.get(id);
  if (!setup) throw new Error(`no host ${id} in this cluster`);
  return setup;
}

/** Starts host `id` (again, after a kill) and resolves once it answers /healthz. */
export function startHost(cluster: Cluster, id: string): Promise<AppProcess> {
  return startApp(setupOf(cluster, id));
}

/** The ORCH_HOME of host `id`. */
export function homeOf(cluster: Cluster, id: string): string {
  return setupOf(cluster, id).home;
}

/** Every process each host ran, for a failed test's output. */
export function clusterOutput(cluster: Cluster): string {
  return [...cluster.setups].flatMap(([id, setup]) => setup.processes.map((app, i) => `--- host ${id}, process ${i + 1} (pid ${app.pid}) ---\n${app.output()}`)).join("\n");
}

export async function cleanupCluster(cluster: Cluster): Promise<void> {
  for (const setup of cluster.setups.values()) {
    await cleanupApp(setup);
  }
  await cluster.store.close();
  await cluster.server.close();
  fs.rmSync(cluster.root, { recursive: true, force: true });
}
