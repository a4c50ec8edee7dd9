import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSandbox, describeProbeFailure } from "./check-sandbox.js";
import { findExecutable } from "./find-executable.js";

const BWRAP = findExecutable("bwrap", process.env.PATH, "/") ?? "/usr/bin/bwrap";
const INSTALL =
  "install the Debian/Ubuntu package `bubblewrap` (apt-get install bubblewrap), or set `sandbox: none` on each agent to run them unsandboxed (not recommended)";

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), "orch-check-sandbox-"));
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("checkSandbox", () => {
  it("finds bwrap on PATH, runs a probe sandbox and reports its version", async () => {
    const version = /(\d+\.\d+(?:\.\d+)?)/.exec(execFileSync(BWRAP, ["--version"], { encoding: "utf8" }))![1];
    expect(await checkSandbox()).toEqual({ ok: true, bwrap: BWRAP, version });
  });

  it("takes an explicit path", async () => {
    expect(await checkSandbox({ bwrap: BWRAP })).toMatchObject({ ok: true, bwrap: BWRAP });
  });

  it.each([
    {
      name: "bwrap is not on PATH",
      params: { pathEnv: "/nonexistent/bin" },
      problem: `bubblewrap (bwrap) is not installed: ${INSTALL}`,
    },
    {
      name: "the configured path does not exist",
      params: { bwrap: "/opt/nowhere/bwrap" },
      problem: `there is no executable bwrap at /opt/nowhere/bwrap: ${INSTALL}`,
    },
  ])("says how to install it when $name", async ({ params, problem }) => {
    expect(await checkSandbox(params)).toEqual({ ok: false, problem });
  });

  it("refuses a program that is not bubblewrap", async () => {
    const result = await checkSandbox({ bwrap: "/bin/false" });
    expect(result).toEqual({ ok: false, problem: `/bin/false --version did not answer like bubblewrap (exit code 1): ${INSTALL}` });
  });

  it("names the kernel setting when the kernel refuses user namespaces", async () => {
    // The real bwrap in a user namespace whose limit on further user
    // namespaces is 0: the kernel refuses bwrap's clone(CLONE_NEWUSER).
    const wrapper = path.join(scratch, "bwrap-without-userns");
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nexec unshare --user --map-root-user sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" "$@"' ${BWRAP} "$@"\n`,
      { mode: 0o755 },
    );
    const result = await checkSandbox({ bwrap: wrapper });
    expect(result.ok).toBe(false);
    expect((result as { problem: string }).problem).toMatch(
      /^bubblewrap \d+\.\d+\.\d+ could not start a probe sandbox \(exit code 1: "bwrap: Creating new namespace failed: nesting depth or \/proc\/sys\/user\/max_\*_namespaces exceeded \(ENOSPC\)"\); the kernel's limit on user namespaces is reached or 0: raise user.max_user_namespaces/,
    );
  });

  it("gives up on a probe that hangs, within the timeout", async () => {
    const wrapper = path.join(scratch, "bwrap-that-hangs");
    fs.writeFileSync(wrapper, `#!/bin/sh\n[ "$1" = --version ] && exec ${BWRAP} --version\nexec sleep 30\n`, { mode: 0o755 });
    const started = performance.now();
    const result = await checkSandbox({ bwrap: wrapper, timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((result as { problem: string }).problem).toMatch(/did not finish within 300 ms/);
  });
});

describe("describeProbeFailure", () => {
  const base = { bwrap: "/usr/bin/bwrap", version: "0.8.0", code: 1, signal: null, timedOut: false, timeoutMs: 10_000 };
  it.each([
    {
      name: "uid map refused (e.g. AppArmor on Ubuntu)",
      stderr: "bwrap: setting up uid map: Permission denied\n",
      advice: /kernel refuses user namespaces .*kernel\.unprivileged_userns_clone=1.*kernel\.apparmor_restrict_unprivileged_userns=0/,
    },
    {
      name: "unprivileged user namespaces switched off (Debian)",
      stderr:
        "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces. On e.g. debian this can be enabled with 'sysctl kernel.unprivileged_userns_clone=1'.\n",
      advice: /kernel refuses user namespaces .*kernel\.unprivileged_userns_clone=1/,
    },
    {
      name: "clone refused by a container's seccomp profile",
      stderr: "bwrap: Creating new namespace failed: Operation not permitted\n",
      advice: /seccomp profile must allow unshare and clone/,
    },
    {
      name: "the namespace limit",
      stderr: "bwrap: Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded (ENOSPC)\n",
      advice: /raise user\.max_user_namespaces/,
    },
    {
      name: "a masked /proc in a container",
      stderr: "bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n",
      advice: /cannot mount a \/proc of its own.*systempaths=unconfined/,
    },
    {
      name: "a bwrap too old for an option",
      stderr: "bwrap: Unknown option --unshare-cgroup-try\n",
      advice: /bubblewrap 0\.8\.0 lacks an option orch uses: install bubblewrap 0\.5\.0 or newer/,
    },
    {
      name: "anything else",
      stderr: "bwrap: something new\n",
      advice: /run it by hand to see why \(\/usr\/bin\/bwrap --ro-bind \/ \/ --unshare-user --unshare-pid -- \/bin\/true\)/,
    },
  ])("$name", ({ stderr, advice }) => {
    const problem = describeProbeFailure({ ...base, stderr });
    expect(problem).toContain(`could not start a probe sandbox (exit code 1: "${stderr.trim()}")`);
    expect(problem).toMatch(advice);
    expect(problem).toMatch(/or set `sandbox: none` on each agent to run them unsandboxed \(not recommended\)$/);
  });
});
