/**
 * What orch's sandbox costs an agent's start: the runner starting `/bin/true`
 * inside the attempt's bubblewrap view (view resolved from the file system,
 * program looked up, bwrap started, the agent run, its log written), against
 * the same runner starting `/bin/true` directly, interleaved round by round.
 * Both go through startAgent, so the difference is the sandbox alone.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildAgentEnv, startAgent } from "../src/agents/runner.js";
import { buildBwrapArgv } from "../src/sandbox/bwrap-argv.js";
import { checkSandbox } from "../src/sandbox/check-sandbox.js";
import { resolveProgram } from "../src/sandbox/resolve-program.js";
import { resolveSandboxView } from "../src/sandbox/sandbox-view.js";
import type { BenchContext } from "./context.js";
import type { SectionResult } from "./report.js";
import { formatMs, formatRatio, interleave, median, percentile } from "./timing.js";

/** The sandbox may add at most this to an agent's start (orch's comment → agent running is well under a second). */
const GOAL_EXTRA_MS = 25;

export async function benchSandbox(ctx: BenchContext): Promise<SectionResult> {
  const check = await checkSandbox();
  if (!check.ok) throw new Error(check.problem);
  const base = path.join(ctx.root, "sandbox");
  const orchHome = path.join(base, "orch", ".orch");
  const paths = {
    worktree: path.join(orchHome, "worktrees", "1"),
    ioDir: path.join(orchHome, "attempts", "1", "io"),
    agentHome: path.join(orchHome, "attempts", "1", "home"),
    objects: path.join(orchHome, "repos", "bench", "app.git", "objects"),
  };
  for (const dir of Object.values(paths)) await mkdir(dir, { recursive: true });
  const promptFile = path.join(paths.ioDir, "prompt.md");
  await writeFile(promptFile, "prompt\n");
  const env = buildAgentEnv({ source: process.env, passThrough: [], extra: { HOME: paths.agentHome, TMPDIR: "/tmp" } });
  const runs = ctx.quick ? 10 : 30;

  const start = async (argv: string[], sandboxed: boolean, run: number) => {
    const agent = await startAgent({
      argv,
      program: "/bin/true",
      sandboxed,
      cwd: paths.worktree,
      env,
      logFile: path.join(base, "logs", `${sandboxed ? "sandboxed" : "direct"}-${run}.log`),
      timeoutMs: 30_000,
      killGraceMs: 1_000,
    });
    const exit = await agent.exited;
    if (exit.reason !== "exited" || exit.exitCode !== 0) throw new Error(`/bin/true ended ${JSON.stringify(exit)}`);
  };
  ctx.log(`sandbox: ${runs} agent starts each, in bwrap ${check.version} and directly`);
  const samples = await interleave({
    warmup: 3,
    runs,
    variants: {
      direct: (run) => start(["/bin/true"], false, run),
      sandboxed: (run) => {
        const view = resolveSandboxView({
          worktree: paths.worktree,
          ioDir: paths.ioDir,
          promptFile,
          agentHome: paths.agentHome,
          readOnlyBinds: [paths.objects],
          hidden: { orchHome, orchCwd: path.join(base, "orch"), orchUserHome: path.join(base, "user-home"), operatorPaths: [] },
          exposed: [],
          network: true,
        });
        const program = resolveProgram({ program: "/bin/true", pathEnv: env.PATH, view });
        if (!program.ok) throw new Error(program.problem);
        return start(buildBwrapArgv({ bwrap: check.bwrap, view, command: [program.path] }), true, run);
      },
    },
  });
  const direct = median(samples.direct);
  const sandboxed = median(samples.sandboxed);
  const extra = sandboxed - direct;
  return {
    rows: [
      {
        section: "sandbox",
        figure: "agent start in orch's sandbox (startAgent: view, program lookup, bwrap, `/bin/true`, log)",
        value: `${formatMs(sandboxed)} (+${formatMs(extra)})`,
        floor: `the same runner starting \`/bin/true\` directly: ${formatMs(direct)}`,
        ratio: formatRatio(sandboxed / direct),
        goal: `≤ floor + ${GOAL_EXTRA_MS} ms`,
        pass: extra <= GOAL_EXTRA_MS,
      },
    ],
    notes: [
      `bwrap ${check.version}; n=${runs} each after 3 warm-ups, interleaved. Sandboxed: median ${formatMs(sandboxed)}, p95 ${formatMs(percentile(samples.sandboxed, 95))}; direct: median ${formatMs(direct)}, p95 ${formatMs(percentile(samples.direct, 95))}.`,
      "The view is the one an attempt gets (ORCH_HOME, orch's working directory and HOME hidden; /home, /root and /run hidden; private /tmp; worktree, io folder and HOME bound; the cache's objects read-only), network on.",
    ],
  };
}
