/**
 * What one attempt's sandbox shows: the whole system read-only, its own
 * worktree, io folder and HOME read-write, the repository cache's objects and
 * its prompt read-only, and nothing of orch (ORCH_HOME beyond this attempt,
 * orch's working directory with its `.env`, the database, the private key,
 * orch's HOME), nothing under /home, /root or /run, and private /tmp and /var/tmp.
 *
 * `buildSandboxView` is pure: it sees the host only through the `probe` it is
 * given. `resolveSandboxView` is the same with the real file system.
 * `listSandboxMounts` is the one place that decides the order of the mounts;
 * bwrap-argv.ts turns it into bwrap options and `findHidingPath` answers
 * "does the agent see this path?" from the very same list.
 */
import { realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { UserError } from "../errors.js";

/** What orch knows about one attempt; paths may be relative (to orch's cwd) or go through symlinks. */
export interface SandboxViewRequest {
  /** The attempt's worktree: the agent's cwd, read-write. */
  worktree: string;
  /** Holds prompt.md and result.json: read-write. */
  ioDir: string;
  /** The prompt, read-only even though it lies in ioDir. */
  promptFile: string;
  /** The agent's HOME for this attempt: read-write. */
  agentHome: string;
  /** Read-only inside, e.g. the cache's objects/ folder the worktree's alternates point at. */
  readOnlyBinds: string[];
  /** Paths the agent must not see. Missing ones are skipped. */
  hidden: {
    orchHome: string;
    /** orch's working directory: it holds `.env`. */
    orchCwd: string;
    /** os.homedir() of the user running orch. */
    orchUserHome: string;
    databaseDir?: string;
    privateKeyFile?: string;
    /** The operator's `sandbox.hide` list. */
    operatorPaths: string[];
  };
  /** The operator's `sandbox.expose` list: folders inside hidden ones shown again read-only (an nvm folder under a hidden HOME). */
  exposed: string[];
  /** False cuts the network: only a loopback interface inside. */
  network: boolean;
}

export interface HiddenPath {
  path: string;
  /** Folders are covered with an empty tmpfs, anything else with /dev/null. */
  kind: "dir" | "file";
}

/** The computed view; every path is a real path (no symlinks) on the host and the same inside. */
export interface SandboxView {
  worktree: string;
  ioDir: string;
  promptFile: string;
  agentHome: string;
  readOnlyBinds: string[];
  /** Private, empty, world-writable tmpfs: /tmp and /var/tmp. */
  privateTmp: string[];
  /** Hidden paths, none inside another (an outer tmpfs already hides what is below it). */
  hidden: HiddenPath[];
  /** Shown again read-only; each lies inside a hidden folder and holds no hidden path. */
  exposed: string[];
  network: boolean;
}

/** One mount on top of `--ro-bind / /`, `--dev /dev` and `--proc /proc`. */
export type SandboxMount =
  | { kind: "private-tmp"; path: string }
  | { kind: "hidden-dir"; path: string }
  | { kind: "hidden-file"; path: string }
  | { kind: "exposed"; path: string }
  | { kind: "read-write"; path: string }
  | { kind: "read-only"; path: string };

/** What the host has at a path: its real path and whether that is a folder. */
export interface PathFacts {
  realPath: string;
  kind: "dir" | "file";
}

/** Answers for an absolute path; undefined when nothing is there. */
export type ProbePath = (absolutePath: string) => PathFacts | undefined;

/** Hidden whenever they exist: sockets under /run (docker.sock, PostgreSQL, D-Bus) accept connections even on a read-only mount. */
const SYSTEM_HIDDEN = ["/home", "/root", "/run"];
const PRIVATE_TMP = ["/tmp", "/var/tmp"];

interface HideCandidate {
  path: string;
  /** Names the path in messages. */
  label: string;
  /** What to do when it is `/`. */
  fixForRoot: string;
  /** Nothing inside may be exposed: it holds other attempts, orch's secrets or its data. */
  isSealed?: boolean;
}

/**
 * Computes the view from `request`, looking at the host only through `probe`.
 * Throws a UserError (safe to show, says what to change) when a path to hide
 * is `/`, is or lies inside a path the agent must see, or when an exposed path
 * would show a hidden one again; throws a plain Error when one of the
 * attempt's own paths is missing (orch creates them, so that is orch's bug).
 */
export function buildSandboxView(request: SandboxViewRequest, probe: ProbePath): SandboxView {
  const mustExist = (path: string, what: string, kind?: "dir" | "file"): string => {
    const facts = probe(absolute(path));
    if (!facts) throw new Error(`the sandbox cannot show ${what} ${path}: it does not exist`);
    if (kind && facts.kind !== kind) {
      throw new Error(`the sandbox cannot show ${what} ${path}: it is not a ${kind === "dir" ? "folder" : "file"}`);
    }
    return facts.realPath;
  };
  const worktree = mustExist(request.worktree, "the attempt's worktree", "dir");
  const ioDir = mustExist(request.ioDir, "the attempt's io folder", "dir");
  const promptFile = mustExist(request.promptFile, "the attempt's prompt", "file");
  const agentHome = mustExist(request.agentHome, "the agent's HOME", "dir");
  const readOnlyBinds = unique(request.readOnlyBinds.map((path) => mustExist(path, "the read-only path")));
  const seen = [
    { path: worktree, label: "the attempt's worktree" },
    { path: ioDir, label: "the attempt's io folder" },
    { path: promptFile, label: "the attempt's prompt" },
    { path: agentHome, label: "the agent's HOME" },
    ...readOnlyBinds.map((path) => ({ path, label: "a read-only path of the attempt" })),
  ];

  const privateTmp = unique(
    PRIVATE_TMP.flatMap((path) => {
      const facts = probe(path);
      return facts?.kind === "dir" && facts.realPath !== "/" ? [facts.realPath] : [];
    }),
  );

  const allHidden: (HiddenPath & { label: string; isSealed: boolean })[] = [];
  for (const candidate of hideCandidates(request)) {
    const facts = probe(absolute(candidate.path));
    if (!facts) continue;
    if (facts.realPath === "/") {
      throw new UserError(`${candidate.label} is / (the whole file system), which the sandbox cannot hide: ${candidate.fixForRoot}`);
    }
    // A bind that comes later would show it again; folders that merely hold
    // the attempt's paths are fine (the binds go on top of their tmpfs).
    const clash = seen.find((bound) => isSameOrInside(facts.realPath, bound.path));
    if (clash) {
      throw new UserError(
        `the sandbox cannot hide ${candidate.label} (${facts.realPath}): it is ${clash.label} or lies inside it, and the agent must see that`,
      );
    }
    allHidden.push({ path: facts.realPath, kind: facts.kind, label: candidate.label, isSealed: candidate.isSealed ?? false });
  }

  // An outer tmpfs already hides what lies below it; exposures never hold a
  // hidden path (checked below), so nothing between can show it again.
  const covers = [...privateTmp, ...allHidden.filter((h) => h.kind === "dir").map((h) => h.path)];
  const hidden: HiddenPath[] = [];
  for (const entry of allHidden) {
    const isCovered = covers.some((cover) => cover !== entry.path && isSameOrInside(entry.path, cover));
    if (isCovered || hidden.some((kept) => kept.path === entry.path)) continue;
    hidden.push({ path: entry.path, kind: entry.kind });
  }

  const exposed: string[] = [];
  const addExposed = (realPath: string, onClash: (problem: string) => void): void => {
    const holds = [...allHidden, ...privateTmp.map((path) => ({ path, label: "the private /tmp" }))].find((h) =>
      isSameOrInside(h.path, realPath),
    );
    if (holds) return onClash(`is or holds ${holds.label} (${holds.path}) that the sandbox must hide: expose only the folders the agent needs inside it`);
    const sealed = allHidden.find((h) => h.isSealed && isSameOrInside(realPath, h.path));
    if (sealed) return onClash(`lies inside ${sealed.label} (${sealed.path}), which the sandbox hides whole`);
    const isUnderCover = covers.some((cover) => isSameOrInside(realPath, cover));
    // Outside every hidden folder it is on show already (read-only, with the system).
    if (!isUnderCover || exposed.some((path) => isSameOrInside(realPath, path))) return;
    for (let i = exposed.length - 1; i >= 0; i--) if (isSameOrInside(exposed[i]!, realPath)) exposed.splice(i, 1);
    exposed.push(realPath);
  };
  for (const path of request.exposed) {
    const facts = probe(absolute(path));
    if (!facts) continue;
    addExposed(facts.realPath, (problem) => {
      throw new UserError(`sandbox.expose lists ${path}, which ${problem}`);
    });
  }
  if (request.network) {
    // systemd-resolved makes /etc/resolv.conf a link into /run; without its
    // folder DNS fails. Only with the network on: its folder also holds
    // resolved's socket, a way out through DNS even without a network.
    const resolvConf = probe("/etc/resolv.conf");
    if (resolvConf && resolvConf.realPath !== "/etc/resolv.conf") addExposed(dirname(resolvConf.realPath), () => undefined);
  }

  return {
    worktree,
    ioDir,
    promptFile,
    agentHome,
    readOnlyBinds,
    privateTmp,
    hidden,
    exposed,
    network: request.network,
  };
}

/** buildSandboxView on the real file system: realpath and stat of each path. */
export function resolveSandboxView(request: SandboxViewRequest): SandboxView {
  return buildSandboxView(request, probeHostPath);
}

/** The host's answer for `path`: its real path and kind, or undefined when missing or unreadable. */
export function probeHostPath(path: string): PathFacts | undefined {
  try {
    const realPath = realpathSync(path);
    return { realPath, kind: statSync(realPath).isDirectory() ? "dir" : "file" };
  } catch {
    return undefined;
  }
}

/**
 * The mounts of the view in the order bwrap applies them: private tmp, hidden
 * paths, exposed paths, then the attempt's own paths (read-write before
 * read-only at the same depth, so the prompt stays read-only inside its io
 * folder). Within each group parents come before children: a later mount
 * covers what an earlier one put below it.
 */
export function listSandboxMounts(view: SandboxView): SandboxMount[] {
  const hiddenDirs = view.hidden.filter((h) => h.kind === "dir").map((h) => h.path);
  const hiddenFiles = view.hidden.filter((h) => h.kind === "file").map((h) => h.path);
  const mounts: SandboxMount[] = [
    ...byDepth(view.privateTmp).map((path) => ({ kind: "private-tmp" as const, path })),
    ...byDepth(hiddenDirs).map((path) => ({ kind: "hidden-dir" as const, path })),
    ...byDepth(hiddenFiles).map((path) => ({ kind: "hidden-file" as const, path })),
    ...byDepth(view.exposed).map((path) => ({ kind: "exposed" as const, path })),
  ];
  const own: SandboxMount[] = [
    ...[view.worktree, view.ioDir, view.agentHome].map((path) => ({ kind: "read-write" as const, path })),
    ...[...view.readOnlyBinds, view.promptFile].map((path) => ({ kind: "read-only" as const, path })),
  ];
  // Array.prototype.sort is stable: read-write stays ahead at equal depth.
  own.sort((a, b) => depth(a.path) - depth(b.path));
  return [...mounts, ...own];
}

/**
 * The folder or file of the view that keeps `realPath` out of the agent's
 * sight, or undefined when the agent sees it. `realPath` must be a real path
 * (see probeHostPath): inside the sandbox a symlink resolves to its target.
 */
export function findHidingPath(view: SandboxView, realPath: string): string | undefined {
  // Mounts stack: of those at realPath or above it, the last one applied decides.
  let decider: SandboxMount | undefined;
  for (const mount of listSandboxMounts(view)) if (isSameOrInside(realPath, mount.path)) decider = mount;
  if (!decider) return undefined;
  const isHiding = decider.kind === "private-tmp" || decider.kind === "hidden-dir" || decider.kind === "hidden-file";
  return isHiding ? decider.path : undefined;
}

/** True when `path` is `parent` or lies below it (both absolute and normalised). */
export function isSameOrInside(path: string, parent: string): boolean {
  if (parent === "/") return path.startsWith("/");
  return path === parent || path.startsWith(`${parent}/`);
}

function hideCandidates(request: SandboxViewRequest): HideCandidate[] {
  const { hidden } = request;
  const candidates: (HideCandidate | undefined)[] = [
    { path: hidden.orchHome, label: "ORCH_HOME", fixForRoot: "set ORCH_HOME to a folder of its own", isSealed: true },
    { path: hidden.orchCwd, label: "orch's working directory", fixForRoot: "start orch from a folder of its own", isSealed: true },
    { path: hidden.orchUserHome, label: "orch's HOME", fixForRoot: "give the user that runs orch a home folder of its own" },
    hidden.databaseDir === undefined
      ? undefined
      : { path: hidden.databaseDir, label: "the database folder", fixForRoot: "keep the database in a folder of its own", isSealed: true },
    hidden.privateKeyFile === undefined
      ? undefined
      : { path: hidden.privateKeyFile, label: "the private key", fixForRoot: "point the private key setting at the key file" },
    ...hidden.operatorPaths.map((path) => ({
      path,
      label: `sandbox.hide entry ${path}`,
      fixForRoot: "remove it from sandbox.hide",
    })),
    ...SYSTEM_HIDDEN.map((path) => ({ path, label: path, fixForRoot: "" })),
  ];
  return candidates.filter((c): c is HideCandidate => c !== undefined);
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

function byDepth(paths: string[]): string[] {
  return [...paths].sort((a, b) => depth(a) - depth(b));
}

function depth(path: string): number {
  return path === "/" ? 0 : path.split("/").length - 1;
}
