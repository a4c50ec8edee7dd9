/**
 * Why a remote refused a push, in words a maintainer can act on. git's
 * stderr for a refused push holds the remote's own messages (`remote: …`
 * lines) and a `! [rejected]` or `! [remote rejected]` line per ref; GitHub's
 * messages for the common refusals are recognised and named, and the
 * remote's lines are kept (the caller redacts them before publishing).
 */

export type PushRefusalKind =
  /** The app may not create or change `.github/workflows/*` without the `workflows` permission. */
  | "workflow_permission"
  /** A branch protection rule or repository ruleset. */
  | "protected_branch"
  /** A file over GitHub's 100 MB limit. */
  | "file_too_large"
  /** The branch already exists on the remote. */
  | "branch_exists"
  /** Something else; the remote's lines say what. */
  | "other";

export interface PushRefusal {
  kind: PushRefusalKind;
  /** One sentence: what happened and what to do. */
  reason: string;
  /** The remote's own lines (without the `remote: ` prefix), at most MAX_REMOTE_LINES. */
  remoteLines: string[];
}

const MAX_REMOTE_LINES = 10;
const MAX_LINE_CHARS = 300;

const KINDS: { kind: PushRefusalKind; pattern: RegExp; reason: string }[] = [
  {
    kind: "workflow_permission",
    pattern: /refusing to allow a GitHub App to (create or update|create|update) workflow|without `?workflows`? permission/i,
    reason: "the changes touch a file in .github/workflows, which this GitHub App may not change without the workflows permission",
  },
  {
    kind: "file_too_large",
    pattern: /exceeds GitHub's file size limit|GH001: Large files detected|file size limit/i,
    reason: "a file is larger than GitHub's 100 MB limit",
  },
  {
    kind: "protected_branch",
    pattern: /GH006|GH013|protected branch|Repository rule violations|push declined due to repository rule/i,
    reason: "a branch protection rule or repository ruleset refused the branch",
  },
  {
    kind: "branch_exists",
    pattern: /\[rejected\].*\((stale info|already exists|fetch first|non-fast-forward)\)/i,
    reason: "the branch already exists on GitHub (left by an earlier run?); retry to push a new attempt branch",
  },
];

/** Undefined when `stderr` does not look like a refused push (a network error, say). */
export function parsePushRefusal(stderr: string): PushRefusal | undefined {
  const lines = stderr.split(/\r?\n/);
  const remoteLines = lines
    .filter((line) => line.startsWith("remote:"))
    .map((line) => line.slice("remote:".length).trim())
    .filter((line) => line !== "" && !/^-+$/.test(line))
    .slice(0, MAX_REMOTE_LINES)
    .map((line) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line));
  const isRefusal = lines.some((line) => /^\s*!\s*\[(remote )?rejected\]/.test(line)) || remoteLines.length > 0;
  if (!isRefusal) return undefined;
  const match = KINDS.find(({ pattern }) => pattern.test(stderr));
  if (match) return { kind: match.kind, reason: match.reason, remoteLines };
  const rejected = lines.find((line) => /\[(remote )?rejected\]/.test(line));
  const why = rejected ? /\(([^)]*)\)\s*$/.exec(rejected)?.[1] : undefined;
  return { kind: "other", reason: why ? `the remote said: ${why}` : "the remote refused it", remoteLines };
}
