/**
 * Finds the agent's program on the host the way execvp would inside the
 * sandbox, and says why it cannot run there when it cannot. Messages are shown
 * on GitHub: they name the program and folders, never an environment value
 * (not even PATH).
 */
import { closeSync, existsSync, openSync, readSync, realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { isExecutableFile, listExecutablesOnPath } from "./find-executable.js";
import { findHidingPath, type SandboxView } from "./sandbox-view.js";

export type ProgramResolution =
  /** `path` is absolute and runs inside the sandbox: pass it as the command's first word. */
  | { ok: true; path: string }
  /** It cannot run in the sandbox; `problem` says why and what to do. */
  | { ok: false; problem: string };

export interface ResolveProgramParams {
  /** The agent's command[0]: a name looked up on PATH, or a path (relative ones from the worktree). */
  program: string;
  /** The PATH the agent gets; undefined means execvp's default, /bin:/usr/bin. */
  pathEnv: string | undefined;
  view: SandboxView;
}

const INSTALL_HINT = "install the agent in /usr/local or /opt, or list its folder in sandbox.expose";

/**
 * Resolves `program` to the absolute path the sandbox runs. Like execvp, a
 * name skips PATH folders the agent cannot see and takes the first executable
 * it can. A program reached through a symlink in a hidden folder whose target
 * the agent sees resolves to that target. Scripts are followed one step to
 * their `#!` interpreter (also through `/usr/bin/env NAME`), which must be
 * visible too.
 */
export function resolveProgram(params: ResolveProgramParams): ProgramResolution {
  const { program, pathEnv, view } = params;
  if (program === "") return { ok: false, problem: "the agent's command is empty" };
  const name = JSON.stringify(program);

  if (program.includes("/")) {
    const path = resolve(view.worktree, program);
    if (!existsSync(path)) {
      const where = program.startsWith("/") ? "" : " (relative paths start at the attempt's worktree)";
      return { ok: false, problem: `could not start ${name}: no such file${where}` };
    }
    if (!isExecutableFile(path)) return { ok: false, problem: `could not start ${name}: it is not an executable file` };
    return checkRunnable({ path, pathEnv, view });
  }

  const candidates = listExecutablesOnPath(program, pathEnv, view.worktree);
  if (candidates.length === 0) {
    return {
      ok: false,
      problem: `could not start ${name}: it is not on the agent's PATH; install it in /usr/local/bin or /opt, or give its absolute path in the agent's command`,
    };
  }
  let firstProblem: string | undefined;
  for (const path of candidates) {
    const resolution = checkRunnable({ path, pathEnv, view });
    if (resolution.ok) return resolution;
    firstProblem ??= resolution.problem;
  }
  return { ok: false, problem: firstProblem! };
}

function checkRunnable(params: { path: string; pathEnv: string | undefined; view: SandboxView }): ProgramResolution {
  const { path, pathEnv, view } = params;
  const visible = findVisiblePath(view, path);
  if (!visible.ok) return visible;

  const interpreter = readInterpreter(visible.path);
  if (interpreter === undefined) return visible;
  const runs = (what: string) => `${visible.path} runs ${what} (its #! line)`;
  if (interpreter.viaEnv) {
    const found = listExecutablesOnPath(interpreter.program, pathEnv, view.worktree);
    if (found.length === 0) {
      return { ok: false, problem: `could not start ${visible.path}: ${runs(interpreter.program)}, which is not on the agent's PATH` };
    }
    const seen = found.map((candidate) => findVisiblePath(view, candidate));
    const hidden = seen.find((s): s is Hidden => !s.ok);
    if (hidden === undefined || seen.some((s) => s.ok)) return visible;
    return {
      ok: false,
      problem: `could not start ${visible.path}: ${runs(interpreter.program)}, found at ${hidden.path}, which is under ${hidden.hider}, which the sandbox hides: ${INSTALL_HINT}`,
    };
  }
  if (!existsSync(interpreter.program)) {
    return { ok: false, problem: `could not start ${visible.path}: ${runs(interpreter.program)}, which does not exist` };
  }
  const seen = findVisiblePath(view, interpreter.program);
  if (seen.ok) return visible;
  return {
    ok: false,
    problem: `could not start ${visible.path}: ${runs(interpreter.program)}, which is under ${seen.hider}, which the sandbox hides: ${INSTALL_HINT}`,
  };
}

interface Hidden {
  ok: false;
  problem: string;
  /** The hidden folder (or file) that keeps it out of sight. */
  hider: string;
  path: string;
}
type Visibility = { ok: true; path: string } | Hidden;

/** `path` if the agent sees it (its folder and its target), else its target if that is visible, else why not. */
function findVisiblePath(view: SandboxView, path: string): Visibility {
  const target = realpathSync(path);
  const hider = findHidingPath(view, realpathSync(dirname(path))) ?? findHidingPath(view, target);
  if (hider === undefined) return { ok: true, path };
  if (findHidingPath(view, target) === undefined) return { ok: true, path: target };
  return {
    ok: false,
    hider,
    path,
    problem: `could not start ${path}: it is under ${hider}, which the sandbox hides: ${INSTALL_HINT}`,
  };
}

/** The program a `#!` line names; with `/usr/bin/env [-S] NAME ...`, NAME to look up on PATH. */
function readInterpreter(path: string): { program: string; viaEnv: boolean } | undefined {
  const head = readHead(path, 256);
  if (!head.startsWith("#!")) return undefined;
  const words = head.slice(2).split("\n")[0]!.trim().split(/[ \t]+/).filter(Boolean);
  const [interpreter, ...args] = words;
  if (interpreter === undefined) return undefined;
  if (basename(interpreter) === "env") {
    const program = args.find((arg) => !arg.startsWith("-") && !arg.includes("="));
    return program === undefined ? { program: interpreter, viaEnv: false } : { program, viaEnv: !program.includes("/") };
  }
  return { program: interpreter, viaEnv: false };
}

function readHead(path: string, bytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read).toString("latin1");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
