/**
 * `npm run bench`: measures orch's own code paths against floors and peers
 * measured in the same run on the same filesystem (os.tmpdir()), prints the
 * table, writes BENCHMARKS.md at the repository root, and exits 1 when a
 * goal is missed.
 *
 *     npm run bench                  the full bench (a few minutes)
 *     npm run bench -- --quick       fewer rounds and dispatches; under two minutes
 *     npm run bench -- --only workspace,status
 *                                    some sections only (release needs workspace)
 *     npm run bench -- --no-write    print, leave BENCHMARKS.md alone
 *     npm run bench -- --out FILE    write the report somewhere else
 *     npm run bench -- --keep        keep the temp directory, for a look inside
 *     npm run bench -- --settle      first wait out the previous run's deletions (see below)
 *
 * Sections run in this order: workspace allocation (and the no-op refresh),
 * the sandbox's cost on an agent's start, status comment, webhook intake,
 * dispatch throughput, several hosts on one PostgreSQL (real orch processes:
 * throughput with 1, 2 and 3 workers, comment → agent running across hosts),
 * then workspace release.
 * Release comes last because deleting tens of thousands of files slows file
 * creation for a while on some filesystems (see workspace.ts). For the same
 * reason the end of each run's cleanup is stamped in os.tmpdir(): on ext4
 * without a journal, a run that starts within six minutes of the previous
 * one's cleanup creates files slower (its report says so), and `--settle`
 * waits those minutes out first.
 */
import { rmSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FULL_SIZES, QUICK_SIZES, type BenchContext } from "./context.js";
import { benchDispatchThroughput } from "./dispatch-throughput.js";
import { makeRepo, MID_SIZE_REPO } from "./fixtures/make-repo.js";
import { benchHosts } from "./hosts.js";
import { benchIntake } from "./intake.js";
import { describeMachine, type Machine } from "./machine.js";
import { passMark, type Row, type SectionResult } from "./report.js";
import { benchSandbox } from "./sandbox.js";
import { benchStatusComment } from "./status-comment.js";
import { formatMs, sleep, timeMs } from "./timing.js";
import { benchAllocation, benchRelease, type AllocatedWorkspaces } from "./workspace.js";

const SECTIONS = ["workspace", "sandbox", "status", "intake", "dispatch", "hosts"] as const;
type Section = (typeof SECTIONS)[number];

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
/** When the last run's cleanup ended (ms since the epoch). */
const CLEANUP_STAMP = path.join(os.tmpdir(), "orch-bench-last-cleanup");
/**
 * ext4 without a journal skips inodes freed in the last 60 s, or 360 s while
 * their inode-table block is dirty (which creating files makes it); each new
 * file pays for every one it skips.
 */
const SETTLE_MS = 360_000;

async function msSinceLastCleanup(): Promise<number | undefined> {
  try {
    return Date.now() - Number.parseInt(await readFile(CLEANUP_STAMP, "utf8"), 10);
  } catch {
    return undefined;
  }
}

function renderTable(rows: Row[]): string {
  const cell = (text: string) => text.replace(/\n/g, " ");
  return [
    "| figure | value | measured against (same run) | ratio | goal | result |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${cell(row.figure)} | ${row.value} | ${cell(row.floor)} | ${row.ratio} | ${row.goal} | ${passMark(row.pass)} |`),
  ].join("\n");
}

function renderReport(params: {
  machine: Machine;
  quick: boolean;
  sections: Section[];
  results: [string, SectionResult][];
  totalMs: number;
  sinceCleanupMs: number | undefined;
}): string {
  const { machine, quick, sections, results, totalMs, sinceCleanupMs } = params;
  const rows = results.flatMap(([, result]) => result.rows);
  const missed = rows.filter((row) => row.pass === false);
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Every figure is orch's own code measured against a floor or a peer " +
      "measured in the same run, on the same filesystem, interleaved round by round; times are medians unless a " +
      "percentile is named. The generated repository and databases come from a fixed seed.",
    "",
    `Mode: **${quick ? "quick (`--quick`: fewer rounds and dispatches)" : "full"}**` +
      `${sections.length < SECTIONS.length ? `, sections: ${sections.join(", ")}` : ""}. ` +
      `Run time ${formatMs(totalMs)}. ` +
      (missed.length ? `**${missed.length} goal(s) missed.**` : "All goals met."),
    "",
    "## Machine",
    "",
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- RAM: ${machine.ramGiB} GiB`,
    `- Temp dir: \`${machine.tempDir}\` on ${machine.filesystem}`,
    `- OS: ${machine.os}`,
    `- Node ${machine.node}, git ${machine.git}`,
    `- Date: ${machine.date}; load average at start: ${machine.loadAtStart}`,
    ...(machine.isJournallessExt4
      ? [
          `- On ext4 without a journal a freed inode is skipped, one by one, by every file created in the next 1–6 minutes, ` +
            `and freed blocks are discarded synchronously (\`discard\`), so deleting a tree costs seconds. This run started ` +
            (sinceCleanupMs === undefined ? "with no earlier bench cleanup on record." : `${formatMs(sinceCleanupMs)} after the previous bench run's cleanup` +
              (sinceCleanupMs < SETTLE_MS ? " — **too soon: figures that create files are slowed** (use `--settle`)." : ".")),
        ]
      : []),
    "",
    "## Results",
    "",
    renderTable(rows),
    "",
    "## Notes",
    "",
  ];
  for (const [name, result] of results) {
    if (result.notes.length === 0) continue;
    lines.push(`### ${name}`, "", ...result.notes.map((note) => `- ${note}`), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string" },
      "no-write": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      settle: { type: "boolean", default: false },
    },
  });
  const quick = values.quick ?? false;
  const sections = values.only
    ? values.only.split(",").map((name) => {
        if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}; known: ${SECTIONS.join(", ")}`);
        return name as Section;
      })
    : [...SECTIONS];
  let started = performance.now();
  const root = await mkdtemp(path.join(os.tmpdir(), "orch-bench-"));
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench: ${signal}, removing ${root}`);
    if (!values.keep) {
      removeRoot();
      writeFileSync(CLEANUP_STAMP, String(Date.now()));
    }
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const log = (message: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);

  const machine = await describeMachine(os.tmpdir());
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, ${machine.filesystem}, node ${machine.node}, git ${machine.git}`);
  let sinceCleanupMs = await msSinceLastCleanup();
  if (machine.isJournallessExt4 && sinceCleanupMs !== undefined && sinceCleanupMs < SETTLE_MS) {
    if (values.settle) {
      log(`waiting ${formatMs(SETTLE_MS - sinceCleanupMs)} for the previous run's deleted inodes to age out (ext4 without a journal)`);
      await sleep(SETTLE_MS - sinceCleanupMs);
      sinceCleanupMs = await msSinceLastCleanup();
      // The wait is not the bench's run time.
      started = performance.now();
    } else {
      log(`warning: the previous run's cleanup ended ${formatMs(sinceCleanupMs)} ago; on ext4 without a journal file creation is slower for 6 minutes after mass deletions (--settle waits)`);
    }
  }
  const results: [string, SectionResult][] = [];
  try {
    log(`generating the repository (${MID_SIZE_REPO.files} files, ${MID_SIZE_REPO.folders} folders, ${MID_SIZE_REPO.commits} commits, seed ${MID_SIZE_REPO.seed})`);
    let remote!: BenchContext["remote"];
    const generateMs = await timeMs(async () => {
      remote = await makeRepo({ root: path.join(root, "remotes"), owner: "bench", repo: "mid-size", shape: MID_SIZE_REPO });
    });
    log(`repository ready in ${formatMs(generateMs)}: head ${remote.headSha.slice(0, 12)}`);
    const ctx: BenchContext = { root, remote, sizes: quick ? QUICK_SIZES : FULL_SIZES, quick, floors: {}, log };

    let allocated: AllocatedWorkspaces | undefined;
    if (sections.includes("workspace")) {
      const { result, state } = await benchAllocation(ctx);
      results.push(["workspace", result]);
      allocated = state;
    }
    if (sections.includes("sandbox")) results.push(["sandbox", await benchSandbox(ctx)]);
    if (sections.includes("status")) results.push(["status comment", await benchStatusComment(ctx)]);
    if (sections.includes("intake")) results.push(["webhook intake", await benchIntake(ctx)]);
    if (sections.includes("dispatch")) results.push(["dispatch throughput", await benchDispatchThroughput(ctx)]);
    if (sections.includes("hosts")) results.push(["several hosts", await benchHosts(ctx)]);
    if (allocated) {
      const release = await benchRelease(ctx, allocated);
      const workspace = results.find(([name]) => name === "workspace")![1];
      workspace.rows.push(...release.rows);
      workspace.notes.push(...release.notes);
    }
  } finally {
    if (values.keep) log(`kept ${root}`);
    else {
      log("removing the temp directory");
      await rm(root, { recursive: true, force: true });
      await writeFile(CLEANUP_STAMP, String(Date.now()));
    }
  }

  const totalMs = performance.now() - started;
  const rows = results.flatMap(([, result]) => result.rows);
  console.log(`\n${renderTable(rows)}\n`);
  const report = renderReport({ machine, quick, sections, results, totalMs, sinceCleanupMs });
  if (!values["no-write"]) {
    const out = path.resolve(repoRoot, values.out ?? "BENCHMARKS.md");
    await writeFile(out, report);
    log(`wrote ${path.relative(process.cwd(), out) || out}`);
  }
  const missed = rows.filter((row) => row.pass === false);
  console.log(`total time ${formatMs(totalMs)}${quick ? " (quick)" : ""}; ${missed.length === 0 ? "all goals met" : `${missed.length} goal(s) missed`}`);
  return missed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
