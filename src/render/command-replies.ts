/**
 * The words of every command outcome: what happened, or why nothing did and
 * what to type next. Pure; one function per kind, so each message is
 * specific to its cause and written once.
 */
import type { AgentListing, AttemptLabel, CommandOutcome, Notice, Refusal } from "../commands/outcome.js";
import type { AttemptState } from "../store/transitions.js";
import type { CapReached } from "../store/store.js";
import { formatConfigDuration } from "../duration.js";

const STATE_WORDS: Record<AttemptState, string> = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  blocked: "blocked",
  cancelled: "cancelled",
  timed_out: "timed out",
  lost: "lost",
  superseded: "superseded",
};

/** "attempt 2 (`codex`, failed)". */
const HOW_TO_GO_ON =
  "To go on, `/orch dispatch` a new run (it starts counting again), or ask the operator (server `limits:`) or the repository (`.github/orch.yml`) for a higher cap.";

/** "`t1` has had 5 attempts, as many as `max_attempts_per_task` (5) allows," and the like. */
export function describeCap(task: string, reached: CapReached): string {
  switch (reached.cap) {
    case "max_attempts_per_task":
      return `\`${task}\` has had ${reached.limit === 1 ? "1 attempt" : `${reached.limit} attempts`}, as many as \`max_attempts_per_task\` (${reached.limit}) allows,`;
    case "max_cost_usd":
      return `this run's agents have reported $${reached.spentUsd.toFixed(2)} of usage, and \`max_cost_usd\` is $${reached.limit.toFixed(2)},`;
    case "run_timeout":
      return `this run started at ${reached.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC and \`run_timeout\` (${formatConfigDuration(reached.limitMs)}) has passed,`;
  }
}

export function describeAttempt(attempt: AttemptLabel): string {
  return `attempt ${attempt.number} (\`${attempt.agent}\`, ${STATE_WORDS[attempt.state]})`;
}

/** "`claude`, `codex` (default)". */
export function renderAgentList(agents: AgentListing): string {
  return [...agents.names]
    .sort()
    .map((name) => `\`${name}\`${name === agents.defaultAgent ? " (default)" : ""}`)
    .join(", ");
}

/** The reply text of one outcome; undefined when the outcome needs no reply. */
export function renderOutcome(outcome: CommandOutcome): string | undefined {
  switch (outcome.kind) {
    case "silent":
      return undefined;
    case "text":
      return outcome.markdown;
    case "refused":
      return renderRefusal(outcome.refusal);
    case "done":
      return renderNotice(outcome.notice);
  }
}

export function renderRefusal(refusal: Refusal): string {
  switch (refusal.kind) {
    case "no_run":
      return "there is no orch run on this thread yet. Start one with `/orch dispatch`.";
    case "unknown_agent":
      return `there is no agent \`${refusal.agent}\` on this server. Known agents: ${renderAgentList(refusal.agents)}.`;
    case "thread_closed":
      return `this ${refusal.noun} is closed; reopen it to ${refusal.verb === "dispatch" ? "dispatch an agent" : "start another attempt"}.`;
    case "several_tasks":
      return `run ${refusal.runId} has several tasks (${codeList(refusal.keys)}); say which one, e.g. \`/orch ${refusal.verb} ${refusal.keys[0]}\`.`;
    case "unknown_task":
      return `run ${refusal.runId} has no task \`${refusal.key}\`; its tasks: ${codeList(refusal.keys)}.`;
    case "stale_button":
      return (
        `that button is on the check run of attempt ${refusal.pressed} of \`${refusal.task}\`, whose latest is now ${describeAttempt(refusal.latest)}; ` +
        `nothing was done. Use the buttons of the latest attempt's check run, or \`/orch ${refusal.verb} ${refusal.task}\`.`
      );
    case "not_retryable":
      return refusal.latest.state === "queued" || refusal.latest.state === "running"
        ? `\`${refusal.task}\` is still active: ${describeAttempt(refusal.latest)}. Retry applies once it has ended; to stop it, \`/orch cancel ${refusal.task}\`.`
        : `\`${refusal.task}\`'s latest is ${describeAttempt(refusal.latest)}; retry applies to a failed, blocked, timed-out, lost or cancelled task. To run it again anyway, \`/orch dispatch\` starts a new run.`;
    case "not_reassignable": {
      const { task, latest } = refusal;
      const next =
        latest.state === "running" || latest.state === "queued"
          ? ` To stop it first, \`/orch cancel ${task}\`.`
          : latest.state === "succeeded"
            ? ""
            : ` For the same agent, \`/orch retry ${task}\`.`;
      return `\`${task}\`'s latest is ${describeAttempt(latest)}; reassign applies to a failed or blocked task.${next}`;
    }
    case "same_agent":
      return `\`${refusal.task}\`'s latest attempt already used \`${refusal.agent}\`; for another go with it, \`/orch retry ${refusal.task}\`, or name another agent (${renderAgentList(refusal.agents)}).`;
    case "no_attempt":
      return refusal.waitsFor?.length
        ? `task \`${refusal.task}\` has not started: it waits for ${refusal.waitsFor.map((key) => `\`${key}\``).join(", ")} to succeed, then starts by itself (\`/orch retry ${refusal.waitsFor[0]}\` if that one failed).`
        : `task \`${refusal.task}\` has no attempt to follow up on.`;
    case "nothing_to_cancel":
      return `nothing to cancel: \`${refusal.task}\`'s latest is ${refusal.latest ? describeAttempt(refusal.latest) : "no attempt"}.`;
    case "just_ended":
      return `nothing to cancel: \`${refusal.task}\` had just ended.`;
    case "nothing_active":
      return refusal.runId === undefined
        ? "there was nothing to cancel: no run on this thread is active."
        : `nothing to cancel: run ${refusal.runId} has no queued or running attempt.`;
    case "no_other_agent":
      return `\`${refusal.task}\` cannot be reassigned: this server has no other agent.`;
    case "cap_reached":
      return `${describeCap(refusal.task, refusal.reached)} so no new attempt was started. ${HOW_TO_GO_ON}`;
    case "no_verify":
      return `run ${refusal.runId} has no verify command: it was dispatched while \`.github/orch.yml\` on the default branch had no \`verify.run\`. Add one there, then \`/orch dispatch\` a new run.`;
    case "cannot_verify":
      return refusal.why === "active"
        ? `\`${refusal.task}\` attempt ${refusal.number} is still going; verify runs by itself when its agent is done.`
        : `\`${refusal.task}\` attempt ${refusal.number} has no worktree any more (it was cleaned up, or never had a change), so there is nothing to verify. \`/orch retry ${refusal.task}\` starts a new attempt.`;
    case "council_too_big":
      return `a council of ${refusal.size} attempts is more than \`max_attempts_per_task\` (${refusal.limit}) allows one task, so nothing was started. Name fewer agents, or ask for a higher cap.`;
    case "cannot_pick":
      return `\`${refusal.task}\`: ${refusal.why}`;
    case "bad_task_list":
      return `the task list in your instructions cannot run, so nothing was started: ${refusal.problem}`;
  }
}

export function renderNotice(notice: Notice): string | undefined {
  switch (notice.kind) {
    case "queued_attempt":
      return `queued attempt ${notice.number} of \`${notice.task}\` with \`${notice.agent}\` on branch \`${notice.branch}\`${notice.withFeedback ? ", with your feedback" : ""}. The status comment follows it.`;
    case "picked":
      return (
        `picked \`${notice.task}\` attempt ${notice.number} (\`${notice.agent}\`): its pull request is #${notice.pullRequest}.` +
        (notice.superseded.length ? ` ${notice.superseded.map((n) => `attempt ${n}`).join(", ")} ${notice.superseded.length === 1 ? "is" : "are"} superseded; their worktrees are removed and their branches stay.` : "")
      );
    case "verifying":
      return `running verify again on \`${notice.task}\` attempt ${notice.number}${notice.host ? ` (on ${notice.host}, which holds its worktree)` : ""}; its check run and the status comment show the result.`;
    case "cancelled_attempt":
      return `cancelled attempt ${notice.number} (\`${notice.agent}\`) of \`${notice.task}\`.`;
    case "cancelled_run":
      return `cancelled ${notice.count === 1 ? "1 attempt" : `${notice.count} attempts`} of run ${notice.runId}.`;
    case "cancelled_runs":
      return notice.notices.map(renderNotice).filter(Boolean).join(" ");
    case "cleaned": {
      const parts = [];
      if (notice.cleaned.length) parts.push(`Removed the worktree of ${notice.cleaned.join(", ")}; the branches stay, in orch's cache and on GitHub.`);
      if (notice.requested.length) parts.push(`Asked the hosts that hold them to remove the worktree of ${notice.requested.join(", ")}; the branches stay.`);
      if (!notice.cleaned.length && !notice.requested.length) parts.push(`Nothing to clean up in ${notice.scope}: no ended attempt still has a worktree.`);
      if (notice.active.length) {
        parts.push(`Left ${notice.active.join(", ")} alone because ${notice.active.length === 1 ? "it is" : "they are"} still active; \`/orch cancel\` stops it first.`);
      }
      return parts.join(" ");
    }
    case "closed": {
      const parts = notice.cancelled
        ? [`Closing this ${notice.noun} cancelled ${notice.cancelled === 1 ? "1 active attempt" : `${notice.cancelled} active attempts`}.`]
        : [];
      parts.push(...notice.cleanups.map(renderNotice).filter((text): text is string => Boolean(text)));
      return parts.length ? parts.join(" ") : undefined;
    }
    case "label": {
      const said = renderOutcome(notice.outcome);
      return `${said ? `${said} ` : ""}I removed the \`${notice.label}\` label.`;
    }
  }
}

/** When a command failed inside orch: the details are in the log, never on GitHub. */
export function renderInternalError(): string {
  return "orch hit an internal error running this command; the server log has the details. Try again, or `/orch status` to see where things stand.";
}

/** The refusal for a sender whose permission is below the repository's bar. */
export function renderPermissionRefusal(params: { required: string; actual: string }): string {
  return `sorry, only people with ${params.required} permission (or higher) on this repository can command orch, and yours is ${params.actual}. Nothing was done.`;
}

function codeList(keys: readonly string[]): string {
  return keys.map((key) => `\`${key}\``).join(", ");
}
