/**
 * Dispatch throughput: N signed `/orch dispatch` webhooks on N issues, sent
 * over HTTP back to back to orch's real Probot server with `max_running: 4`,
 * each attempt running a no-op agent that commits one file, so every attempt
 * fetches, adds its worktree of the mid-size repository, runs, pushes and
 * opens a pull request. Measured from the first request to orch being idle.
 *
 * "Never more than 4 running" is checked twice: orch's own record (attempts in
 * state `running`, sampled every 10 ms) and the agents' own clocks (the most
 * agent processes alive at one instant, from bench/fixtures/agents/stamped.sh).
 *
 * The total is put against the sum of the floors the other sections measured
 * for one attempt's path (no-op webhook intake, plain fetch, tar copy,
 * status comment), times N: what the same work costs done serially by the
 * plain tools, with orch and the agents taken out.
 */
import { join } from "node:path";
import { issueCommentCreated } from "../test/fakes/events.js";
import { maxOverlap, readAgentTimes, stampedAgent, startOrchServer } from "./app-server.js";
import type { BenchContext } from "./context.js";
import type { Row, SectionResult } from "./report.js";
import { formatMs, formatRatio, median } from "./timing.js";

const MAX_RUNNING = 4;

export async function benchDispatchThroughput(ctx: BenchContext): Promise<SectionResult> {
  const { sizes, log, floors } = ctx;
  const count = sizes.dispatches;
  const server = await startOrchServer({
    dir: join(ctx.root, "dispatch"),
    remote: ctx.remote,
    agent: stampedAgent("committer", "commit-file.sh"),
    maxRunning: MAX_RUNNING,
  });
  try {
    let peakRunning = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const running = await server.db.attempt.count({ where: { state: "running" } });
        peakRunning = Math.max(peakRunning, running);
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    log(`dispatch: ${count} dispatches with max_running ${MAX_RUNNING}`);
    const started = performance.now();
    const statuses: number[] = [];
    for (let number = 1; number <= count; number++) {
      const answer = await server.send(
        "issue_comment",
        issueCommentCreated({ owner: ctx.remote.owner, repo: ctx.remote.repo, number, body: `/orch dispatch -- bench dispatch ${number}` }),
      );
      statuses.push(answer.status);
    }
    const sentMs = performance.now() - started;
    await server.orch.whenIdle();
    const totalMs = performance.now() - started;
    sampling = false;
    await sampler;

    const attempts = await server.db.attempt.findMany({ select: { id: true, state: true, startedAt: true, endedAt: true, pullRequestNumber: true } });
    const succeeded = attempts.filter((a) => a.state === "succeeded" && a.pullRequestNumber !== null).length;
    const pulls = server.github.github.pulls.length;
    const agentTimes = readAgentTimes(server.home);
    const peakAgents = maxOverlap(agentTimes.values());
    const attemptMs = attempts.filter((a) => a.startedAt && a.endedAt).map((a) => a.endedAt!.getTime() - a.startedAt!.getTime());
    const agentMs = [...agentTimes.values()].map((t) => t.end - t.start);

    const perAttemptFloor = [floors.noopIntakeMs, floors.plainFetchMs, floors.tarCopyMs, floors.statusSmallMs];
    const hasFloors = perAttemptFloor.every((ms) => ms !== undefined);
    const floorMs = hasFloors ? count * perAttemptFloor.reduce((sum: number, ms) => sum + ms!, 0) : Number.NaN;
    const throughput = count / (totalMs / 1000);
    const ok = statuses.every((s) => s >= 200 && s < 300) && succeeded === count && pulls === count && peakRunning <= MAX_RUNNING && peakAgents <= MAX_RUNNING;
    const states = new Map<string, number>();
    for (const a of attempts) states.set(a.state, (states.get(a.state) ?? 0) + 1);

    const rows: Row[] = [
      {
        section: "dispatch",
        figure: `${count} dispatches of a no-op agent (commits a file; push + draft PR each), \`max_running: ${MAX_RUNNING}\``,
        value: `${formatMs(totalMs)}; ${throughput.toFixed(2)} attempts/s; ${succeeded}/${count} succeeded; at most ${Math.max(peakRunning, peakAgents)} running`,
        floor: hasFloors ? `sum of the floors above × ${count} (intake + fetch + tar copy + status): ${formatMs(floorMs)}` : "– (run all sections)",
        ratio: hasFloors ? formatRatio(totalMs / floorMs) : "–",
        goal: `all ${count} succeed, never more than ${MAX_RUNNING} running at once, throughput reported`,
        pass: ok,
      },
    ];
    const notes = [
      `${count} webhooks sent in ${formatMs(sentMs)} (every response ${[...new Set(statuses)].join(", ")}); orch idle ${formatMs(totalMs)} after the first. ` +
        `Attempts: ${[...states].map(([state, n]) => `${n} ${state}`).join(", ")}; ${pulls} pull requests opened on the fake GitHub.`,
      `Running at once: at most ${peakRunning} by orch's record (${samples} samples, every 10 ms), at most ${peakAgents} agent process(es) alive at one instant (their own clocks).`,
      `One attempt, claimed → ended: median ${formatMs(median(attemptMs))}; the agent itself: median ${formatMs(median(agentMs))}.`,
      hasFloors
        ? `Floors per attempt: intake ${formatMs(floors.noopIntakeMs!)} + fetch ${formatMs(floors.plainFetchMs!)} + tar copy ${formatMs(floors.tarCopyMs!)} + ` +
          `status ${formatMs(floors.statusSmallMs!)}; the agent, the commit, the push and the pull request have no floor in the table and are not in it.`
        : "The floors come from the other sections; run them all for the comparison.",
      `orch logged ${server.problems.length} warnings or errors.`,
    ];
    return { rows, notes };
  } finally {
    await server.close();
  }
}
