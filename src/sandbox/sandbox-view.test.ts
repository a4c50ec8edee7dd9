import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import {
  buildSandboxView,
  findHidingPath,
  type PathFacts,
  type ProbePath,
  type SandboxView,
  type SandboxViewRequest,
} from "./sandbox-view.js";

/**
 * A host made of declared folders, files and symlinks (a link maps a path
 * prefix to its target, as realpath would resolve it).
 */
function fakeHost(host: { dirs: string[]; files?: string[]; links?: Record<string, string> }): ProbePath {
  return (path: string): PathFacts | undefined => {
    let real = path;
    for (let hops = 0; hops < 10; hops++) {
      const link = Object.keys(host.links ?? {})
        .sort((a, b) => b.length - a.length)
        .find((from) => real === from || real.startsWith(`${from}/`));
      if (!link) break;
      real = host.links![link]! + real.slice(link.length);
    }
    if (host.dirs.includes(real)) return { realPath: real, kind: "dir" };
    if (host.files?.includes(real)) return { realPath: real, kind: "file" };
    return undefined;
  };
}

const H = "/srv/orch/.orch";
const ATTEMPT_DIRS = [
  "/",
  "/tmp",
  "/var/tmp",
  "/home",
  "/root",
  "/run",
  "/srv/orch",
  H,
  `${H}/worktrees/a1`,
  `${H}/attempts/a1/io`,
  `${H}/attempts/a1/home`,
  `${H}/repos/acme/widget.git/objects`,
  "/var/lib/orch-db",
  "/root/.nvm",
  "/run/systemd/resolve",
];
const ATTEMPT_FILES = [`${H}/attempts/a1/io/prompt.md`, "/etc/orch/app.pem", "/etc/resolv.conf"];

type RequestOverrides = Partial<Omit<SandboxViewRequest, "hidden">> & { hidden?: Partial<SandboxViewRequest["hidden"]> };

function request(overrides: RequestOverrides = {}): SandboxViewRequest {
  const { hidden, ...rest } = overrides;
  return {
    worktree: `${H}/worktrees/a1`,
    ioDir: `${H}/attempts/a1/io`,
    promptFile: `${H}/attempts/a1/io/prompt.md`,
    agentHome: `${H}/attempts/a1/home`,
    readOnlyBinds: [`${H}/repos/acme/widget.git/objects`],
    exposed: [],
    network: true,
    ...rest,
    hidden: {
      orchHome: H,
      orchCwd: "/srv/orch",
      orchUserHome: "/root",
      databaseDir: "/var/lib/orch-db",
      privateKeyFile: "/etc/orch/app.pem",
      operatorPaths: [],
      ...hidden,
    },
  };
}

const host = fakeHost({ dirs: ATTEMPT_DIRS, files: ATTEMPT_FILES });

describe("buildSandboxView", () => {
  it("hides orch's paths and the system's, keeps the attempt's own, and drops what an outer tmpfs already hides", () => {
    const view = buildSandboxView(request(), host);
    expect(view).toEqual({
      worktree: `${H}/worktrees/a1`,
      ioDir: `${H}/attempts/a1/io`,
      promptFile: `${H}/attempts/a1/io/prompt.md`,
      agentHome: `${H}/attempts/a1/home`,
      readOnlyBinds: [`${H}/repos/acme/widget.git/objects`],
      privateTmp: ["/tmp", "/var/tmp"],
      // ORCH_HOME lies in orch's cwd, and orch's HOME is /root: both covered already.
      hidden: [
        { path: "/srv/orch", kind: "dir" },
        { path: "/root", kind: "dir" },
        { path: "/var/lib/orch-db", kind: "dir" },
        { path: "/etc/orch/app.pem", kind: "file" },
        { path: "/home", kind: "dir" },
        { path: "/run", kind: "dir" },
      ],
      exposed: [],
      network: true,
    } satisfies SandboxView);
  });

  interface Case {
    name: string;
    request: SandboxViewRequest;
    probe?: ProbePath;
    check: (view: SandboxView) => void;
  }
  const cases: Case[] = [
    {
      name: "a symlinked ORCH_HOME is resolved: every path in the view is real",
      request: request({
        worktree: "/data-link/worktrees/a1",
        ioDir: "/data-link/attempts/a1/io",
        promptFile: "/data-link/attempts/a1/io/prompt.md",
        agentHome: "/data-link/attempts/a1/home",
        readOnlyBinds: ["/data-link/repos/acme/widget.git/objects"],
        hidden: { orchHome: "/data-link" },
      }),
      probe: fakeHost({ dirs: ATTEMPT_DIRS, files: ATTEMPT_FILES, links: { "/data-link": H } }),
      check: (view) => {
        expect(view.worktree).toBe(`${H}/worktrees/a1`);
        expect(view.promptFile).toBe(`${H}/attempts/a1/io/prompt.md`);
        expect(view.readOnlyBinds).toEqual([`${H}/repos/acme/widget.git/objects`]);
        expect(JSON.stringify(view)).not.toContain("/data-link");
      },
    },
    {
      name: "ORCH_HOME outside orch's cwd is hidden on its own",
      request: request({ hidden: { orchCwd: "/opt/orch-app" } }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/opt/orch-app"], files: ATTEMPT_FILES }),
      check: (view) => {
        expect(view.hidden).toContainEqual({ path: "/opt/orch-app", kind: "dir" });
        expect(view.hidden).toContainEqual({ path: H, kind: "dir" });
        expect(view.hidden.map((h) => h.path)).not.toContain("/srv/orch");
      },
    },
    {
      name: "hidden paths that do not exist are skipped",
      request: request({ hidden: { databaseDir: "/nowhere/db", privateKeyFile: "/nowhere/key.pem", operatorPaths: ["/nowhere/else"] } }),
      check: (view) => expect(JSON.stringify(view.hidden)).not.toContain("/nowhere"),
    },
    {
      name: "a system without /home, /root or /var/tmp gets no mounts for them",
      request: request({ hidden: { orchUserHome: "/srv/orch" } }),
      probe: fakeHost({ dirs: ATTEMPT_DIRS.filter((d) => !["/home", "/root", "/var/tmp", "/root/.nvm"].includes(d)), files: ATTEMPT_FILES }),
      check: (view) => {
        expect(view.privateTmp).toEqual(["/tmp"]);
        expect(view.hidden.map((h) => h.path)).not.toContain("/home");
        expect(view.hidden.map((h) => h.path)).not.toContain("/root");
      },
    },
    {
      name: "/var/tmp linked to /tmp is one private tmp",
      request: request(),
      probe: fakeHost({ dirs: ATTEMPT_DIRS.filter((d) => d !== "/var/tmp"), files: ATTEMPT_FILES, links: { "/var/tmp": "/tmp" } }),
      check: (view) => expect(view.privateTmp).toEqual(["/tmp"]),
    },
    {
      name: "an operator's hidden folder under /tmp needs no mount of its own",
      request: request({ hidden: { operatorPaths: ["/tmp/build-cache"] } }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/tmp/build-cache"], files: ATTEMPT_FILES }),
      check: (view) => expect(view.hidden.map((h) => h.path)).not.toContain("/tmp/build-cache"),
    },
    {
      name: "an exposed folder inside a hidden HOME is shown again",
      request: request({ exposed: ["/root/.nvm"] }),
      check: (view) => expect(view.exposed).toEqual(["/root/.nvm"]),
    },
    {
      name: "an exposed path the system shows anyway, or that does not exist, adds nothing",
      request: request({ exposed: ["/usr/local", "/root/.missing"] }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/usr/local"], files: ATTEMPT_FILES }),
      check: (view) => expect(view.exposed).toEqual([]),
    },
    {
      name: "an exposed folder inside another exposed one is dropped",
      request: request({ exposed: ["/root/.nvm/versions", "/root/.nvm"] }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/root/.nvm/versions"], files: ATTEMPT_FILES }),
      check: (view) => expect(view.exposed).toEqual(["/root/.nvm"]),
    },
    {
      name: "with the network on, a resolv.conf linked into /run keeps its folder",
      request: request({ network: true }),
      probe: fakeHost({
        dirs: ATTEMPT_DIRS,
        files: [...ATTEMPT_FILES, "/run/systemd/resolve/stub-resolv.conf"],
        links: { "/etc/resolv.conf": "/run/systemd/resolve/stub-resolv.conf" },
      }),
      check: (view) => expect(view.exposed).toEqual(["/run/systemd/resolve"]),
    },
    {
      name: "with the network off, resolved's folder (and its socket) stays hidden",
      request: request({ network: false }),
      probe: fakeHost({
        dirs: ATTEMPT_DIRS,
        files: [...ATTEMPT_FILES, "/run/systemd/resolve/stub-resolv.conf"],
        links: { "/etc/resolv.conf": "/run/systemd/resolve/stub-resolv.conf" },
      }),
      check: (view) => expect(view.exposed).toEqual([]),
    },
    {
      name: "a plain /etc/resolv.conf exposes nothing",
      request: request({ network: true }),
      check: (view) => expect(view.exposed).toEqual([]),
    },
  ];

  it.each(cases)("$name", ({ request: r, probe, check }) => {
    check(buildSandboxView(r, probe ?? host));
  });

  const refusals: { name: string; request: SandboxViewRequest; probe?: ProbePath; message: RegExp }[] = [
    {
      name: "orch's working directory is /",
      request: request({ hidden: { orchCwd: "/" } }),
      message: /orch's working directory is \/ \(the whole file system\).*start orch from a folder of its own/,
    },
    {
      name: "orch's HOME is / (a system user)",
      request: request({ hidden: { orchUserHome: "/" } }),
      message: /orch's HOME is \/.*give the user that runs orch a home folder of its own/,
    },
    {
      name: "an operator lists /",
      request: request({ hidden: { operatorPaths: ["/"] } }),
      message: /sandbox.hide entry \/ is \/.*remove it from sandbox.hide/,
    },
    {
      name: "an operator path is the worktree",
      request: request({ hidden: { operatorPaths: [`${H}/worktrees/a1`] } }),
      message: /cannot hide .*: it is the attempt's worktree or lies inside it/,
    },
    {
      name: "a hidden path lies inside the worktree (a later bind would show it again)",
      request: request({ hidden: { databaseDir: `${H}/worktrees/a1/db` } }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, `${H}/worktrees/a1/db`], files: ATTEMPT_FILES }),
      message: /cannot hide the database folder .*worktrees\/a1\/db.*the attempt's worktree/,
    },
    {
      name: "a hidden path lies inside the read-only cache objects",
      request: request({ hidden: { operatorPaths: [`${H}/repos/acme/widget.git/objects`] } }),
      message: /cannot hide .*a read-only path of the attempt/,
    },
    {
      name: "an exposed folder holds orch's working directory",
      request: request({ exposed: ["/srv"] }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/srv"], files: ATTEMPT_FILES }),
      message: /sandbox.expose lists \/srv, which is or holds ORCH_HOME \(\/srv\/orch\/.orch\) that the sandbox must hide/,
    },
    {
      name: "an exposed folder is a hidden one (orch's HOME)",
      request: request({ exposed: ["/root"] }),
      message: /sandbox.expose lists \/root, which is or holds orch's HOME/,
    },
    {
      name: "an exposed folder holds a hidden one that an outer tmpfs made redundant",
      request: request({ exposed: ["/root/.nvm"], hidden: { operatorPaths: ["/root/.nvm/secrets"] } }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/root/.nvm/secrets"], files: ATTEMPT_FILES }),
      message: /sandbox.expose lists \/root\/.nvm, which is or holds sandbox.hide entry/,
    },
    {
      name: "an exposed folder lies inside ORCH_HOME (it would show other attempts' worktrees)",
      request: request({ exposed: [`${H}/worktrees`] }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, `${H}/worktrees`], files: ATTEMPT_FILES }),
      message: /sandbox.expose lists .*\/worktrees, which lies inside ORCH_HOME \(\/srv\/orch\/.orch\), which the sandbox hides whole/,
    },
    {
      name: "an exposed folder lies inside the database folder",
      request: request({ exposed: ["/var/lib/orch-db/backups"] }),
      probe: fakeHost({ dirs: [...ATTEMPT_DIRS, "/var/lib/orch-db/backups"], files: ATTEMPT_FILES }),
      message: /lies inside the database folder \(\/var\/lib\/orch-db\), which the sandbox hides whole/,
    },
    {
      name: "an exposed folder is the private /tmp",
      request: request({ exposed: ["/tmp"] }),
      message: /sandbox.expose lists \/tmp, which is or holds the private \/tmp/,
    },
  ];

  it.each(refusals)("refuses when $name", ({ request: r, probe, message }) => {
    let thrown: unknown;
    try {
      buildSandboxView(r, probe ?? host);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as Error).message).toMatch(message);
  });

  it.each([
    { name: "the worktree", field: "worktree" as const, message: /the attempt's worktree .* does not exist/ },
    { name: "the prompt", field: "promptFile" as const, message: /the attempt's prompt .* does not exist/ },
  ])("fails (as orch's own bug) when $name is missing", ({ field, message }) => {
    const r = request({ [field]: `${H}/missing` });
    expect(() => buildSandboxView(r, host)).toThrow(message);
    expect(() => buildSandboxView(r, host)).not.toThrow(UserError);
  });
});

describe("findHidingPath", () => {
  const view = buildSandboxView(request({ exposed: ["/root/.nvm"] }), host);
  it.each([
    { name: "a system program", path: "/usr/bin/env", hider: undefined },
    { name: "a program under orch's HOME", path: "/root/.cargo/bin/codex", hider: "/root" },
    { name: "a program in an exposed folder under orch's HOME", path: "/root/.nvm/versions/node/v20/bin/node", hider: undefined },
    { name: "orch's .env", path: "/srv/orch/.env", hider: "/srv/orch" },
    { name: "another attempt's worktree", path: `${H}/worktrees/a2/x`, hider: "/srv/orch" },
    { name: "the attempt's own worktree", path: `${H}/worktrees/a1/node_modules/.bin/x`, hider: undefined },
    { name: "the cache's config", path: `${H}/repos/acme/widget.git/config`, hider: "/srv/orch" },
    { name: "the cache's objects", path: `${H}/repos/acme/widget.git/objects/ab/cd`, hider: undefined },
    { name: "the attempt's log next to its io folder", path: `${H}/attempts/a1/agent.log`, hider: "/srv/orch" },
    { name: "the prompt inside the io folder", path: `${H}/attempts/a1/io/prompt.md`, hider: undefined },
    { name: "a file in the host's /tmp", path: "/tmp/agent", hider: "/tmp" },
    { name: "the private key", path: "/etc/orch/app.pem", hider: "/etc/orch/app.pem" },
    { name: "a socket under /run", path: "/run/docker.sock", hider: "/run" },
  ])("$name", ({ path, hider }) => {
    expect(findHidingPath(view, path)).toBe(hider);
  });
});
