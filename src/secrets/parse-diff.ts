/**
 * Reads the output of
 *
 *     git diff --no-color --no-ext-diff --no-textconv --text -U0 --no-renames \
 *       --src-prefix=a/ --dst-prefix=b/ <base> <head>
 *
 * into what the secret scan needs: per file, its path in the new tree and
 * the lines added (with their line numbers there), plus the text of every
 * removed line, which tells a secret that was already in the base and only
 * moved from one that is new.
 *
 * Hunks are read by their line counts (`@@ -a,b +c,d @@`), not by the first
 * character alone: an added line whose text is `++ b/x` reads `+++ b/x`, and
 * must not be taken for the next file's header.
 */

export interface DiffFile {
  /** The path in the new tree (the `b/` side), unquoted: real bytes, decoded as UTF-8. */
  path: string;
  /** The file does not exist in the base (with --no-renames, also a renamed file's new name). */
  isNew: boolean;
  /** The file is gone in head; it has no added lines. */
  isDeleted: boolean;
  /** Added lines without their `+`, with their 1-based number in the new file. */
  added: AddedLine[];
}

export interface AddedLine {
  line: number;
  text: string;
}

export interface ParsedDiff {
  files: DiffFile[];
  /** Every removed line's text (and the paths of deleted files), in diff order. */
  removed: string[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parses a two-tree unified diff (see the file comment). Lines it does not understand are skipped. */
export function parseDiff(diff: string): ParsedDiff {
  const files: DiffFile[] = [];
  const removed: string[] = [];
  let file: DiffFile | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;

  for (const line of diff.split("\n")) {
    if (file && (oldLeft > 0 || newLeft > 0)) {
      const kind = line[0];
      if (kind === "+" && newLeft > 0) {
        file.added.push({ line: newLine, text: line.slice(1) });
        newLine += 1;
        newLeft -= 1;
        continue;
      }
      if (kind === "-" && oldLeft > 0) {
        removed.push(line.slice(1));
        oldLeft -= 1;
        continue;
      }
      if (kind === " " && oldLeft > 0 && newLeft > 0) {
        newLine += 1;
        oldLeft -= 1;
        newLeft -= 1;
        continue;
      }
      if (kind === "\\") continue; // "\ No newline at end of file"
      // The counts did not add up; read the line as a header rather than lose the next file.
      oldLeft = newLeft = 0;
    }

    if (line.startsWith("diff --git ")) {
      file = { path: findHeaderPath(line.slice("diff --git ".length)) ?? "", isNew: false, isDeleted: false, added: [] };
      files.push(file);
    } else if (!file) {
      continue;
    } else if (line.startsWith("new file mode")) {
      file.isNew = true;
    } else if (line.startsWith("deleted file mode")) {
      file.isDeleted = true;
      removed.push(file.path);
    } else if (line.startsWith("+++ ")) {
      const name = readDiffPath(line.slice(4));
      if (name === "/dev/null") file.isDeleted = true;
      else file.path = stripPrefix(name, "b/");
    } else if (line.startsWith("--- ")) {
      if (readDiffPath(line.slice(4)) === "/dev/null") file.isNew = true;
    } else {
      const hunk = HUNK_HEADER.exec(line);
      if (hunk) {
        oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
        newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
        newLine = Number(hunk[3]);
      }
    }
  }
  return { files, removed };
}

/**
 * The `b/` path of `a/<path> b/<path>` (the rest of a `diff --git` line).
 * Needed for files with no `+++` line (a new empty file, a mode change).
 * Unquoted, the line is ambiguous when the path holds ` b/`, but with
 * --no-renames both sides are the same path, which settles it.
 */
export function findHeaderPath(rest: string): string | undefined {
  if (rest.startsWith('"')) {
    const first = readQuoted(rest);
    if (!first) return undefined;
    const second = rest.slice(first.length + 1);
    return stripPrefix(second.startsWith('"') ? unquoteGitPath(second) : second, "b/");
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(0, half).startsWith("a/") && rest.slice(half + 1) === `b/${rest.slice(2, half)}`) {
    return rest.slice(half + 3);
  }
  const split = rest.lastIndexOf(" b/");
  return split === -1 ? undefined : rest.slice(split + 3);
}

/**
 * Undoes git's C-style quoting of a path (`core.quotePath`): `"b/sp\303\251cial \"q\".txt"`
 * becomes `b/spécial "q".txt`. Octal escapes are bytes, decoded together as UTF-8.
 * A string that does not start with `"` is returned as it is.
 */
export function unquoteGitPath(quoted: string): string {
  if (!quoted.startsWith('"')) return quoted;
  const token = readQuoted(quoted) ?? quoted;
  const inner = token.slice(1, token.endsWith('"') && token.length > 1 ? -1 : undefined);
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };
  for (let i = 0; i < inner.length; i += 1) {
    const char = inner[i] ?? "";
    if (char !== "\\") {
      bytes.push(...Buffer.from(char, "utf8"));
      continue;
    }
    const next = inner[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(inner.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else if (next in simple) {
      bytes.push(simple[next] ?? 0);
      i += 1;
    } else {
      bytes.push(92);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The leading `"…"` token of `text` (quotes included), honouring backslash escapes; undefined if unterminated. */
function readQuoted(text: string): string | undefined {
  for (let i = 1; i < text.length; i += 1) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === '"') return text.slice(0, i + 1);
  }
  return undefined;
}

/** A `---`/`+++` name: unquoted, without the tab git appends to a name that holds a space. */
function readDiffPath(raw: string): string {
  const name = raw.startsWith('"') ? unquoteGitPath(raw) : raw.replace(/\t$/, "");
  return name;
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}
