/**
 * Gathers what an attempt's page shows, every string of it passed through
 * the redactor: the attempt with its task, run and thread, the log tail (and
 * the byte offset the live stream goes on from), the verify output tail, the
 * prompt split into orch's text and the untrusted text it fenced, and a
 * council task's comparison.
 */
import { getAttemptFiles } from "../pipeline/attempt-files.js";
import { readVerifyTail } from "../pipeline/steps/run-verify.js";
import { buildCouncilComparison, type CouncilComparison } from "../render/council-comparison.js";
import type { Redactor } from "../secrets/redactor.js";
import type { AttemptContext } from "../store/records.js";
import type { Store } from "../store/store.js";
import { readLogTailAt } from "./log-stream.js";
import { signAttemptToken } from "./page-token.js";

export const PAGE_LOG_TAIL = { maxLines: 300, maxBytes: 64 * 1024 };

/** A piece of the prompt: orch's own words (and the maintainer's), or text it fenced as untrusted. */
export interface PromptPart {
  text: string;
  /** `issue`: the thread's title and text; `earlier`: an earlier agent's summary or verify output. */
  untrusted?: "issue" | "earlier";
}

export interface AttemptPageData {
  context: AttemptContext;
  now: Date;
  /** Whether this host holds the attempt's files (its log); false: another host ran it, and the log is the tail it copied. */
  isLocal: boolean;
  /** Another host's attempt whose log tail was never copied (SQLite never copies; there is one host). */
  isLogMissing: boolean;
  logLines: string[];
  /** Where the live stream starts in the log (bytes). */
  logOffset: number;
  verifyTail: string;
  prompt: PromptPart[];
  council: (CouncilComparison & { pageLinks: Record<number, string> }) | undefined;
  /** The live stream, relative to the page. */
  eventsUrl: string;
}

export async function loadAttemptPage(
  deps: { store: Pick<Store, "findAttemptContext" | "findRun" | "findLogTail" | "findVerifyTail">; home: string; host: string; redactor: Redactor; secret: Buffer },
  params: { attemptId: number; now?: Date },
): Promise<AttemptPageData | undefined> {
  const { store, home, host, redactor, secret } = deps;
  const { attemptId } = params;
  const found = await store.findAttemptContext(attemptId);
  if (!found) return undefined;
  const context = await redactor.redactDeep(found);
  const files = getAttemptFiles(home, attemptId);
  const isLocal = context.attempt.host === null || context.attempt.host === host;
  // Another host's attempt: the tail it copied into the database (pipeline/log-mirror.ts).
  const copied = isLocal ? null : await store.findLogTail(attemptId);
  const tail = isLocal ? await readLogTailAt(files.logFile, PAGE_LOG_TAIL) : { lines: copied === null ? [] : copied.split("\n"), end: 0 };
  const logLines = tail.lines.length ? (await redactor.redact(tail.lines.join("\n"))).split("\n") : [];
  const verifyTail = context.attempt.verifyState !== null ? await redactor.redact((await readVerifyTail({ home, store }, attemptId)) ?? "") : "";
  let council: AttemptPageData["council"];
  if (context.task.mode === "council") {
    const run = await store.findRun({ threadId: context.thread.id, runId: context.run.id });
    const task = run?.tasks.find((candidate) => candidate.id === context.task.id);
    if (run && task) {
      const comparison = buildCouncilComparison({ run: await redactor.redactDeep(run), task: await redactor.redactDeep(task), threadUrl: context.thread.url });
      if (comparison) {
        const pageLinks = Object.fromEntries(comparison.rows.map((row) => [row.attempt.id, `${row.attempt.id}?token=${signAttemptToken(secret, row.attempt.id)}`]));
        council = { ...comparison, pageLinks };
      }
    }
  }
  return {
    context,
    now: params.now ?? new Date(),
    isLocal,
    isLogMissing: !isLocal && copied === null,
    logLines,
    logOffset: tail.end,
    verifyTail,
    // The prompt as orch recorded it, not io/prompt.md: the agent can write in io/, and the fences below must be orch's.
    prompt: splitPrompt(context.attempt.prompt),
    council,
    eventsUrl: `${attemptId}/events?token=${signAttemptToken(secret, attemptId)}&from=${tail.end}`,
  };
}

/** `<<<UNTRUSTED-<nonce>` … `UNTRUSTED-<nonce>>>>` (and VERIFY-), as pipeline/prompt.ts fences text. */
const FENCE_START = /^<<<(UNTRUSTED|VERIFY)-([0-9a-f]+)$/;

/**
 * The prompt cut at the fences pipeline/prompt.ts writes around untrusted
 * text. The nonce is random per prompt, so the fenced text cannot end its
 * fence early; a start line with no matching end leaves the rest fenced.
 */
export function splitPrompt(prompt: string): PromptPart[] {
  const parts: PromptPart[] = [];
  let plain: string[] = [];
  const lines = prompt.replace(/\n$/, "").split("\n");
  let fencedCount = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = FENCE_START.exec(lines[i] ?? "");
    if (!start) {
      plain.push(lines[i] ?? "");
      continue;
    }
    const endLine = `${start[1]}-${start[2]}>>>`;
    let end = lines.indexOf(endLine, i + 1);
    if (end < 0) end = lines.length;
    pushPlain(parts, plain);
    plain = [];
    // The first fence of a prompt is the thread's text; later ones (a retry's) hold an earlier agent's words.
    parts.push({ text: lines.slice(i + 1, end).join("\n"), untrusted: fencedCount === 0 && start[1] === "UNTRUSTED" ? "issue" : "earlier" });
    fencedCount++;
    i = end;
  }
  pushPlain(parts, plain);
  return parts;
}

/** orch's own lines between fences, without the blank lines at their edges. */
function pushPlain(parts: PromptPart[], lines: string[]): void {
  const text = lines.join("\n").replace(/^\n+|\n+$/g, "");
  if (text.trim()) parts.push({ text });
}
