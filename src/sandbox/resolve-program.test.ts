/**
 * resolveProgram against real files, and each answer checked against a real
 * sandbox: what it resolves runs there, what it refuses would not.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVisibleTempDir } from "../../test/helpers/visible-dir.js";
import { buildBwrapArgv } from "./bwrap-argv.js";
import { findExecutable } from "./find-executable.js";
import { resolveProgram } from "./resolve-program.js";
import { resolveSandboxView, type SandboxView } from "./sandbox-view.js";

const BWRAP = findExecutable("bwrap", process.env.PATH, "/") ?? "/usr/bin/bwrap";

let base: string;
let view: SandboxView;
/** Paths by role, set in beforeAll. */
const at = {
  hiddenBin: "",
  exposedBin: "",
  visibleBin: "",
  hiddenHome: "",
  worktree: "",
};

function executable(file: string, content: string, mode = 0o755): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
}

beforeAll(() => {
  // Outside /tmp and /home, which the sandbox hides as a whole (see test/helpers/visible-dir.ts).
  base = makeVisibleTempDir("programs-");
  const orchHome = path.join(base, "orch", ".orch");
  at.worktree = path.join(orchHome, "worktrees", "a1");
  for (const dir of [at.worktree, path.join(orchHome, "attempts/a1/io"), path.join(orchHome, "attempts/a1/home")]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.writeFileSync(path.join(orchHome, "attempts/a1/io/prompt.md"), "prompt\n");

  at.hiddenHome = path.join(base, "orch-user-home");
  at.hiddenBin = path.join(at.hiddenHome, ".cargo", "bin");
  at.exposedBin = path.join(at.hiddenHome, ".nvm", "bin");
  at.visibleBin = path.join(base, "opt", "bin");
  executable(path.join(at.hiddenBin, "codex"), "#!/bin/sh\necho hidden codex\n");
  executable(path.join(at.hiddenBin, "twice"), "#!/bin/sh\necho hidden twice\n");
  executable(path.join(at.visibleBin, "twice"), "#!/bin/sh\necho visible twice\n");
  executable(path.join(at.hiddenBin, "hidden-node"), "#!/bin/sh\necho hidden node\n");
  executable(path.join(at.exposedBin, "gemini"), "#!/bin/sh\necho ok\n");
  executable(path.join(at.visibleBin, "uses-hidden-node"), "#!/usr/bin/env hidden-node\n");
  executable(path.join(at.visibleBin, "visible-node"), "#!/bin/sh\necho ok\n");
  executable(path.join(at.visibleBin, "uses-visible-node"), "#!/usr/bin/env visible-node\n");
  executable(path.join(at.visibleBin, "uses-hidden-interpreter"), `#!${path.join(at.hiddenBin, "hidden-node")} -x\n`);
  executable(path.join(at.visibleBin, "uses-missing-interpreter"), "#!/nonexistent/python3\n");
  executable(path.join(at.visibleBin, "not-executable"), "#!/bin/sh\n", 0o644);
  fs.mkdirSync(path.join(at.visibleBin, "a-folder"));
  executable(path.join(base, "opt", "real", "claude"), "#!/bin/sh\necho ok\n");
  fs.symlinkSync(path.join(base, "opt", "real", "claude"), path.join(at.hiddenBin, "claude"));
  executable(path.join(at.worktree, "tools", "agent.sh"), "#!/bin/sh\necho ok\n");

  view = resolveSandboxView({
    worktree: at.worktree,
    ioDir: path.join(orchHome, "attempts/a1/io"),
    promptFile: path.join(orchHome, "attempts/a1/io/prompt.md"),
    agentHome: path.join(orchHome, "attempts/a1/home"),
    readOnlyBinds: [],
    hidden: { orchHome, orchCwd: path.join(base, "orch"), orchUserHome: at.hiddenHome, operatorPaths: [] },
    exposed: [path.join(at.hiddenHome, ".nvm")],
    network: false,
  });
});

afterAll(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/** Runs argv in the sandbox with PATH `pathEnv`; exit code and stderr. */
function runInside(argv: string[], pathEnv: string): { status: number | null; stderr: string } {
  const full = buildBwrapArgv({ bwrap: BWRAP, view, command: argv });
  const ran = spawnSync(full[0]!, full.slice(1), { env: { PATH: pathEnv }, encoding: "utf8" });
  return { status: ran.status, stderr: ran.stderr };
}

interface Case {
  name: string;
  program: () => string;
  path: () => string;
  /** The absolute path to run, or a pattern of the problem. */
  expected: (() => string) | RegExp;
}

const SYSTEM = "/usr/local/bin:/usr/bin:/bin";
const cases: Case[] = [
  { name: "a system program, by name", program: () => "env", path: () => SYSTEM, expected: () => findExecutable("env", SYSTEM, "/")! },
  {
    name: "a program only in a hidden folder",
    program: () => "codex",
    path: () => `${at.hiddenBin}:${SYSTEM}`,
    expected: /could not start .*\.cargo\/bin\/codex: it is under .*orch-user-home, which the sandbox hides: install the agent in \/usr\/local or \/opt, or list its folder in sandbox\.expose$/,
  },
  {
    name: "a program in a hidden folder and a visible one: the visible one, as execvp inside finds it",
    program: () => "twice",
    path: () => `${at.hiddenBin}:${at.visibleBin}`,
    expected: () => path.join(at.visibleBin, "twice"),
  },
  {
    name: "a program on no PATH folder",
    program: () => "aider",
    path: () => `${at.visibleBin}:${SYSTEM}`,
    expected: /^could not start "aider": it is not on the agent's PATH; install it in \/usr\/local\/bin or \/opt, or give its absolute path in the agent's command$/,
  },
  {
    name: "a folder of the program's name is not a program",
    program: () => "a-folder",
    path: () => at.visibleBin,
    expected: /not on the agent's PATH/,
  },
  {
    name: "a program in an exposed folder under a hidden HOME",
    program: () => "gemini",
    path: () => `${at.exposedBin}:${SYSTEM}`,
    expected: () => path.join(at.exposedBin, "gemini"),
  },
  {
    name: "a symlink in a hidden folder to a visible program: its target",
    program: () => "claude",
    path: () => `${at.hiddenBin}:${SYSTEM}`,
    expected: () => path.join(base, "opt", "real", "claude"),
  },
  {
    name: "a script whose #!/usr/bin/env interpreter is only in a hidden folder",
    program: () => "uses-hidden-node",
    path: () => `${at.visibleBin}:${at.hiddenBin}:${SYSTEM}`,
    expected: /uses-hidden-node runs hidden-node \(its #! line\), found at .*\.cargo\/bin\/hidden-node, which is under .*orch-user-home, which the sandbox hides/,
  },
  {
    name: "a script whose #!/usr/bin/env interpreter is visible",
    program: () => "uses-visible-node",
    path: () => `${at.visibleBin}:${SYSTEM}`,
    expected: () => path.join(at.visibleBin, "uses-visible-node"),
  },
  {
    name: "a script whose #! interpreter (absolute) is in a hidden folder",
    program: () => "uses-hidden-interpreter",
    path: () => `${at.visibleBin}:${SYSTEM}`,
    expected: /uses-hidden-interpreter runs .*hidden-node \(its #! line\), which is under .*orch-user-home, which the sandbox hides/,
  },
  {
    name: "a script whose #! interpreter does not exist",
    program: () => "uses-missing-interpreter",
    path: () => `${at.visibleBin}:${SYSTEM}`,
    expected: /runs \/nonexistent\/python3 \(its #! line\), which does not exist/,
  },
  {
    name: "an absolute path in a hidden folder",
    program: () => path.join(at.hiddenBin, "codex"),
    path: () => SYSTEM,
    expected: /\.cargo\/bin\/codex: it is under .*orch-user-home, which the sandbox hides/,
  },
  {
    name: "a relative path, from the worktree",
    program: () => "./tools/agent.sh",
    path: () => SYSTEM,
    expected: () => path.join(at.worktree, "tools", "agent.sh"),
  },
  {
    name: "a relative path that does not exist",
    program: () => "./missing.sh",
    path: () => SYSTEM,
    expected: /^could not start "\.\/missing\.sh": no such file \(relative paths start at the attempt's worktree\)$/,
  },
  {
    name: "a file that is not executable",
    program: () => path.join(at.visibleBin, "not-executable"),
    path: () => SYSTEM,
    expected: /: it is not an executable file$/,
  },
  {
    name: "a program in the host's /tmp (private inside)",
    program: () => "/tmp",
    path: () => SYSTEM,
    expected: /is not an executable file/,
  },
  { name: "an empty command", program: () => "", path: () => SYSTEM, expected: /^the agent's command is empty$/ },
];

describe("resolveProgram", () => {
  it.each(cases)("$name", ({ program, path: pathEnv, expected }) => {
    const resolution = resolveProgram({ program: program(), pathEnv: pathEnv(), view });
    if (expected instanceof RegExp) {
      expect(resolution.ok).toBe(false);
      const problem = (resolution as { problem: string }).problem;
      expect(problem).toMatch(expected);
      // Shown on GitHub: never the PATH value itself.
      expect(problem).not.toContain(pathEnv());
    } else {
      expect(resolution).toEqual({ ok: true, path: expected() });
    }
  });

  it.each(cases.filter((c) => !(c.expected instanceof RegExp)))("what it resolves runs in the sandbox: $name", ({ program, path: pathEnv }) => {
    const resolution = resolveProgram({ program: program(), pathEnv: pathEnv(), view });
    if (!resolution.ok) throw new Error(resolution.problem);
    const ran = runInside([resolution.path, ...(program() === "env" ? ["true"] : [])], pathEnv());
    expect(ran).toEqual({ status: 0, stderr: "" });
  });

  it.each([
    { name: "a program only in a hidden folder", argv: ["codex"], pathEnv: () => `${at.hiddenBin}:${SYSTEM}` },
    { name: "a script whose interpreter is hidden", argv: ["uses-hidden-node"], pathEnv: () => `${at.visibleBin}:${at.hiddenBin}:${SYSTEM}` },
  ])("what it refuses would fail in the sandbox: $name", ({ argv, pathEnv }) => {
    const ran = runInside(argv, pathEnv());
    expect(ran.status).not.toBe(0);
  });
});
