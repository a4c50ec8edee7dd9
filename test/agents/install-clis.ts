/**
 * The real agent CLIs, installed from npm at pinned versions into
 * `.orch/agent-clis/<name>` (git-ignored, outside the tracked files), once:
 * an install whose `package.json` already pins the wanted version is reused.
 * `npm run test:agents` uses them; nothing of the main suite does.
 *
 *     const codex = await installCli("codex");   // { name, version, bin: ".../node_modules/.bin/codex" }
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What each shipped entry is checked against. Claude Code 2.1.197 is the last release that installs on Node 20. */
export const CLIS = {
  codex: { pkg: "@openai/codex", version: "0.171.0", bin: "codex" },
  claude: { pkg: "@anthropic-ai/claude-code", version: "2.1.197", bin: "claude" },
  gemini: { pkg: "@google/gemini-cli", version: "0.61.0", bin: "gemini" },
} as const;

export type CliName = keyof typeof CLIS;

export interface InstalledCli {
  name: CliName;
  version: string;
  /** The folder holding the CLI's command (put it on the agent's PATH). */
  binDir: string;
  /** The command itself. */
  bin: string;
}

export const CLI_ROOT = process.env.ORCH_AGENT_CLIS_DIR ?? path.join(REPO_ROOT, ".orch", "agent-clis");

export async function installCli(name: CliName): Promise<InstalledCli> {
  const { pkg, version, bin } = CLIS[name];
  const dir = path.join(CLI_ROOT, name);
  const binDir = path.join(dir, "node_modules", ".bin");
  const installed = path.join(dir, "node_modules", ...pkg.split("/"), "package.json");
  const isCurrent = fs.existsSync(installed) && JSON.parse(fs.readFileSync(installed, "utf8")).version === version;
  if (!isCurrent) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: `orch-agent-cli-${name}`, private: true }, null, 2)}\n`);
    await execFileAsync("npm", ["install", "--no-audit", "--no-fund", "--save-exact", `${pkg}@${version}`], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
  }
  return { name, version, binDir, bin: path.join(binDir, bin) };
}
