/**
 * Webhook intake: a signed `issue_comment` with `/orch dispatch`, sent over
 * HTTP to orch's real webhook server (src/github/webhook-server.ts: the
 * intake's size, signature and payload checks, then Probot), timed from
 * request to the end of its 2xx response; against the same webhook server,
 * checks and all, with a no-op handler. Both servers
 * live in one process and are sent to alternately, so both see the same
 * background load: every orch request starts an attempt (fetch, worktree add
 * of the mid-size repository, a no-op agent), and with `max_running: 4` most
 * requests arrive while earlier attempts are at work.
 *
 * Then two checks the medians cannot show:
 *
 * - the 2xx never waits for git or the agent: with orch's fetch held (its
 *   RepoCache.fetchBase wrapped to wait on a gate), dispatches are still
 *   answered, and only after the gate opens does any agent run;
 * - comment → agent running on an idle orch (the issue's headline promise,
 *   reported, no goal in the table): one dispatch at a time, timed from the
 *   request to the agent's first instruction (bench/fixtures/agents/stamped.sh).
 */
import { join } from "node:path";
import type { RepoCache } from "../src/workspace/repo-cache.js";
import { issueCommentCreated } from "../test/fakes/events.js";
import { readAgentTimes, stampedAgent, startNoopServer, startOrchServer, type OrchServer } from "./app-server.js";
import type { BenchContext } from "./context.js";
import type { Row, SectionResult } from "./report.js";
import { formatMs, formatRatio, median, percentile, sleep } from "./timing.js";

/** Dispatches sent while orch's fetch is held. */
const HELD = 2;

function dispatchPayload(ctx: BenchContext, number: number) {
  return issueCommentCreated({ owner: ctx.remote.owner, repo: ctx.remote.repo, number, body: "/orch dispatch -- bench: nothing to do" });
}

/** Attempt id of the (only) attempt on issue `number`. */
async function attemptOn(server: OrchServer, number: number): Promise<number | undefined> {
  const row = await server.db.attempt.findFirst({ where: { task: { run: { thread: { number } } } }, select: { id: true } });
  return row?.id;
}

async function busyAttempts(server: OrchServer): Promise<number> {
  return server.db.attempt.count({ where: { state: { in: ["queued", "running"] } } });
}

export async function benchIntake(ctx: BenchContext): Promise<SectionResult> {
  const { sizes, log } = ctx;
  const server = await startOrchServer({
    dir: join(ctx.root, "intake"),
    remote: ctx.remote,
    agent: stampedAgent("noop", "no-changes.sh"),
    maxRunning: 4,
  });
  const noop = await startNoopServer({ apiUrl: server.github.apiUrl });
  let issue = 0;
  try {
    // 1. Comment → agent running, one dispatch at a time on an idle orch.
    log(`intake: ${sizes.intakeProbes} dispatches one at a time (comment → agent running)`);
    const toAgent: number[] = [];
    const idleIntake: number[] = [];
    for (let i = 0; i < sizes.intakeProbes + 1; i++) {
      const number = ++issue;
      const answer = await server.send("issue_comment", dispatchPayload(ctx, number));
      await server.orch.whenIdle();
      const id = await attemptOn(server, number);
      const started = id === undefined ? undefined : readAgentTimes(server.home).get(id)?.start;
      if (started === undefined) throw new Error(`the dispatch on issue ${number} ran no agent (HTTP ${answer.status})`);
      // The first one warms Probot's token cache and orch's code paths.
      if (i > 0) {
        toAgent.push(started - answer.sentAt);
        idleIntake.push(answer.ms);
      }
    }

    // 2. Intake under load, interleaved with the no-op server.
    log(`intake: ${sizes.intakeRequests} signed dispatches to orch, each paired with one to the no-op server (+2 warm-up pairs)`);
    const orchMs: number[] = [];
    const noopMs: number[] = [];
    const busy: number[] = [];
    const statuses = new Set<number>();
    for (let round = -2; round < sizes.intakeRequests; round++) {
      const backlog = await busyAttempts(server);
      const sendOrch = async () => {
        const answer = await server.send("issue_comment", dispatchPayload(ctx, ++issue));
        statuses.add(answer.status);
        if (round >= 0) orchMs.push(answer.ms);
      };
      const sendNoop = async () => {
        const answer = await noop.send("issue_comment", dispatchPayload(ctx, issue));
        statuses.add(answer.status);
        if (round >= 0) noopMs.push(answer.ms);
      };
      if (round % 2 === 0) {
        await sendOrch();
        await sendNoop();
      } else {
        await sendNoop();
        await sendOrch();
      }
      if (round >= 0) busy.push(backlog);
      // Paced like a busy maintainer team, so the requests spread over the attempts' work.
      await sleep(40);
    }
    const peakBacklog = Math.max(...busy);
    const underLoad = busy.filter((count) => count > 0).length;
    log("intake: waiting for the attempts to finish");
    await server.orch.whenIdle();

    // 3. With git held, the 2xx still comes.
    log("intake: dispatches with orch's fetch held");
    const gate = holdFetches(server.cache);
    const held: { status: number; ms: number }[] = [];
    const heldIssues: number[] = [];
    for (let i = 0; i < HELD; i++) {
      heldIssues.push(++issue);
      held.push(await server.send("issue_comment", dispatchPayload(ctx, issue)));
    }
    const waitedFor = await gate.untilWaiting(HELD, 10_000);
    const agentsBeforeRelease = await Promise.all(heldIssues.map(async (number) => {
      const id = await attemptOn(server, number);
      return id !== undefined && readAgentTimes(server.home).has(id);
    }));
    gate.release();
    await server.orch.whenIdle();
    const heldIds = await Promise.all(heldIssues.map((number) => attemptOn(server, number)));
    const ranAfter = heldIds.every((id) => id !== undefined && readAgentTimes(server.home).has(id));
    const neverWaits =
      held.every((answer) => answer.status >= 200 && answer.status < 300) && waitedFor && !agentsBeforeRelease.some(Boolean) && ranAfter;

    const states = await server.db.attempt.groupBy({ by: ["state"], _count: true });
    const p50 = median(orchMs);
    const p50Noop = median(noopMs);
    ctx.floors.noopIntakeMs = p50Noop;
    const allocationFloor = (ctx.floors.tarCopyMs ?? Number.NaN) + (ctx.floors.plainFetchMs ?? Number.NaN);
    const allOk = [...statuses].every((status) => status >= 200 && status < 300);
    const rows: Row[] = [
      {
        section: "intake",
        figure: "webhook intake: signed `issue_comment` `/orch dispatch` → HTTP 2xx (orch's real handler, under load)",
        value: `p50 ${formatMs(p50)}, p95 ${formatMs(percentile(orchMs, 95))}`,
        floor: `same webhook server, no-op handler: p50 ${formatMs(p50Noop)}, p95 ${formatMs(percentile(noopMs, 95))}`,
        ratio: formatRatio(p50 / p50Noop),
        goal: "p50 ≤ 1.5 ×; the 2xx never waits for git or the agent",
        pass: allOk && p50 / p50Noop <= 1.5 && neverWaits,
      },
      {
        section: "intake",
        figure: "comment → agent running, idle orch (request sent → agent's first instruction)",
        value: `p50 ${formatMs(median(toAgent))}`,
        floor: Number.isFinite(allocationFloor) ? `tar copy + plain fetch (the allocation floors): ${formatMs(allocationFloor)}` : "–",
        ratio: Number.isFinite(allocationFloor) ? formatRatio(median(toAgent) / allocationFloor) : "–",
        goal: "– (the issue's promise: well under a second)",
        pass: undefined,
      },
    ];
    const notes = [
      `Under load: ${orchMs.length} requests to each server, alternating which goes first, 40 ms apart; ` +
        `${underLoad} of the ${busy.length} orch requests arrived with attempts queued or running (up to ${peakBacklog}); every response was ${[...statuses].join(", ")}. ` +
        `orch: min ${formatMs(Math.min(...orchMs))}, max ${formatMs(Math.max(...orchMs))}; no-op: min ${formatMs(Math.min(...noopMs))}, max ${formatMs(Math.max(...noopMs))}.`,
      `Git held: ${held.filter((a) => a.status >= 200 && a.status < 300).length} of ${held.length} dispatches answered ` +
        `(${held.map((a) => `HTTP ${a.status} in ${formatMs(a.ms)}`).join(", ")}) while orch's fetch waited on a gate; ` +
        `${waitedFor ? `all ${HELD} attempts reached the fetch` : "the attempts did NOT reach the fetch in 10 s"}, ` +
        `${agentsBeforeRelease.some(Boolean) ? "an agent ran before the gate opened (unexpected)" : "no agent ran before the gate opened"}, ` +
        `${ranAfter ? `and all ${HELD} agents ran after it` : "and some agent did not run after it"}.`,
      `Idle orch: 2xx p50 ${formatMs(median(idleIntake))}; comment → agent running ${toAgent.map(formatMs).join(", ")} ` +
        `(fetch + worktree add of ${ctx.remote.files.toLocaleString("en")} files is most of it).`,
      `Attempts at the end: ${states.map((s) => `${s._count} ${s.state}`).join(", ")} (the agent, no-changes.sh, exits 0 without changes, which orch records as failed: "no changes"); ` +
        `orch logged ${server.problems.length} warnings or errors.`,
    ];
    return { rows, notes };
  } finally {
    await noop.stop();
    await server.close();
  }
}

/** Makes every fetchBase of `cache` wait until release(); counts the calls that are waiting. */
function holdFetches(cache: RepoCache): { untilWaiting(count: number, timeoutMs: number): Promise<boolean>; release(): void } {
  const original = cache.fetchBase.bind(cache);
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  cache.fetchBase = async (params) => {
    waiting += 1;
    await opened;
    return original(params);
  };
  return {
    async untilWaiting(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (waiting < count && Date.now() < deadline) await sleep(10);
      return waiting >= count;
    },
    release() {
      cache.fetchBase = original;
      open();
    },
  };
}
