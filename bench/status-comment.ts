/**
 * The status comment of one thread, published through orch's StatusReporter
 * (getThreadView + renderStatusComment + the GitHub edit, here a stub that
 * answers at once), with 10,000 attempts on other threads in the database,
 * against the same with 100. Both databases are filled in the same run and
 * measured interleaved; the SQL statements of each publish are counted from
 * Prisma's query events. SQLite always; PostgreSQL too when its binaries are
 * installed and this is the full run.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pino } from "pino";
import type { ThreadGitHub } from "../src/pipeline/ports.js";
import { StatusReporter } from "../src/pipeline/status-reporter.js";
import { createAttemptButtons } from "../src/commands/verbs/buttons.js";
import { migrateDatabase, openDb, type Provider } from "../src/store/db.js";
import { createStore } from "../src/store/store.js";
import type { BenchContext } from "./context.js";
import { fillDb } from "./fixtures/fill-db.js";
import { startPostgres } from "./postgres.js";
import type { Row, SectionResult } from "./report.js";
import { formatMs, formatRatio, interleave, median, percentile, timeMs } from "./timing.js";

interface Subject {
  publish: () => Promise<void>;
  /** SQL statements run so far. */
  queries: () => number;
  lastBody: () => string;
  close: () => Promise<void>;
}

const SEED = 0x5eed;

async function openSubject(params: { url: string; provider: Provider; otherAttempts: number }): Promise<{ subject: Subject; fillMs: number }> {
  const { url, provider, otherAttempts } = params;
  await migrateDatabase(url);
  let queries = 0;
  const db = await openDb(url, { onQuery: () => (queries += 1) });
  let threadId = 0;
  const fillMs = await timeMs(async () => {
    threadId = await fillDb({ db, otherAttempts, seed: SEED });
  });
  const store = createStore({ db, provider });
  let body = "";
  // The status comment needs only these two; the rest of ThreadGitHub is never called on this path.
  const github: Pick<ThreadGitHub, "createComment" | "updateComment"> = {
    createComment: async (text) => {
      body = text;
      return { id: 1 };
    },
    updateComment: async (params) => {
      body = params.body;
      return "updated";
    },
  };
  const reporter = new StatusReporter({
    store,
    github: () => github as ThreadGitHub,
    log: pino({ level: "silent" }),
    host: "bench",
    nextVerbs: createAttemptButtons({ agentCount: 2 }).verbsFor,
    now: () => new Date(1_700_000_000_000 + 7_200_000),
  });
  return {
    subject: {
      publish: () => reporter.refresh(threadId),
      queries: () => queries,
      lastBody: () => body,
      close: () => store.close(),
    },
    fillMs,
  };
}

async function measure(ctx: BenchContext, params: { provider: Provider; urls: { small: string; big: string } }): Promise<SectionResult> {
  const { provider, urls } = params;
  const { sizes, log } = ctx;
  log(`status: filling ${provider} databases (${sizes.statusAttemptsSmall} and ${sizes.statusAttemptsBig} attempts on other threads)`);
  const small = await openSubject({ url: urls.small, provider, otherAttempts: sizes.statusAttemptsSmall });
  const big = await openSubject({ url: urls.big, provider, otherAttempts: sizes.statusAttemptsBig });
  try {
    const perPublish = async (subject: Subject) => {
      const before = subject.queries();
      await subject.publish();
      return subject.queries() - before;
    };
    const queriesSmall = await perPublish(small.subject);
    const queriesBig = await perPublish(big.subject);
    const sameBody = small.subject.lastBody() === big.subject.lastBody();
    log(`status: ${sizes.statusRuns} rounds of publish, ${provider}`);
    const samples = await interleave({
      warmup: 10,
      runs: sizes.statusRuns,
      variants: { big: () => big.subject.publish(), small: () => small.subject.publish() },
    });
    const bigMs = median(samples.big);
    const smallMs = median(samples.small);
    if (provider === "sqlite") ctx.floors.statusSmallMs = smallMs;
    const rows: Row[] = [
      {
        section: "status",
        figure: `status comment for one thread, ${sizes.statusAttemptsBig.toLocaleString("en")} attempts on other threads (${provider})`,
        value: `${formatMs(bigMs)}, ${queriesBig} queries`,
        floor: `the same with ${sizes.statusAttemptsSmall}: ${formatMs(smallMs)}, ${queriesSmall} queries`,
        ratio: formatRatio(bigMs / smallMs),
        goal: "same number of queries; time ≤ 1.5 ×",
        pass: queriesBig === queriesSmall && bigMs / smallMs <= 1.5,
      },
    ];
    const notes = [
      `${provider}: one publish = StatusReporter.refresh (getThreadView for the newest 5 runs, render, edit the comment through a stub). ` +
        `p95 ${formatMs(percentile(samples.big, 95))} (10,000) vs ${formatMs(percentile(samples.small, 95))} (100), n=${samples.big.length}. ` +
        `Filling took ${formatMs(big.fillMs)} and ${formatMs(small.fillMs)}. ` +
        `The rendered comments are ${sameBody ? "identical" : "different (ids differ)"}.`,
    ];
    return { rows, notes };
  } finally {
    await small.subject.close();
    await big.subject.close();
  }
}

export async function benchStatusComment(ctx: BenchContext): Promise<SectionResult> {
  const dir = join(ctx.root, "status");
  await mkdir(dir, { recursive: true });
  const result = await measure(ctx, {
    provider: "sqlite",
    urls: { small: `file:${join(dir, "small.db")}`, big: `file:${join(dir, "big.db")}` },
  });
  if (ctx.quick) {
    result.notes.push("PostgreSQL: measured in the full run only.");
    return result;
  }
  ctx.log("status: starting a throwaway PostgreSQL cluster");
  const postgres = await startPostgres();
  if ("unavailable" in postgres) {
    result.notes.push(`PostgreSQL: not measured (${postgres.unavailable}).`);
    return result;
  }
  try {
    const pgResult = await measure(ctx, {
      provider: "postgresql",
      urls: { small: await postgres.createDatabase(), big: await postgres.createDatabase() },
    });
    return { rows: [...result.rows, ...pgResult.rows], notes: [...result.notes, ...pgResult.notes] };
  } finally {
    postgres.stop();
  }
}
