/**
 * This host's place among the hosts sharing the database: it registers under
 * a new incarnation at start (the lease its attempts carry), heartbeats every
 * few seconds, and on each beat looks for hosts silent past `scale.host_ttl`.
 *
 * - A silent host is declared dead (a guarded move, so of several hosts
 *   reaping at once one does it); its running attempts become `lost` with a
 *   summary naming the host and when it was last heard from, their check runs
 *   are completed, their threads' status comments refreshed, and every host
 *   is told that slots freed.
 * - A beat that finds this host declared dead (it was paused, or cut off, for
 *   longer than the TTL) means its leases are gone: `onFenced` stops its
 *   agents without recording or reporting anything for them, and the host
 *   registers again under a new incarnation.
 *
 * Hosts compare times from their own clocks: keep them in step (NTP); a
 * skew well under the TTL is harmless.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { HostRecord, HostRole, Store } from "../store/store.js";
import type { AttemptReporter } from "./attempt-reporter.js";
import type { Background } from "./background.js";

/** Beats per TTL: a host is declared dead after missing about this many in a row. */
const BEATS_PER_TTL = 4;
const MAX_BEAT_MS = 10_000;

export class HostLease {
  private incarnation = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private lastBeatAt: Date | undefined;

  constructor(
    private readonly deps: {
      store: Pick<Store, "registerHost" | "heartbeat" | "declareDeadHosts" | "loseAttemptsOf" | "listHosts" | "releaseStatusTurns">;
      host: string;
      role: HostRole;
      ttlMs: number;
      reporter: Pick<AttemptReporter, "complete" | "refreshStatus">;
      /** This host lost every lease it held: stop its agents, report nothing for them. */
      onFenced: () => Promise<void>;
      /** Attempts of a dead host were freed: queued work may fit now. */
      onSlotsFreed: () => Promise<void>;
      background: Background;
      log: Logger;
      now?: () => Date;
    },
  ) {}

  /** The lease this host claims attempts under now. */
  lease(): string {
    return this.incarnation;
  }

  /**
   * When this host last recorded itself alive (its registration or a
   * heartbeat the store took); undefined before start. /healthz compares it
   * with the TTL other hosts judge this one by.
   */
  lastBeat(): { at: Date | undefined; ttlMs: number } {
    return { at: this.lastBeatAt, ttlMs: this.deps.ttlMs };
  }

  async start(): Promise<void> {
    const { store, host, role } = this.deps;
    const now = this.now();
    await store.registerHost({ id: host, role, incarnation: this.incarnation, now });
    this.lastBeatAt = now;
    const beatMs = Math.max(250, Math.min(MAX_BEAT_MS, Math.floor(this.deps.ttlMs / BEATS_PER_TTL)));
    this.timer = setInterval(() => void this.beat(), beatMs);
    this.timer.unref();
  }

  /** One heartbeat and one look for dead hosts; a beat still running is not doubled. */
  beat(): Promise<void> {
    this.beating ??= this.deps.background
      .track(this.beatOnce())
      .catch((error: unknown) => this.deps.log.warn({ err: error }, "heartbeat failed"))
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async beatOnce(): Promise<void> {
    const { store, host, role, log } = this.deps;
    const beatAt = this.now();
    if (!(await store.heartbeat({ id: host, incarnation: this.incarnation, now: beatAt }))) {
      log.error({ host }, "this host was declared dead while it was away: stopping the agents it held and reporting nothing for them");
      await this.deps.onFenced();
      this.incarnation = randomUUID();
      const registeredAt = this.now();
      await store.registerHost({ id: host, role, incarnation: this.incarnation, now: registeredAt });
      this.lastBeatAt = registeredAt;
    } else {
      this.lastBeatAt = beatAt;
    }
    await this.reapDeadHosts();
  }

  /**
   * Declares silent hosts dead, then takes from every dead host the attempts
   * it still holds. The second step runs for hosts declared earlier too, so
   * a host that died while declaring another (or before losing its attempts)
   * leaves nothing running for good.
   */
  private async reapDeadHosts(): Promise<void> {
    const { store, ttlMs, reporter, log, host } = this.deps;
    const now = this.now();
    for (const record of await store.declareDeadHosts({ ttlMs, now })) {
      log.warn({ deadHost: record.id, lastSeenAt: record.lastSeenAt }, "declared a silent host dead");
    }
    const dead = (await store.listHosts()).filter((record) => record.state === "dead" && record.id !== host);
    // A dead host may have died while publishing a status comment: its turns are free now.
    await store.releaseStatusTurns({ hosts: dead.map((record) => record.id) });
    let freed = 0;
    for (const record of dead) {
      const diedAt = record.diedAt ?? now;
      const lost = await store.loseAttemptsOf({ host: record.id, incarnation: record.incarnation, summary: lostSummary(record, diedAt), now: diedAt });
      if (lost.length === 0) continue;
      log.warn({ deadHost: record.id, lost: lost.map((c) => c.attempt.id) }, "marked a dead host's attempts lost");
      for (const context of lost) await reporter.complete(context);
      for (const threadId of new Set(lost.map((c) => c.thread.id))) reporter.refreshStatus(threadId);
      freed += lost.length;
    }
    if (freed > 0) await this.deps.onSlotsFreed();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** "host worker-2 stopped answering: last heard from at 14:03:05 UTC, declared dead at 14:04:07 UTC. …" */
function lostSummary(host: HostRecord, now: Date): string {
  return (
    `host ${host.id} stopped answering: last heard from at ${clock(host.lastSeenAt)}, declared dead at ${clock(now)}; ` +
    "this attempt's work is lost. `/orch retry` starts it again on another host."
  );
}

function clock(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
