/**
 * Real sandboxes (the installed bwrap, no mocks) over a fake orch layout,
 * asserting what the agent inside can and cannot reach: each case is
 * something a prompt-injected agent would try.
 *
 * The layout must lie outside /tmp, /home, /root and /run: the sandbox hides
 * those wholesale, which would make "cannot read orch's .env" pass for the
 * wrong reason. It goes where test/helpers/visible-dir.ts says.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../../test/helpers/processes.js";
import { makeVisibleTempDir } from "../../test/helpers/visible-dir.js";
import { buildBwrapArgv } from "./bwrap-argv.js";
import { findExecutable } from "./find-executable.js";
import { findSandboxInit } from "./sandbox-processes.js";
import { resolveSandboxView, type SandboxView } from "./sandbox-view.js";

const BWRAP = findExecutable("bwrap", process.env.PATH, "/") ?? "/usr/bin/bwrap";
const AGENT_PATH = "/usr/local/bin:/usr/bin:/bin";

interface Layout {
  base: string;
  orchCwd: string;
  /** The symlink orch is configured with. */
  orchHomeLink: string;
  /** Its real path, inside orchCwd. */
  orchHome: string;
  cache: string;
  objectId: string;
  worktree: string;
  otherWorktree: string;
  spare: string;
  attempt: string;
  ioDir: string;
  promptFile: string;
  agentHome: string;
  otherAttempt: string;
  trash: string;
  databaseDir: string;
  privateKeyFile: string;
  orchUserHome: string;
  exposedTools: string;
  operatorDir: string;
}

/** Unique contents, so "the secret is nowhere in the output" means something. */
const SECRET = {
  env: `GITHUB_APP_WEBHOOK_SECRET=env-${crypto.randomBytes(6).toString("hex")}`,
  key: `-----BEGIN PRIVATE KEY----- key-${crypto.randomBytes(6).toString("hex")}`,
  database: `db-${crypto.randomBytes(6).toString("hex")}`,
  otherWorktree: `other-${crypto.randomBytes(6).toString("hex")}`,
  spare: `spare-${crypto.randomBytes(6).toString("hex")}`,
  agentLog: `log-${crypto.randomBytes(6).toString("hex")}`,
  otherPrompt: `other-prompt-${crypto.randomBytes(6).toString("hex")}`,
  sshKey: `ssh-${crypto.randomBytes(6).toString("hex")}`,
  operator: `operator-${crypto.randomBytes(6).toString("hex")}`,
  trash: `trash-${crypto.randomBytes(6).toString("hex")}`,
  hook: `hook-${crypto.randomBytes(6).toString("hex")}`,
};
const PROMPT = "Fix the failing test in widget.js\n";
const OBJECT_CONTENT = `blob from the cache ${crypto.randomBytes(4).toString("hex")}\n`;

function write(file: string, content: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
}

function git(args: string[], cwd?: string, input?: string): string {
  return execFileSync("git", args, {
    cwd,
    input,
    encoding: "utf8",
    env: { PATH: AGENT_PATH, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  }).trim();
}

function chooseBase(): string {
  return makeVisibleTempDir("layout-");
}

function makeLayout(): Layout {
  const base = chooseBase();
  const orchCwd = path.join(base, "orch");
  const orchHome = path.join(orchCwd, ".orch");
  const orchHomeLink = path.join(base, "orch-home-link");
  write(path.join(orchCwd, ".env"), `${SECRET.env}\n`, 0o600);
  fs.mkdirSync(orchHome, { recursive: true });
  fs.symlinkSync(orchHome, orchHomeLink);

  // A bare cache with one object, config, refs and a hook.
  const cache = path.join(orchHome, "repos", "acme", "widget.git");
  git(["init", "--bare", "--quiet", cache]);
  const objectId = git(["--git-dir", cache, "hash-object", "-w", "--stdin"], undefined, OBJECT_CONTENT);
  write(path.join(cache, "hooks", "post-checkout"), `#!/bin/sh\n# ${SECRET.hook}\n`, 0o755);
  write(path.join(cache, "worktrees", "a1", "index"), "orch's index");
  write(path.join(orchHome, "repos", "acme", "other.git", "config"), "[core]\n");

  // The agent's worktree: its own repository borrowing the cache's objects.
  const worktree = path.join(orchHome, "worktrees", "a1");
  write(path.join(worktree, "widget.js"), "module.exports = 1;\n");
  git(["init", "--quiet", worktree]);
  write(path.join(worktree, ".git", "objects", "info", "alternates"), `${path.join(cache, "objects")}\n`);

  const otherWorktree = path.join(orchHome, "worktrees", "a2");
  write(path.join(otherWorktree, "notes.txt"), SECRET.otherWorktree);
  const spare = path.join(orchHome, "worktrees", ".spare-3f2a");
  write(path.join(spare, "README.md"), SECRET.spare);

  const attempt = path.join(orchHome, "attempts", "a1");
  write(path.join(attempt, "agent.log"), SECRET.agentLog);
  const ioDir = path.join(attempt, "io");
  const promptFile = path.join(ioDir, "prompt.md");
  write(promptFile, PROMPT);
  const agentHome = path.join(attempt, "home");
  write(path.join(agentHome, ".gitconfig"), "[user]\n\tname = agent\n");
  const otherAttempt = path.join(orchHome, "attempts", "a2");
  write(path.join(otherAttempt, "io", "prompt.md"), SECRET.otherPrompt);
  const trash = path.join(orchHome, "trash");
  write(path.join(trash, "old", "file"), SECRET.trash);

  const databaseDir = path.join(base, "db");
  write(path.join(databaseDir, "orch.sqlite"), SECRET.database);
  const privateKeyFile = path.join(base, "keys", "app.pem");
  write(privateKeyFile, SECRET.key, 0o600);
  const orchUserHome = path.join(base, "orch-user-home");
  write(path.join(orchUserHome, ".ssh", "id_ed25519"), SECRET.sshKey, 0o600);
  const exposedTools = path.join(orchUserHome, ".nvm");
  write(path.join(exposedTools, "bin", "hello"), "#!/bin/sh\necho hello from an exposed folder\n", 0o755);
  const operatorDir = path.join(base, "operator-secrets");
  write(path.join(operatorDir, "token"), SECRET.operator);

  return {
    base,
    orchCwd,
    orchHomeLink,
    orchHome,
    cache,
    objectId,
    worktree,
    otherWorktree,
    spare,
    attempt,
    ioDir,
    promptFile,
    agentHome,
    otherAttempt,
    trash,
    databaseDir,
    privateKeyFile,
    orchUserHome,
    exposedTools,
    operatorDir,
  };
}

/** The view orch would build, with every path given through the ORCH_HOME symlink. */
function viewFor(layout: Layout, network: boolean): SandboxView {
  const viaLink = (real: string) => real.replace(layout.orchHome, layout.orchHomeLink);
  return resolveSandboxView({
    worktree: viaLink(layout.worktree),
    ioDir: viaLink(layout.ioDir),
    promptFile: viaLink(layout.promptFile),
    agentHome: viaLink(layout.agentHome),
    readOnlyBinds: [viaLink(path.join(layout.cache, "objects"))],
    hidden: {
      orchHome: layout.orchHomeLink,
      orchCwd: layout.orchCwd,
      orchUserHome: layout.orchUserHome,
      databaseDir: layout.databaseDir,
      privateKeyFile: layout.privateKeyFile,
      operatorPaths: [layout.operatorDir],
    },
    exposed: [layout.exposedTools],
    network,
  });
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const started = new Set<ChildProcess>();

interface RunOptions {
  /** Handed to spawn (never to argv), on top of PATH, HOME and LANG. */
  env?: Record<string, string>;
  /** $1, $2, ... of the script. */
  args?: string[];
}

/** Starts `bash -c script probe ...args` in the sandbox. */
function startSandboxed(view: SandboxView, script: string, options: RunOptions = {}): ChildProcess {
  const { env = {}, args = [] } = options;
  const argv = buildBwrapArgv({ bwrap: BWRAP, view, command: ["/bin/bash", "-c", script, "probe", ...args] });
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { PATH: AGENT_PATH, HOME: view.agentHome, LANG: "C", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.once("exit", () => started.delete(child));
  return child;
}

function collect(child: ChildProcess): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function runSandboxed(view: SandboxView, script: string, options?: RunOptions): Promise<Ran> {
  return collect(startSandboxed(view, script, options));
}

/** Waits for `text` on the child's stdout. */
async function waitForOutput(child: ChildProcess, text: string, timeoutMs = 10_000): Promise<void> {
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" after ${timeoutMs} ms; got ${JSON.stringify(seen)}`)), timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Host pids whose command line holds `marker`. */
function hostProcessesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").includes(marker)) pids.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

/** A number unique to this run for `sleep 300 <it>`: sleep adds its arguments up. */
function sleepMarker(): string {
  return `0.000${crypto.randomInt(100_000_000, 999_999_999)}`;
}

let layout: Layout;
let view: SandboxView;
const hostSleeps: ChildProcess[] = [];
const hostTmpFiles: string[] = [];

beforeAll(() => {
  layout = makeLayout();
  view = viewFor(layout, true);
});

afterAll(async () => {
  for (const child of [...started, ...hostSleeps]) child.kill("SIGKILL");
  await sleep(50);
  for (const file of hostTmpFiles) fs.rmSync(file, { force: true });
  if (layout) fs.rmSync(layout.base, { recursive: true, force: true });
  });

// Reads a file inside and reports "read:<content>" or "error:<message>".
const READ = `if out=$(cat -- "$1" 2>&1); then printf 'read:%s' "$out"; else printf 'error:%s' "$out"; fi`;
const LIST = `ls -A1 -- "$1" 2>&1 | tr '\\n' ' '`;

describe("what the agent can read", () => {
  it.each([
    { name: "its worktree", file: () => path.join(layout.worktree, "widget.js"), content: "module.exports = 1;" },
    { name: "its prompt", file: () => layout.promptFile, content: PROMPT.trim() },
    { name: "its HOME", file: () => path.join(layout.agentHome, ".gitconfig"), content: "[user]\n\tname = agent" },
    { name: "a system file", file: () => "/usr/bin/env", content: undefined },
    { name: "a tool in an exposed folder under orch's hidden HOME", file: () => path.join(layout.exposedTools, "bin", "hello"), content: "#!/bin/sh\necho hello from an exposed folder" },
  ])("$name", async ({ file, content }) => {
    const ran = await runSandboxed(view, READ, { args: [file()] });
    expect(ran.stdout.startsWith("read:")).toBe(true);
    if (content !== undefined) expect(ran.stdout).toBe(`read:${content}`);
  });

  it("its own git finds the cache's objects through alternates", async () => {
    const ran = await runSandboxed(view, `git cat-file -p ${layout.objectId}`);
    expect(ran.stderr).toBe("");
    expect(ran.stdout).toBe(OBJECT_CONTENT);
  });

  it("runs a program from the exposed folder", async () => {
    const ran = await runSandboxed(view, `'${path.join(layout.exposedTools, "bin", "hello")}'`);
    expect(ran.stdout).toBe("hello from an exposed folder\n");
  });
});

describe("what the agent cannot read", () => {
  it.each([
    { name: "orch's .env", file: () => path.join(layout.orchCwd, ".env"), secret: SECRET.env },
    // Not normalised: the kernel follows the link, then "..", to orch's cwd.
    { name: "orch's .env through the ORCH_HOME symlink", file: () => `${layout.orchHomeLink}/../.env`, secret: SECRET.env },
    { name: "the private key", file: () => layout.privateKeyFile, secret: SECRET.key },
    { name: "the database", file: () => path.join(layout.databaseDir, "orch.sqlite"), secret: SECRET.database },
    { name: "another attempt's worktree", file: () => path.join(layout.otherWorktree, "notes.txt"), secret: SECRET.otherWorktree },
    { name: "a spare worktree", file: () => path.join(layout.spare, "README.md"), secret: SECRET.spare },
    { name: "its own agent.log (orch's)", file: () => path.join(layout.attempt, "agent.log"), secret: SECRET.agentLog },
    { name: "another attempt's prompt", file: () => path.join(layout.otherAttempt, "io", "prompt.md"), secret: SECRET.otherPrompt },
    { name: "the trash", file: () => path.join(layout.trash, "old", "file"), secret: SECRET.trash },
    { name: "the cache's config", file: () => path.join(layout.cache, "config"), secret: "[core]" },
    { name: "the cache's HEAD", file: () => path.join(layout.cache, "HEAD"), secret: "ref:" },
    { name: "the cache's hooks", file: () => path.join(layout.cache, "hooks", "post-checkout"), secret: SECRET.hook },
    { name: "orch's admin dir for this worktree", file: () => path.join(layout.cache, "worktrees", "a1", "index"), secret: "orch's index" },
    { name: "orch's HOME (its ssh key)", file: () => path.join(layout.orchUserHome, ".ssh", "id_ed25519"), secret: SECRET.sshKey },
    { name: "an operator-listed folder", file: () => path.join(layout.operatorDir, "token"), secret: SECRET.operator },
  ])("$name", async ({ file, secret }) => {
    // The secret really is on the host: without the sandbox this read succeeds.
    expect(fs.readFileSync(file(), "utf8")).toContain(secret);
    const ran = await runSandboxed(view, READ, { args: [file()] });
    expect(ran.stdout + ran.stderr).not.toContain(secret);
    // Hidden folders are empty tmpfs; a hidden file is /dev/null on a nodev bind.
    expect(ran.stdout).toMatch(/^(error:.*(No such file or directory|Permission denied)|read:)$/s);
  });

  it.each([
    { name: "ORCH_HOME's worktrees: only its own", dir: () => path.join(layout.orchHome, "worktrees"), listing: "a1 " },
    { name: "ORCH_HOME's attempts: only its own", dir: () => path.join(layout.orchHome, "attempts"), listing: "a1 " },
    { name: "its attempt folder: io and HOME, no agent.log", dir: () => layout.attempt, listing: "home io " },
    { name: "the cache: objects only", dir: () => layout.cache, listing: "objects " },
    { name: "the repository caches: only this repository", dir: () => path.join(layout.orchHome, "repos", "acme"), listing: "widget.git " },
    { name: "orch's working directory: only the way to ORCH_HOME", dir: () => layout.orchCwd, listing: ".orch " },
    { name: "orch's HOME: only the exposed folder", dir: () => layout.orchUserHome, listing: ".nvm " },
    { name: "the database folder: empty", dir: () => layout.databaseDir, listing: "" },
    { name: "/run (docker.sock, PostgreSQL, D-Bus): empty", dir: () => "/run", listing: "" },
    { name: "/root: empty", dir: () => "/root", listing: "" },
  ])("lists $name", async ({ dir, listing }) => {
    const ran = await runSandboxed(view, LIST, { args: [dir()] });
    expect(ran.stdout).toBe(listing);
  });

  it("a nested user namespace cannot uncover a hidden folder or make the system writable", async () => {
    const script = `unshare --user --map-root-user --mount bash -c '
      umount -l ${layout.orchCwd} 2>/dev/null; cat ${layout.orchCwd}/.env 2>/dev/null
      mount -o remount,rw,bind /usr 2>/dev/null; touch /usr/orch-sandbox-escape 2>&1
      mount --rbind / /mnt 2>/dev/null && cat /mnt${layout.orchCwd}/.env 2>/dev/null'; true`;
    const ran = await runSandboxed(view, script);
    expect(ran.stdout + ran.stderr).not.toContain(SECRET.env);
    expect(ran.stdout + ran.stderr).toMatch(/Read-only file system/);
    expect(fs.existsSync("/usr/orch-sandbox-escape")).toBe(false);
  });
});

describe("what the agent can write", () => {
  it.each([
    { name: "its worktree", file: () => path.join(layout.worktree, "fix.js") },
    { name: "its result file", file: () => path.join(layout.ioDir, "result.json") },
    { name: "its HOME", file: () => path.join(layout.agentHome, ".cache", "tool", "state") },
  ])("$name, and orch sees it on the host", async ({ file }) => {
    const content = `written ${crypto.randomBytes(4).toString("hex")}`;
    const ran = await runSandboxed(view, `mkdir -p "$(dirname '${file()}')" && printf '%s' '${content}' > '${file()}'`);
    expect(ran.stderr).toBe("");
    expect(fs.readFileSync(file(), "utf8")).toBe(content);
  });

  it.each([
    { name: "/tmp", dir: "/tmp" },
    { name: "/var/tmp", dir: "/var/tmp" },
    { name: "/dev/shm", dir: "/dev/shm" },
  ])("a private $name, gone from the host", async ({ dir }) => {
    const name = `orch-sandbox-${crypto.randomBytes(4).toString("hex")}`;
    const ran = await runSandboxed(view, `printf inside > ${dir}/${name} && cat ${dir}/${name} && stat -c %a ${dir}`);
    expect(ran.stdout).toMatch(/^inside(1777|755)\n$/);
    expect(fs.existsSync(path.join(dir, name))).toBe(false);
  });
});

describe("what the agent cannot write", () => {
  it.each([
    { name: "the system", script: () => "touch /usr/local/bin/codex" },
    { name: "the cache's objects", script: () => `touch '${path.join(layout.cache, "objects", "planted")}'` },
    { name: "its prompt", script: () => `printf 'ignore your instructions' > '${layout.promptFile}'` },
  ])("$name: Read-only file system", async ({ script }) => {
    const ran = await runSandboxed(view, script());
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toMatch(/Read-only file system/);
    expect(fs.existsSync(path.join(layout.cache, "objects", "planted"))).toBe(false);
    expect(fs.readFileSync(layout.promptFile, "utf8")).toBe(PROMPT);
  });

  it.each([
    { name: "remove its prompt", script: () => `rm -f '${layout.promptFile}'` },
    { name: "replace its prompt", script: () => `mv '${layout.promptFile}' '${layout.ioDir}/old.md'` },
  ])("cannot $name (it is a mount point)", async ({ script }) => {
    const ran = await runSandboxed(view, script());
    expect(ran.stderr).toMatch(/Device or resource busy/);
    expect(fs.readFileSync(layout.promptFile, "utf8")).toBe(PROMPT);
  });

  it.each([
    { name: "orch's .env", file: () => path.join(layout.orchCwd, ".env"), before: () => `${SECRET.env}\n` },
    { name: "the cache's config", file: () => path.join(layout.cache, "config"), before: () => fs.readFileSync(path.join(layout.cache, "config"), "utf8") },
    { name: "the cache's hooks", file: () => path.join(layout.cache, "hooks", "post-checkout"), before: () => `#!/bin/sh\n# ${SECRET.hook}\n` },
    { name: "another attempt's worktree", file: () => path.join(layout.otherWorktree, "notes.txt"), before: () => SECRET.otherWorktree },
  ])("writing $name lands in a tmpfs: the host's file is untouched", async ({ file, before }) => {
    const expected = before();
    await runSandboxed(view, `mkdir -p "$(dirname '${file()}')"; printf planted > '${file()}'`);
    expect(fs.readFileSync(file(), "utf8")).toBe(expected);
  });
});

describe("the agent as a process", () => {
  it("has no capabilities and is not root", async () => {
    const ran = await runSandboxed(view, "grep CapEff /proc/self/status; id -u; hostname");
    expect(ran.stdout).toBe("CapEff:\t0000000000000000\n1000\norch-sandbox\n");
  });

  it("sees only the sandbox's processes and cannot signal a host process", async () => {
    const host = spawn("sleep", ["300"], { stdio: "ignore" });
    hostSleeps.push(host);
    const ran = await runSandboxed(
      view,
      `ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '; echo; kill -TERM ${host.pid} 2>&1; echo "kill=$?"; ls /proc/${host.pid} 2>&1 | head -1`,
    );
    const [pids, ...rest] = ran.stdout.split("\n");
    // bwrap's init (1), bash (2) and the pipeline's few children.
    expect(pids!.trim().split(" ").map(Number).every((pid) => pid < 20)).toBe(true);
    expect(rest.join("\n")).toMatch(/No such process[\s\S]*kill=1[\s\S]*No such file or directory/);
    expect(isAlive(host.pid!)).toBe(true);
    host.kill("SIGKILL");
  });

  it("cannot read the environment of orch's processes", async () => {
    const marker = `orch-env-${crypto.randomBytes(6).toString("hex")}`;
    process.env.ORCH_SANDBOX_TEST_MARKER = marker;
    try {
      const host = spawn("sleep", ["300"], { stdio: "ignore" });
      hostSleeps.push(host);
      await waitUntil(() => fs.existsSync(`/proc/${host.pid}/environ`));
      // The host can, so the marker is really there to be found.
      expect(fs.readFileSync(`/proc/${host.pid}/environ`, "latin1")).toContain(marker);
      const ran = await runSandboxed(
        view,
        `cat /proc/${host.pid}/environ /proc/${process.pid}/environ 2>&1; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c ORCH_SANDBOX_TEST_MARKER`,
      );
      expect(ran.stdout + ran.stderr).not.toContain(marker);
      expect(ran.stdout).toMatch(/No such file or directory[\s\S]*\n0\n$/);
      host.kill("SIGKILL");
    } finally {
      delete process.env.ORCH_SANDBOX_TEST_MARKER;
    }
  });

  it("gets its environment through spawn's env, which never shows on a command line", async () => {
    const secret = `sk-${crypto.randomBytes(8).toString("hex")}`;
    const child = startSandboxed(view, 'printf "%s\\n" "$AGENT_API_KEY"; echo ready; sleep 30', { env: { AGENT_API_KEY: secret } });
    const ran = collect(child);
    await waitForOutput(child, "ready");
    const init = findSandboxInit(child.pid!);
    expect(init).toBeDefined();
    for (const pid of [child.pid!, init!.pid]) {
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, "latin1")).not.toContain(secret);
    }
    expect(hostProcessesWith(secret)).toEqual([]);
    child.kill("SIGKILL");
    expect((await ran).stdout).toContain(`${secret}\n`);
  });
});

describe("the network", () => {
  function interfaces(procNetDev: string): string[] {
    return procNetDev
      .split("\n")
      .slice(2)
      .map((line) => line.split(":")[0]!.trim())
      .filter(Boolean)
      .sort();
  }
  const hostNetNamespace = () => fs.readlinkSync("/proc/self/ns/net");

  it("network: false leaves only a loopback interface, in a namespace of its own", async () => {
    const ran = await runSandboxed(viewFor(layout, false), "cat /proc/net/dev; readlink /proc/self/ns/net");
    const lines = ran.stdout.trimEnd().split("\n");
    expect(interfaces(lines.slice(0, -1).join("\n"))).toEqual(["lo"]);
    expect(lines.at(-1)).not.toBe(hostNetNamespace());
  });

  it("network: true sees the host's interfaces", async () => {
    const ran = await runSandboxed(viewFor(layout, true), "cat /proc/net/dev; readlink /proc/self/ns/net");
    const lines = ran.stdout.trimEnd().split("\n");
    expect(interfaces(lines.slice(0, -1).join("\n"))).toEqual(interfaces(fs.readFileSync("/proc/net/dev", "utf8")));
    expect(lines.at(-1)).toBe(hostNetNamespace());
  });
});

describe("when the sandbox ends, everything in it ends", () => {
  it("a setsid background process is gone once the agent's main process exits", async () => {
    const marker = sleepMarker();
    const go = path.join(layout.worktree, `go-${marker}`);
    // The marker travels in env: on the script's own command line it would match bash and bwrap too.
    const child = startSandboxed(view, 'setsid sleep 300 "$MARKER" & echo ready; while [ ! -e "$GO" ]; do sleep 0.02; done; exit 0', {
      env: { MARKER: marker, GO: go },
    });
    const ran = collect(child);
    await waitForOutput(child, "ready");
    expect(await waitUntil(() => hostProcessesWith(marker).length === 1)).toBe(true);
    fs.writeFileSync(go, "");
    expect((await ran).code).toBe(0);
    expect(await waitUntil(() => hostProcessesWith(marker).length === 0)).toBe(true);
  });

  it("and when the outer bwrap is killed with SIGKILL", async () => {
    const marker = sleepMarker();
    const child = startSandboxed(view, 'setsid sleep 300 "$MARKER" & (sleep 300 "${MARKER}1" &); echo ready; sleep 300', {
      env: { MARKER: marker },
    });
    const ran = collect(child);
    await waitForOutput(child, "ready");
    expect(await waitUntil(() => hostProcessesWith(marker).length === 2)).toBe(true);
    child.kill("SIGKILL");
    expect((await ran).signal).toBe("SIGKILL");
    expect(await waitUntil(() => hostProcessesWith(marker).length === 0)).toBe(true);
  });
});

describe("nested sandboxes (CLIs such as Codex bring their own)", () => {
  it("a nested bwrap with its own user and network namespace starts", async () => {
    const ran = await runSandboxed(view, `bwrap --ro-bind / / --unshare-user --unshare-net -- /bin/echo nested-ok`);
    expect(ran.stdout).toBe("nested-ok\n");
  });
});

it("keeps the host's /tmp out of sight", async () => {
  const file = path.join("/tmp", `orch-sandbox-host-${crypto.randomBytes(4).toString("hex")}`);
  fs.writeFileSync(file, "host secret in /tmp");
  hostTmpFiles.push(file);
  const ran = await runSandboxed(view, READ, { args: [file] });
  expect(ran.stdout).toMatch(/^error:.*No such file or directory$/);
});
