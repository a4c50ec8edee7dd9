/**
 * The bubblewrap command line for one attempt (see sandbox-view.ts for what it
 * shows). Pure. It never carries an environment value: argv can be read by
 * every user on the host (/proc/<pid>/cmdline), so the runner hands the agent's
 * environment to `spawn` and bwrap passes its own environment on to the agent.
 */
import { listSandboxMounts, type SandboxMount, type SandboxView } from "./sandbox-view.js";

/** The agent's uid and gid inside. Anything but 0: as root, bwrap keeps every capability for uid 0. */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;
export const SANDBOX_HOSTNAME = "orch-sandbox";

export interface BuildBwrapArgvParams {
  /** Absolute path of bwrap (see checkSandbox). */
  bwrap: string;
  view: SandboxView;
  /** The agent's argv; command[0] should be absolute (see resolveProgram), else bwrap looks it up on the env's PATH inside. */
  command: string[];
  /**
   * A file descriptor of the bwrap process (e.g. 3, from spawn's stdio) on
   * which bwrap writes `{ "child-pid": N, ... }` once the sandbox is set up
   * and `{ "exit-code": N }` when the agent ends: how to tell a sandbox that
   * never started (no exit-code line) from an agent that exited with 1.
   */
  jsonStatusFd?: number;
}

/** `[bwrap, ...options, "--", ...command]` for spawn(argv[0], argv.slice(1)). Throws on an empty command. */
export function buildBwrapArgv(params: BuildBwrapArgvParams): string[] {
  const { bwrap, view, command, jsonStatusFd } = params;
  if (command.length === 0 || command[0] === "") throw new RangeError("the sandboxed command is empty");
  return [
    bwrap,
    ...SYSTEM_ARGS,
    ...listSandboxMounts(view).flatMap(mountArgs),
    "--chdir",
    view.worktree,
    ...isolationArgs(view.network),
    ...(jsonStatusFd === undefined ? [] : ["--json-status-fd", String(jsonStatusFd)]),
    "--",
    ...command,
  ];
}

/**
 * A sandbox with every option an attempt uses (and no network), running
 * /bin/true: what the start-up check runs to learn whether sandboxes work here.
 */
export function buildProbeArgv(bwrap: string): string[] {
  return [
    bwrap,
    ...SYSTEM_ARGS,
    ...mountArgs({ kind: "private-tmp", path: "/tmp" }),
    "--chdir",
    "/",
    ...isolationArgs(false),
    "--",
    "/bin/true",
  ];
}

// The system read-only, a minimal /dev of its own (null, zero, random, tty,
// pts, and a writable /dev/shm), and a /proc that shows only the sandbox.
const SYSTEM_ARGS = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];

function mountArgs(mount: SandboxMount): string[] {
  switch (mount.kind) {
    case "private-tmp":
      // tmpfs defaults to 0755; tools expect a sticky, world-writable /tmp.
      return ["--perms", "1777", "--tmpfs", mount.path];
    case "hidden-dir":
      return ["--tmpfs", mount.path];
    case "hidden-file":
      // bwrap mounts binds nodev, so opening it fails with "Permission
      // denied": nothing is read, nothing is written.
      return ["--ro-bind", "/dev/null", mount.path];
    case "exposed":
    case "read-only":
      return ["--ro-bind", mount.path, mount.path];
    case "read-write":
      return ["--bind", mount.path, mount.path];
  }
}

function isolationArgs(network: boolean): string[] {
  return [
    // A user namespace with an unprivileged uid: without it, bwrap run as
    // root leaves the agent every capability (it could remount the binds).
    "--unshare-user",
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_GID),
    // Its own PID namespace: it cannot see or signal orch or other attempts,
    // and when bwrap's init goes, the kernel kills everything left in it.
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--hostname",
    SANDBOX_HOSTNAME,
    "--unshare-cgroup-try",
    ...(network ? [] : ["--unshare-net"]),
    "--cap-drop",
    "ALL",
    // If orch dies, the sandbox dies with it instead of running unobserved.
    "--die-with-parent",
    // A session of its own: no TIOCSTI keystrokes into a terminal orch has.
    "--new-session",
  ];
}
