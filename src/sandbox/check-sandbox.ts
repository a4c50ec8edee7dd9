/**
 * orch's start-up check: is bubblewrap here, and can it start a sandbox with
 * every option an attempt uses? One real probe sandbox answers the second
 * question better than reading sysctls: the kernel, AppArmor, seccomp and
 * container runtimes each refuse namespaces in their own way.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { buildProbeArgv } from "./bwrap-argv.js";
import { findExecutable, isExecutableFile } from "./find-executable.js";

export type SandboxCheck =
  /** Sandboxes work: `bwrap` is the absolute path to run, `version` what `bwrap --version` says (e.g. "0.8.0"). */
  | { ok: true; bwrap: string; version: string }
  /** They do not; `problem` says what is wrong and what to do, for orch's start-up log. */
  | { ok: false; problem: string };

export interface CheckSandboxParams {
  /** An explicit bwrap (path, or a name looked up on PATH); default: `bwrap` on PATH. */
  bwrap?: string;
  /** Default: process.env.PATH. */
  pathEnv?: string;
  /** For each of `bwrap --version` and the probe. Default 10 s. */
  timeoutMs?: number;
}

const OPT_OUT = "or set `sandbox: none` on each agent to run them unsandboxed (not recommended)";
const MISSING =
  "install the Debian/Ubuntu package `bubblewrap` (apt-get install bubblewrap), " + OPT_OUT;

/** Finds bwrap, asks its version, and runs one probe sandbox (`… -- /bin/true`). Never throws. */
export async function checkSandbox(params: CheckSandboxParams = {}): Promise<SandboxCheck> {
  const timeoutMs = params.timeoutMs ?? 10_000;
  const wanted = params.bwrap ?? "bwrap";
  const bwrap = wanted.includes("/")
    ? isExecutableFile(resolve(wanted)) ? resolve(wanted) : undefined
    : findExecutable(wanted, params.pathEnv ?? process.env.PATH, process.cwd());
  if (bwrap === undefined) {
    const where = wanted.includes("/") ? `there is no executable bwrap at ${wanted}` : "bubblewrap (bwrap) is not installed";
    return { ok: false, problem: `${where}: ${MISSING}` };
  }

  const versionRun = await run([bwrap, "--version"], timeoutMs);
  if (versionRun.spawnError) return { ok: false, problem: `could not run ${bwrap} (${versionRun.spawnError}): ${MISSING}` };
  const version = /(\d+\.\d+(?:\.\d+)?)/.exec(versionRun.stdout)?.[1];
  if (versionRun.code !== 0 || version === undefined) {
    return { ok: false, problem: `${bwrap} --version did not answer like bubblewrap (${describeEnd(versionRun)}): ${MISSING}` };
  }

  const probe = await run(buildProbeArgv(bwrap), timeoutMs);
  if (probe.code === 0) return { ok: true, bwrap, version };
  if (probe.spawnError) return { ok: false, problem: `could not run ${bwrap} (${probe.spawnError}): ${MISSING}` };
  return { ok: false, problem: describeProbeFailure({ ...probe, bwrap, version, timeoutMs }) };
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: string;
}

function run(argv: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((done) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    // A bare environment: the probe needs nothing, and hands nothing of orch's on.
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done({ code: null, signal: null, stdout, stderr, timedOut, spawnError: error.code ?? error.message });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Patterns of bwrap's own messages (see bubblewrap.c), most specific first, each with what to do. */
const PROBE_FAILURES: { pattern: RegExp; advice: (version: string) => string }[] = [
  {
    pattern: /Unknown option|unrecognized option/i,
    advice: (version) => `bubblewrap ${version} lacks an option orch uses: install bubblewrap 0.5.0 or newer, ${OPT_OUT}`,
  },
  {
    pattern: /max_\w*namespaces|ENOSPC/i,
    advice: () =>
      "the kernel's limit on user namespaces is reached or 0: raise user.max_user_namespaces " +
      "(sysctl -w user.max_user_namespaces=10000, and a file in /etc/sysctl.d/ to keep it), " +
      OPT_OUT,
  },
  {
    pattern: /mount proc|proc on/i,
    advice: () =>
      "bwrap cannot mount a /proc of its own, which happens in containers that mask parts of /proc " +
      "(Docker: start the container with --security-opt systempaths=unconfined, or run orch on the host), " +
      OPT_OUT,
  },
  {
    pattern: /uid map|gid map|No permissions to creat|new namespace|namespace|unshare|clone/i,
    advice: () =>
      "the kernel refuses user namespaces to this user. On Debian: sysctl -w kernel.unprivileged_userns_clone=1. " +
      "On Ubuntu 23.10 and later: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give bwrap an AppArmor profile that allows `userns`. " +
      "Check that user.max_user_namespaces is not 0, and put the setting in a file in /etc/sysctl.d/ to keep it. " +
      "In a container, its seccomp profile must allow unshare and clone (or run orch outside it); " +
      OPT_OUT,
  },
];

export interface ProbeFailure {
  bwrap: string;
  version: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  timeoutMs: number;
}

/** The start-up problem for a probe sandbox that did not exit 0: bwrap's first line of complaint, and what to do about it. Pure. */
export function describeProbeFailure(failure: ProbeFailure): string {
  const { bwrap, version, timeoutMs } = failure;
  if (failure.timedOut) {
    return `a probe sandbox (${bwrap} … -- /bin/true) did not finish within ${timeoutMs} ms; check that the host is not overloaded, ${OPT_OUT}`;
  }
  const said = firstLine(failure.stderr);
  const heading = `bubblewrap ${version} could not start a probe sandbox (${describeEnd(failure)}${said ? `: "${said}"` : ""})`;
  const known = PROBE_FAILURES.find((candidate) => candidate.pattern.test(said));
  const advice = known
    ? known.advice(version)
    : `run it by hand to see why (${bwrap} --ro-bind / / --unshare-user --unshare-pid -- /bin/true), ${OPT_OUT}`;
  return `${heading}; ${advice}`;
}

function describeEnd(result: { code: number | null; signal: NodeJS.Signals | null }): string {
  return result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
}

function firstLine(text: string): string {
  const line = text.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
