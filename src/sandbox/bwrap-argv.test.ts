import { describe, expect, it } from "vitest";
import { buildBwrapArgv, buildProbeArgv } from "./bwrap-argv.js";
import type { SandboxView } from "./sandbox-view.js";

const H = "/srv/orch/.orch";
const typicalView: SandboxView = {
  worktree: `${H}/worktrees/a1`,
  ioDir: `${H}/attempts/a1/io`,
  promptFile: `${H}/attempts/a1/io/prompt.md`,
  agentHome: `${H}/attempts/a1/home`,
  readOnlyBinds: [`${H}/repos/acme/widget.git/objects`],
  privateTmp: ["/tmp", "/var/tmp"],
  hidden: [
    { path: "/home", kind: "dir" },
    { path: "/root", kind: "dir" },
    { path: "/run", kind: "dir" },
    { path: "/srv/orch", kind: "dir" },
    { path: "/etc/orch/app.pem", kind: "file" },
  ],
  exposed: ["/root/.nvm"],
  network: true,
};

function view(overrides: Partial<SandboxView>): SandboxView {
  return { ...typicalView, ...overrides };
}

/** The options before "--": what bwrap itself reads. */
function options(argv: string[]): string[] {
  return argv.slice(1, argv.indexOf("--"));
}

/** Index of the option `flag` whose value (or values) are `values`, or -1. */
function indexOfOption(argv: string[], flag: string, ...values: string[]): number {
  return argv.findIndex((word, i) => word === flag && values.every((v, j) => argv[i + 1 + j] === v));
}

describe("buildBwrapArgv", () => {
  it("builds the whole command line of a typical attempt", () => {
    const argv = buildBwrapArgv({ bwrap: "/usr/bin/bwrap", view: typicalView, command: ["/usr/bin/codex", "exec", "--json"] });
    expect(argv.join(" ")).toMatchInlineSnapshot(
      `"/usr/bin/bwrap --ro-bind / / --dev /dev --proc /proc --perms 1777 --tmpfs /tmp --perms 1777 --tmpfs /var/tmp --tmpfs /home --tmpfs /root --tmpfs /run --tmpfs /srv/orch --ro-bind /dev/null /etc/orch/app.pem --ro-bind /root/.nvm /root/.nvm --bind /srv/orch/.orch/worktrees/a1 /srv/orch/.orch/worktrees/a1 --bind /srv/orch/.orch/attempts/a1/io /srv/orch/.orch/attempts/a1/io --bind /srv/orch/.orch/attempts/a1/home /srv/orch/.orch/attempts/a1/home --ro-bind /srv/orch/.orch/repos/acme/widget.git/objects /srv/orch/.orch/repos/acme/widget.git/objects --ro-bind /srv/orch/.orch/attempts/a1/io/prompt.md /srv/orch/.orch/attempts/a1/io/prompt.md --chdir /srv/orch/.orch/worktrees/a1 --unshare-user --uid 1000 --gid 1000 --unshare-pid --unshare-ipc --unshare-uts --hostname orch-sandbox --unshare-cgroup-try --cap-drop ALL --die-with-parent --new-session -- /usr/bin/codex exec --json"`,
    );
  });

  interface Case {
    name: string;
    view: SandboxView;
    command?: string[];
    /** Each holds: a check on the argv. */
    check: (argv: string[]) => void;
  }
  const cases: Case[] = [
    {
      name: "the system is read-only first, before anything is mounted over it",
      view: typicalView,
      check: (argv) => expect(argv.slice(1, 4)).toEqual(["--ro-bind", "/", "/"]),
    },
    {
      name: "network: true shares the host's network namespace",
      view: view({ network: true }),
      check: (argv) => expect(options(argv)).not.toContain("--unshare-net"),
    },
    {
      name: "network: false cuts the network",
      view: view({ network: false }),
      check: (argv) => expect(options(argv)).toContain("--unshare-net"),
    },
    {
      name: "an unprivileged uid without capabilities in its own PID namespace, dying with orch",
      view: typicalView,
      check: (argv) => {
        const opts = options(argv);
        for (const flag of ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"]) {
          expect(opts).toContain(flag);
        }
        expect(indexOfOption(opts, "--uid", "1000")).toBeGreaterThan(-1);
        expect(indexOfOption(opts, "--gid", "1000")).toBeGreaterThan(-1);
        expect(indexOfOption(opts, "--cap-drop", "ALL")).toBeGreaterThan(-1);
      },
    },
    {
      name: "a hidden folder gets an empty tmpfs, a hidden file /dev/null",
      view: view({ hidden: [{ path: "/srv/secrets", kind: "dir" }, { path: "/etc/orch/app.pem", kind: "file" }] }),
      check: (argv) => {
        expect(indexOfOption(argv, "--tmpfs", "/srv/secrets")).toBeGreaterThan(-1);
        expect(indexOfOption(argv, "--ro-bind", "/dev/null", "/etc/orch/app.pem")).toBeGreaterThan(-1);
        expect(argv).not.toContain("--bind-try");
      },
    },
    {
      name: "nested hidden paths are mounted parents first, whatever order the view lists them in",
      view: view({
        hidden: [
          { path: "/a/b/c/key", kind: "file" },
          { path: "/a/b", kind: "dir" },
          { path: "/a", kind: "dir" },
        ],
      }),
      check: (argv) => {
        const a = indexOfOption(argv, "--tmpfs", "/a");
        const ab = indexOfOption(argv, "--tmpfs", "/a/b");
        const key = indexOfOption(argv, "--ro-bind", "/dev/null", "/a/b/c/key");
        expect(a).toBeGreaterThan(-1);
        expect(ab).toBeGreaterThan(a);
        expect(key).toBeGreaterThan(ab);
      },
    },
    {
      name: "exposed paths come back read-only after every hidden path, before the attempt's own paths",
      view: view({ exposed: ["/root/.nvm", "/home/ops/tools"] }),
      check: (argv) => {
        const lastHidden = Math.max(...typicalView.hidden.map((h) => argv.lastIndexOf(h.path)));
        for (const path of ["/root/.nvm", "/home/ops/tools"]) {
          const at = indexOfOption(argv, "--ro-bind", path, path);
          expect(at).toBeGreaterThan(lastHidden);
          expect(at).toBeLessThan(indexOfOption(argv, "--bind", typicalView.worktree, typicalView.worktree));
        }
        expect(indexOfOption(argv, "--bind", "/root/.nvm", "/root/.nvm")).toBe(-1);
      },
    },
    {
      name: "the worktree, io folder and HOME are writable; the prompt, read-only, goes on top of its io folder",
      view: typicalView,
      check: (argv) => {
        for (const path of [typicalView.worktree, typicalView.ioDir, typicalView.agentHome]) {
          expect(indexOfOption(argv, "--bind", path, path)).toBeGreaterThan(-1);
        }
        const objects = typicalView.readOnlyBinds[0]!;
        expect(indexOfOption(argv, "--ro-bind", objects, objects)).toBeGreaterThan(-1);
        expect(indexOfOption(argv, "--bind", objects, objects)).toBe(-1);
        const prompt = indexOfOption(argv, "--ro-bind", typicalView.promptFile, typicalView.promptFile);
        expect(prompt).toBeGreaterThan(indexOfOption(argv, "--bind", typicalView.ioDir, typicalView.ioDir));
        expect(indexOfOption(argv, "--bind", typicalView.promptFile, typicalView.promptFile)).toBe(-1);
      },
    },
    {
      name: "the agent starts in its worktree",
      view: typicalView,
      check: (argv) => expect(indexOfOption(options(argv), "--chdir", typicalView.worktree)).toBeGreaterThan(-1),
    },
    {
      name: "a command that looks like bwrap options stays the command (after --)",
      view: typicalView,
      command: ["--bind", "/", "/", "--", "sh"],
      check: (argv) => {
        expect(argv.slice(argv.indexOf("--") + 1)).toEqual(["--bind", "/", "/", "--", "sh"]);
        expect(indexOfOption(options(argv), "--bind", "/", "/")).toBe(-1);
      },
    },
    {
      name: "no environment value, nor any way to set one, is on the command line",
      view: typicalView,
      check: (argv) => {
        for (const flag of ["--setenv", "--unsetenv", "--clearenv"]) expect(argv).not.toContain(flag);
        expect(argv.join("\0")).not.toContain(process.env.ORCH_TEST_ARGV_SECRET);
      },
    },
  ];

  it.each(cases)("$name", ({ view: v, command, check }) => {
    const secret = "sk-argv-must-not-hold-this";
    process.env.ORCH_TEST_ARGV_SECRET = secret;
    try {
      const argv = buildBwrapArgv({ bwrap: "/usr/bin/bwrap", view: v, command: command ?? ["/usr/bin/agent", "run"] });
      expect(argv[0]).toBe("/usr/bin/bwrap");
      expect(argv.join("\0")).not.toContain(secret);
      check(argv);
    } finally {
      delete process.env.ORCH_TEST_ARGV_SECRET;
    }
  });

  it("passes --json-status-fd when asked, so a sandbox that never started differs from an agent exiting 1", () => {
    const argv = buildBwrapArgv({ bwrap: "bwrap", view: typicalView, command: ["agent"], jsonStatusFd: 3 });
    expect(indexOfOption(options(argv), "--json-status-fd", "3")).toBeGreaterThan(-1);
    expect(buildBwrapArgv({ bwrap: "bwrap", view: typicalView, command: ["agent"] })).not.toContain("--json-status-fd");
  });

  it.each([
    { name: "an empty command", command: [] },
    { name: "an empty program", command: [""] },
  ])("refuses $name", ({ command }) => {
    expect(() => buildBwrapArgv({ bwrap: "bwrap", view: typicalView, command })).toThrow(/empty/);
  });
});

describe("buildProbeArgv", () => {
  it("uses the same isolation as an attempt, with the network cut, and runs /bin/true", () => {
    const probe = buildProbeArgv("/usr/bin/bwrap");
    const attempt = options(buildBwrapArgv({ bwrap: "/usr/bin/bwrap", view: view({ network: false }), command: ["x"] }));
    const isolation = attempt.slice(attempt.indexOf("--unshare-user"));
    expect(options(probe).slice(options(probe).indexOf("--unshare-user"))).toEqual(isolation);
    expect(probe.slice(probe.indexOf("--"))).toEqual(["--", "/bin/true"]);
  });
});
