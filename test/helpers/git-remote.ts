/**
 * Real bare git remotes in a temp directory, reachable as `file://` URLs, for
 * any test that needs a repository to clone, fetch from or push to.
 *
 *     const remote = await createRemote({ root, owner: "acme", repo: "app" });
 *     new RepoCache({ home, gitBaseUrl: remote.url });   // fetches file://<root>/acme/app.git
 *
 * Runs the git binary directly (not through src/workspace), so tests that use
 * these helpers check orch's git code against an independent view. Host and
 * user git config are ignored and identities and dates are fixed, so runs are
 * repeatable.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const TEST_IDENTITY = { name: "Remote Fixture", email: "fixture@example.test" };

export interface Remote {
  /** `file:///…/root` with no trailing slash: the value for gitBaseUrl / ORCH_GIT_BASE_URL. */
  url: string;
  /** `<root>/<owner>/<repo>.git` */
  barePath: string;
  /** The default branch's head after creation. */
  headSha: string;
}

/**
 * Makes a bare repository at `<root>/<owner>/<repo>.git` whose default branch
 * has one commit holding `files` (default: a README). Add more commits with
 * pushCommit.
 */
export async function createRemote(params: {
  root: string;
  owner: string;
  repo: string;
  files?: Record<string, string>;
  defaultBranch?: string;
}): Promise<Remote> {
  const { root, owner, repo, defaultBranch = "main" } = params;
  const files = params.files ?? { "README.md": `# ${owner}/${repo}\n` };
  const barePath = join(root, owner, `${repo}.git`);
  await mkdir(barePath, { recursive: true });
  await git(barePath, ["init", "--bare", "--quiet", `--initial-branch=${defaultBranch}`]);
  const headSha = await commitOnto({ barePath, parent: undefined, files, message: "initial commit", push: `refs/heads/${defaultBranch}` });
  return { url: pathToFileURL(root).href.replace(/\/+$/, ""), barePath, headSha };
}

/**
 * Adds a commit with `files` on top of `branch` (default: the bare repo's
 * HEAD branch) and pushes it there, as someone else pushing upstream would.
 * Returns the new sha.
 */
export async function pushCommit(params: {
  barePath: string;
  files: Record<string, string>;
  branch?: string;
  message?: string;
}): Promise<string> {
  const { barePath, files, message = "upstream change" } = params;
  const branch = params.branch ?? (await git(barePath, ["symbolic-ref", "--short", "HEAD"]));
  const parent = await git(barePath, ["rev-parse", "--verify", `refs/heads/${branch}^{commit}`]);
  return commitOnto({ barePath, parent, files, message, push: `refs/heads/${branch}` });
}

/**
 * Creates `refs/pull/<number>/head` in the bare repo, as GitHub does for a
 * pull request: a new commit (adding `pr-<number>.txt`) on top of `fromSha`,
 * by default the HEAD branch. Returns its sha.
 */
export async function createPullRef(params: { barePath: string; number: number; fromSha?: string }): Promise<string> {
  const { barePath, number } = params;
  const parent = params.fromSha ?? (await git(barePath, ["rev-parse", "--verify", "HEAD^{commit}"]));
  return commitOnto({
    barePath,
    parent,
    files: { [`pr-${number}.txt`]: `change from pull request #${number}\n` },
    message: `pull request #${number}`,
    push: `refs/pull/${number}/head`,
  });
}

/** Branch names (without `refs/heads/`) in the bare repo, sorted. */
export async function listRemoteBranches(barePath: string): Promise<string[]> {
  const out = await git(barePath, ["for-each-ref", "--format=%(refname:strip=2)", "refs/heads/"]);
  return out === "" ? [] : out.split("\n").sort();
}

/** The content of `file` at `ref` (a branch, full ref or sha) in the bare repo. */
export async function readFileAtRef(barePath: string, ref: string, file: string): Promise<string> {
  const { stdout } = await execFileAsync("git", ["show", `${ref}:${file}`], { cwd: barePath, env: gitEnv() });
  return stdout;
}

/** Runs git with host config ignored and a fixed identity; returns trimmed stdout. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", [...args], { cwd, env: gitEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

let commitCounter = 0;

/** Builds a commit in a throwaway clone-less work tree and pushes it to `push` in the bare repo. */
async function commitOnto(params: {
  barePath: string;
  parent: string | undefined;
  files: Record<string, string>;
  message: string;
  push: string;
}): Promise<string> {
  const { barePath, parent, files, message, push } = params;
  const work = await mkdtemp(join(tmpdir(), "orch-remote-work-"));
  try {
    await git(work, ["init", "--quiet"]);
    if (parent !== undefined) {
      await git(work, ["fetch", "--quiet", "--no-tags", barePath, parent]);
      await git(work, ["checkout", "--quiet", "--detach", parent]);
    }
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, file)), { recursive: true });
      await writeFile(join(work, file), content);
    }
    await git(work, ["add", "--all"]);
    // Distinct, fixed dates keep shas stable across runs yet different per commit.
    commitCounter += 1;
    const date = `${1_700_000_000 + commitCounter} +0000`;
    await execFileAsync("git", ["commit", "--quiet", "--allow-empty", "-m", message], {
      cwd: work,
      env: { ...gitEnv(), GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    await git(work, ["push", "--quiet", barePath, `HEAD:${push}`]);
    return await git(work, ["rev-parse", "HEAD"]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("GIT_")) env[key] = value;
  }
  return {
    ...env,
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: TEST_IDENTITY.name,
    GIT_AUTHOR_EMAIL: TEST_IDENTITY.email,
    GIT_COMMITTER_NAME: TEST_IDENTITY.name,
    GIT_COMMITTER_EMAIL: TEST_IDENTITY.email,
  };
}
