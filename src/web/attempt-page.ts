/**
 * The attempt page as HTML: pure, from data the loader already redacted
 * (load-attempt-page.ts). Every piece of text goes through `html()`, which
 * drops bidirectional controls (render/published-text.ts) and escapes; the
 * only markup is this file's. The style and the small live-log script carry
 * the response's CSP nonce; the script reads its settings from a JSON
 * island, so no value is ever written into script text.
 */
import { stripBidiControls } from "../render/published-text.js";
import { renderUsage } from "../render/check-run.js";
import type { AttemptPageData, PromptPart } from "./load-attempt-page.js";
import { toStateEvent } from "./log-stream.js";

/** Text as HTML text or an attribute value: bidi controls dropped, `& < > " '` escaped. */
export function html(text: string | number): string {
  return stripBidiControls(String(text)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A URL for an href: only http(s) or a relative one (orch's own), else none. */
function safeHref(url: string): string | undefined {
  return /^https?:\/\//i.test(url) || /^[0-9]+(?:\/|\?|$)/.test(url) ? url : undefined;
}

function link(url: string | null | undefined, text: string): string {
  const href = url ? safeHref(url) : undefined;
  return href ? `<a href="${html(href)}">${html(text)}</a>` : html(text);
}

function time(date: Date | null): string {
  if (!date) return "–";
  const iso = date.toISOString();
  return `<time datetime="${html(iso)}">${html(iso.replace("T", " ").replace(/\.\d+Z$/, " UTC"))}</time>`;
}

const VERIFY_TEXT = { passed: "passed", failed: "failed", timed_out: "timed out" } as const;

function renderFacts(data: AttemptPageData): string {
  const { attempt, task, run, thread } = data.context;
  const state = toStateEvent(attempt, data.now);
  const repoUrl = thread.url.replace(/\/(issues|pull)\/\d+$/, "");
  const facts: [string, string][] = [
    ["Agent", html(attempt.agent)],
    ["Host", html(attempt.host ?? "not claimed yet")],
    [
      task.mode === "ask" ? "Checkout" : "Branch",
      task.mode === "ask"
        ? "read-only; a question, nothing is pushed"
        : attempt.headSha
          ? `<code>${link(`${repoUrl}/tree/${encodeURI(attempt.branch)}`, attempt.branch)}</code>`
          : `<code>${html(attempt.branch)}</code> <span class="muted">(not pushed)</span>`,
    ],
    ["Pull request", attempt.pullRequestNumber !== null ? link(attempt.pullRequestUrl, `#${attempt.pullRequestNumber}`) : "–"],
    ["Requested by", `@${html(attempt.requestedBy)}`],
    ["Queued", time(attempt.queuedAt)],
    ["Started", time(attempt.startedAt)],
    ["Ended", `<span id="ended">${time(attempt.endedAt)}</span>`],
    ["Duration", `<span id="duration">${html(state.duration)}</span>`],
    ["Usage", html(renderUsage(attempt) || "none reported")],
    [
      "Verify",
      attempt.verifyState !== null
        ? `<span class="verify verify-${html(attempt.verifyState)}">${html(VERIFY_TEXT[attempt.verifyState])}</span>${run.verify ? ` <span class="muted">(<code>${html(run.verify.run)}</code>)</span>` : ""}`
        : run.verify
          ? `not run yet <span class="muted">(<code>${html(run.verify.run)}</code>)</span>`
          : "none configured",
    ],
  ];
  if (attempt.autoRetry > 0) {
    facts.push(["Auto-retry", `${attempt.autoRetry} of ${attempt.autoRetryLimit}, started by orch after the previous attempt's verify failed`]);
  }
  if (attempt.exitCode !== null) facts.push(["Exit code", html(attempt.exitCode)]);
  const summary = attempt.summary ? `<div class="wide"><dt>Summary <span class="muted">(the agent's words)</span></dt><dd>${html(attempt.summary)}</dd></div>` : "";
  return `<dl class="facts">${facts.map(([term, value]) => `<div><dt>${html(term)}</dt><dd>${value}</dd></div>`).join("")}${summary}</dl>`;
}

function renderCouncil(data: AttemptPageData): string {
  const council = data.council;
  if (!council) return "";
  const rows = council.rows.map((row) => {
    const isThis = row.attempt.id === data.context.attempt.id;
    const label = isThis ? `<strong>${html(row.label)}</strong> <span class="muted">(this one)</span>` : link(council.pageLinks[row.attempt.id], row.label);
    const picked = row.pickedPullRequest !== null ? ` · ${row.isPickedByJudge ? "picked by the judge" : "picked"}, ${link(row.attempt.pullRequestUrl, `#${row.pickedPullRequest}`)}` : "";
    const cells = [
      ...(council.isRanked ? [row.rank === null ? "–" : String(row.rank)] : []),
      html(row.attempt.agent),
      `${html(row.state)}${picked}`,
      html(row.verify),
      html(row.changes),
      html(row.duration),
      html(row.usage),
      row.summary ? `<span class="agent-text">${html(row.summary)}</span>` : "–",
      row.diffUrl ? link(row.diffUrl, "diff") : "–",
      ...(council.isRanked ? [row.reason ? `<span class="agent-text">${html(row.reason)}</span>` : "–"] : []),
    ];
    return `<tr${isThis ? ' aria-current="page"' : ""}><th scope="row">${label}</th>${cells.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
  });
  const next = council.isPicked
    ? ""
    : council.pickCommands.length
      ? `<p>Pick one with ${council.pickCommands.map((command) => `<code>${html(command)}</code>`).join(" or ")} on the thread, or the <strong>Pick</strong> button on its check run.</p>`
      : "<p>No attempt succeeded, so there is nothing to pick; <code>/orch retry</code> adds an attempt.</p>";
  const headers = [
    "Attempt",
    ...(council.isRanked ? ["Judge's rank"] : []),
    ...["Agent", "State", "Verify", "Changes", "Duration", "Usage", "Summary", "Branch"],
    ...(council.isRanked ? ["Judge's reason"] : []),
  ];
  return `<section aria-labelledby="council-heading">
<h2 id="council-heading">Council ${html(council.taskKey)}</h2>
<div class="scroll" role="region" aria-labelledby="council-heading" tabindex="0">
<table><thead><tr>${headers.map((header) => `<th scope="col">${html(header)}</th>`).join("")}</tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
</div>
${next}
</section>`;
}

const UNTRUSTED_LABEL: Record<NonNullable<PromptPart["untrusted"]>, string> = {
  issue: "Untrusted text: the thread's title and text, as written on GitHub by anyone who can open or edit it. The agent was told to treat it as data, not instructions.",
  earlier: "Untrusted text: written by an earlier attempt's agent (or produced by its change). The agent was told to treat it as data, not instructions.",
};

function renderPrompt(parts: readonly PromptPart[]): string {
  const body = parts
    .map((part) =>
      part.untrusted
        ? `<figure class="untrusted"><figcaption>${html(UNTRUSTED_LABEL[part.untrusted])}</figcaption><pre class="block" tabindex="0">${html(part.text)}</pre></figure>`
        : `<pre class="block prompt" tabindex="0">${html(part.text)}</pre>`,
    )
    .join("\n");
  return `<section aria-labelledby="prompt-heading">
<h2 id="prompt-heading">Prompt</h2>
<p class="muted">What the agent was given (the closing lines naming its result file are left out).</p>
${body}
</section>`;
}

function renderLog(data: AttemptPageData): string {
  const { attempt } = data.context;
  const state = toStateEvent(attempt, data.now);
  const isLive = attempt.state === "queued" || attempt.state === "running";
  const elsewhere = `This attempt ${isLive ? "runs" : "ran"} on host <code>${html(attempt.host ?? "")}</code>`;
  const status = data.isLogMissing
    ? `${elsewhere}, and its log lies on that host's disk; open the page from that host, or run <code>orch logs ${html(attempt.id)}</code> there.`
    : !data.isLocal
      ? `${elsewhere}; this is the end of its log as that host copied it${isLive ? " (every few seconds, updated here as it comes)" : ""}.`
      : isLive
        ? "Live: new lines appear as the agent prints them."
        : state.ended
          ? "The attempt has ended; this is the end of its log."
          : "";
  return `<section aria-labelledby="log-heading">
<h2 id="log-heading">Log</h2>
<p id="log-status" class="muted" aria-live="polite">${status}</p>
<pre id="log" class="block log" tabindex="0" aria-labelledby="log-heading">${data.logLines.map((line) => `${html(line)}\n`).join("")}</pre>
${data.logLines.length === 0 ? '<p id="log-empty" class="muted">No output yet.</p>' : ""}
</section>`;
}

function renderVerify(data: AttemptPageData): string {
  if (!data.verifyTail) return "";
  return `<section aria-labelledby="verify-heading">
<h2 id="verify-heading">Verify output (tail)</h2>
<pre class="block" tabindex="0" aria-labelledby="verify-heading">${html(data.verifyTail)}</pre>
</section>`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --code: #f6f8fa; --link: #0550ae;
  --ok-bg: #dafbe1; --ok-fg: #116329; --bad-bg: #ffebe9; --bad-fg: #a40e26; --run-bg: #ddf4ff; --run-fg: #0550ae;
  --warn-bg: #fff8c5; --warn-fg: #6f4400; --idle-bg: #eff2f5; --idle-fg: #393f46; --untrusted-line: #bf8700; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #3d444d; --code: #151b23; --link: #69a8ff;
    --ok-bg: #0f3d1e; --ok-fg: #7ee787; --bad-bg: #4c1018; --bad-fg: #ffb1a8; --run-bg: #0c2d6b; --run-fg: #b6dcff;
    --warn-bg: #3b2e05; --warn-fg: #f2cc60; --idle-bg: #262c36; --idle-fg: #d1d7e0; --untrusted-line: #d29922; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--link); }
a:focus-visible, pre:focus-visible, .scroll:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: 1rem; }
.brand { margin: 0; font-weight: 600; color: var(--muted); letter-spacing: .02em; }
h1 { font-size: 1.5rem; margin: .25rem 0; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
.thread { margin: 0; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.state, .verify { display: inline-block; font-size: .85rem; font-weight: 600; padding: .1rem .6rem; border-radius: 999px; background: var(--idle-bg); color: var(--idle-fg); }
.state-running, .state-queued { background: var(--run-bg); color: var(--run-fg); }
.state-succeeded, .verify-passed { background: var(--ok-bg); color: var(--ok-fg); }
.state-failed, .state-lost, .verify-failed { background: var(--bad-bg); color: var(--bad-fg); }
.state-blocked, .state-timed_out, .verify-timed_out { background: var(--warn-bg); color: var(--warn-fg); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem 1.5rem; margin: 1rem 0 0; }
.facts div { min-width: 0; }
.facts .wide { grid-column: 1 / -1; }
.facts dt { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.block { background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; margin: 0 0 .75rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 32rem; }
.log { max-height: 70vh; min-height: 6rem; }
.untrusted { margin: 0 0 .75rem; border-left: 4px solid var(--untrusted-line); padding-left: .75rem; }
.untrusted figcaption { font-weight: 600; color: var(--warn-fg); background: var(--warn-bg); padding: .35rem .6rem; border-radius: 4px; margin-bottom: .4rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
tr[aria-current] { background: var(--code); }
footer { margin-top: 2rem; padding-bottom: 2rem; border-top: 1px solid var(--line); padding-top: 1rem; font-size: .875rem; }
@media (max-width: 40rem) { body { font-size: 15px; } h1 { font-size: 1.25rem; } .facts { grid-template-columns: 1fr 1fr; } }
`;

/**
 * The script: follows the live log (EventSource), appending lines (or, for
 * another host's attempt, replacing the copied tail) and updating the state
 * badge, ended time and duration; closes when the attempt ends. Text only
 * ever goes in through textContent.
 */
const SCRIPT = `
(() => {
  const settings = JSON.parse(document.getElementById("page-settings").textContent);
  if (!settings.events || !window.EventSource) return;
  const log = document.getElementById("log");
  const status = document.getElementById("log-status");
  const badge = document.getElementById("state");
  const source = new EventSource(settings.events);
  source.addEventListener("lines", (event) => {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.append(JSON.parse(event.data).lines.map((line) => line + "\\n").join(""));
    document.getElementById("log-empty")?.remove();
    if (atEnd) log.scrollTop = log.scrollHeight;
  });
  source.addEventListener("tail", (event) => {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.textContent = JSON.parse(event.data).lines.map((line) => line + "\\n").join("");
    document.getElementById("log-empty")?.remove();
    if (atEnd) log.scrollTop = log.scrollHeight;
  });
  source.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    badge.textContent = state.label;
    badge.className = "state state-" + state.state;
    badge.dataset.state = state.state;
    document.getElementById("duration").textContent = state.duration;
    if (state.ended) {
      const ended = document.getElementById("ended");
      const when = document.createElement("time");
      when.dateTime = state.ended;
      when.textContent = state.ended.replace("T", " ").replace(/\\.\\d+Z$/, " UTC");
      ended.replaceChildren(when);
    }
  });
  source.addEventListener("end", () => {
    source.close();
    status.textContent = "The attempt has ended; this is the end of its log.";
  });
})();
`;

/** The whole page; `nonce` is the response's CSP nonce. */
export function renderAttemptPage(data: AttemptPageData, nonce: string): string {
  const { attempt, task, thread } = data.context;
  const state = toStateEvent(attempt, data.now);
  const isLive = !data.isLogMissing && (attempt.state === "queued" || attempt.state === "running");
  const noun = thread.kind === "issue" ? "Issue" : "Pull request";
  const title = `${task.key} attempt ${attempt.number} · ${thread.owner}/${thread.repo}#${thread.number}`;
  // In a JSON island `<` is escaped, so no text can close the script element.
  const settings = JSON.stringify({ events: isLive ? data.eventsUrl : null }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${html(title)} · orch</title>
<style nonce="${html(nonce)}">${STYLE}</style>
</head>
<body>
<header>
<p class="brand">orch · attempt page</p>
<h1>${html(`${task.key} · attempt ${attempt.number}`)} <span id="state" class="state state-${html(attempt.state)}" data-state="${html(attempt.state)}">${html(state.label)}</span></h1>
<p class="thread">${html(noun)} ${link(thread.url, `${thread.owner}/${thread.repo}#${thread.number}`)}: <span class="agent-text">${html(thread.title)}</span></p>
</header>
<main>
<section aria-labelledby="overview-heading">
<h2 id="overview-heading">Overview</h2>
${renderFacts(data)}
</section>
${renderCouncil(data)}
${renderVerify(data)}
${renderLog(data)}
${renderPrompt(data.prompt)}
</main>
<footer class="muted"><p>Everything here passed orch's secret redactor. This link carries a token: share it only with people who may see this attempt.</p></footer>
<script type="application/json" id="page-settings">${settings}</script>
<script nonce="${html(nonce)}">${SCRIPT}</script>
</body>
</html>
`;
}
