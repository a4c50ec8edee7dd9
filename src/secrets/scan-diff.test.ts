import { execFile } from "node:child_process";
import crypto from "node:crypto";
import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Redactor } from "./redactor.js";
import { scanDiffForSecrets, type SecretHit } from "./scan-diff.js";

const execFileAsync = promisify(execFile);

// Assembled at run time so that this file holds no token-shaped literal (see redactor.test.ts).
const TOKEN = ["gh", "p_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("");
const OTHER_TOKEN = TOKEN.replace("A1b2", "Zy98");
const AGENT_API_KEY = "agent-key-7f3c9a1e5b2d8064";
const { privateKey: PEM } = crypto.generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** The exact command the brief gives orch for the pre-push scan, with the prefixes pinned. */
const DIFF_ARGS = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--text", "-U0", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/"];

/** File contents by path; null deletes the file. */
type Files = Record<string, string | null>;

let repo: string;

beforeEach(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "orch-scan-diff-"));
  await git(["init", "--quiet", "--initial-branch=main"]);
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function git(args: readonly string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: repo,
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.test",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.test",
  };
  const { stdout } = await execFileAsync("git", [...args], { cwd: repo, env, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** Writes `files` (null deletes), commits everything, returns the commit's sha. */
async function commit(files: Files): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo, name);
    if (content === null) {
      await unlink(file);
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  await git(["add", "--all"]);
  await git(["commit", "--quiet", "--allow-empty", "-m", "change"]);
  return (await git(["rev-parse", "HEAD"])).trim();
}

/** The diff from a base commit with `base` to a head commit with `head` applied on top. */
async function buildDiff(base: Files, head: Files): Promise<string> {
  const baseSha = await commit(base);
  const headSha = await commit(head);
  return git([...DIFF_ARGS, baseSha, headSha]);
}

describe("scanDiffForSecrets", () => {
  it.each<{ name: string; base: Files; head: Files; expected: SecretHit[] }>([
    {
      name: "a token added in settings.js line 3",
      base: { "settings.js": "const a = 1;\nconst b = 2;\nexport { a, b };\n" },
      head: { "settings.js": `const a = 1;\nconst b = 2;\nconst token = "${TOKEN}";\nexport { a, b };\n` },
      expected: [{ file: "settings.js", line: 3, rule: "GitHub token" }],
    },
    {
      name: "a token already in the base, with another line of the file changed",
      base: { "config.js": `const token = "${TOKEN}";\nconst retries = 1;\n` },
      head: { "config.js": `const token = "${TOKEN}";\nconst retries = 3;\n` },
      expected: [],
    },
    {
      name: "a token already in the base, moved to another line",
      base: { "config.js": `const token = "${TOKEN}";\nconst a = 1;\nconst b = 2;\n` },
      head: { "config.js": `const a = 1;\nconst b = 2;\nconst token = "${TOKEN}";\n` },
      expected: [],
    },
    {
      name: "a token already in the base, moved to a new file",
      base: { "old.js": `export const token = "${TOKEN}";\n` },
      head: { "old.js": null, "src/new.js": `export const token = "${TOKEN}";\n` },
      expected: [],
    },
    {
      name: "a token already in the base, on a line that was edited",
      base: { "config.js": `const t = "${TOKEN}";\n` },
      head: { "config.js": `export const token = "${TOKEN}"; // keep\n` },
      expected: [],
    },
    {
      name: "a deleted token",
      base: { "secret.js": `const token = "${TOKEN}";\nconst x = 1;\n`, "other.js": `const t = "${OTHER_TOKEN}";\n` },
      head: { "secret.js": "const x = 1;\n", "other.js": null },
      expected: [],
    },
    {
      name: "a token that replaces an older one",
      base: { "ci.yml": `token: ${OTHER_TOKEN}\n` },
      head: { "ci.yml": `token: ${TOKEN}\n` },
      expected: [{ file: "ci.yml", line: 1, rule: "GitHub token" }],
    },
    {
      name: "a new PEM file, at its first line",
      base: { "README.md": "# app\n" },
      head: { "keys/deploy.pem": PEM },
      expected: [{ file: "keys/deploy.pem", line: 1, rule: "private key" }],
    },
    {
      name: "a PEM key pasted into the middle of a file",
      base: { "notes.md": "# notes\n\nend\n" },
      head: { "notes.md": `# notes\n\n${PEM}\nend\n` },
      expected: [{ file: "notes.md", line: 3, rule: "private key" }],
    },
    {
      name: "an agent's API key (a known value) written into a file",
      base: { "README.md": "# app\n" },
      head: { ".env": `DEBUG=1\nANTHROPIC_API_KEY=${AGENT_API_KEY}\n` },
      expected: [{ file: ".env", line: 2, rule: "a known secret value" }],
    },
    {
      name: "two secrets on one line, as one hit",
      base: { "README.md": "# app\n" },
      head: { "a.txt": `x\n${TOKEN} ${OTHER_TOKEN}\n` },
      expected: [{ file: "a.txt", line: 2, rule: "GitHub token" }],
    },
    {
      name: "hits in several files and hunks, sorted by file then line",
      base: { "b.txt": "1\n2\n3\n4\n5\n6\n", "a.txt": "x\n" },
      head: { "b.txt": `1\n${TOKEN}\n3\n4\n5\n${OTHER_TOKEN}\n`, "a.txt": `x\ny\n${AGENT_API_KEY}\n` },
      expected: [
        { file: "a.txt", line: 3, rule: "a known secret value" },
        { file: "b.txt", line: 2, rule: "GitHub token" },
        { file: "b.txt", line: 6, rule: "GitHub token" },
      ],
    },
    {
      // A line whose text is "++ b/x" reads "+++ b/x" in the diff; it must not start a new file.
      name: "an added line that looks like a file header",
      base: { "README.md": "# app\n" },
      head: { "doc.txt": `++ b/elsewhere.txt\n--- a/x\n@@ -1 +1 @@\n${TOKEN}\n` },
      expected: [{ file: "doc.txt", line: 4, rule: "GitHub token" }],
    },
    {
      name: "a file without a final newline",
      base: { "README.md": "# app\n" },
      head: { "last.txt": `first\n${TOKEN}` },
      expected: [{ file: "last.txt", line: 2, rule: "GitHub token" }],
    },
    {
      name: "a diff with no secret",
      base: { "README.md": "# app\n" },
      head: { "README.md": "# app\n\nA token is needed; see https://github.com/acme/widgets.\n" },
      expected: [],
    },
  ])("$name", async ({ base, head, expected }) => {
    const diff = await buildDiff(base, head);

    const hits = await scanDiffForSecrets({ diff, redactor: new Redactor({ known: [AGENT_API_KEY] }) });

    expect(hits).toEqual(expected);
    for (const secret of [TOKEN, OTHER_TOKEN, AGENT_API_KEY]) expect(JSON.stringify(hits)).not.toContain(secret);
  });

  it.each([
    { name: "spaces", file: "dir with space/my file.txt" },
    { name: "non-ASCII (quoted by git as octal escapes)", file: "spécial/日本語.txt" },
    { name: "quotes and a backslash", file: 'sp\u00e9cial "q"\\x.txt' },
    { name: "a tab", file: "tab\there.txt" },
    { name: "a leading dash", file: "-rf.txt" },
    { name: "' b/' inside the name", file: "a b/c b/d.txt" },
  ])("a file name with $name", async ({ file }) => {
    const diff = await buildDiff({ "README.md": "# app\n" }, { [file]: `line one\nkey = "${TOKEN}"\n` });

    const hits = await scanDiffForSecrets({ diff, redactor: new Redactor() });

    expect(hits).toEqual([{ file, line: 2, rule: "GitHub token" }]);
  });

  it("a file named like a token, with the name redacted", async () => {
    const diff = await buildDiff(
      { "README.md": "# app\n" },
      { [`creds/${TOKEN}.txt`]: `also ${OTHER_TOKEN}\n`, [`empty-${AGENT_API_KEY}`]: "" },
    );

    const hits = await scanDiffForSecrets({ diff, redactor: new Redactor({ known: [AGENT_API_KEY] }) });

    expect(hits).toEqual([
      { file: "creds/[redacted].txt", line: 0, rule: "GitHub token (in the file's name)" },
      { file: "creds/[redacted].txt", line: 1, rule: "GitHub token" },
      { file: "empty-[redacted]", line: 0, rule: "a known secret value (in the file's name)" },
    ]);
    expect(JSON.stringify(hits)).not.toContain(TOKEN);
    expect(JSON.stringify(hits)).not.toContain(AGENT_API_KEY);
  });

  it("a file already named like a token in the base is not reported", async () => {
    const diff = await buildDiff({ [`${TOKEN}.txt`]: "a\n" }, { [`${TOKEN}.txt`]: "a\nb\n" });

    expect(await scanDiffForSecrets({ diff, redactor: new Redactor() })).toEqual([]);
  });

  it("scans 2,000 new files with one scanner call", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 2_000; i += 1) {
      files[`pkg/m${String(i).padStart(4, "0")}/index.js`] = `export const n = ${i};\nexport const name = "m${i}";\n`;
    }
    files["pkg/m1234/index.js"] = `export const n = 1234;\nexport const auth = "${TOKEN}";\n`;
    const diff = await buildDiff({ "README.md": "# app\n" }, files);
    const redactor = new CountingRedactor();

    const hits = await scanDiffForSecrets({ diff, redactor });

    expect(hits).toEqual([{ file: "pkg/m1234/index.js", line: 2, rule: "GitHub token" }]);
    expect(redactor.calls).toBe(1);
  });

  it("an empty diff", async () => {
    const redactor = new CountingRedactor();
    expect(await scanDiffForSecrets({ diff: "", redactor })).toEqual([]);
    expect(redactor.calls).toBe(0);
  });

  it("rejects when the scanner fails, so that nothing is pushed", async () => {
    const diff = await buildDiff({ "README.md": "# app\n" }, { "a.txt": "hello\n" });
    const redactor = new Redactor({
      findShapes: async () => {
        throw new Error("the secret scanner failed (TypeError)");
      },
    });

    await expect(scanDiffForSecrets({ diff, redactor })).rejects.toThrow("the secret scanner failed");
  });
});

/** A real Redactor that counts its scans. */
class CountingRedactor extends Redactor {
  calls = 0;

  override async findSecrets(text: string) {
    this.calls += 1;
    return super.findSecrets(text);
  }
}
