/**
 * Text from agents and GitHub users is untrusted. These helpers put it into
 * orch's markdown without letting it ping people, inject HTML, break out of a
 * table or code block, or run on for pages. One policy per use:
 *
 *   escapeInline  prose a user or agent wrote (a summary), inside orch's sentences
 *   userCode      a word a user typed, echoed back in a reply (`retyr` is not a command)
 *   codeBlock     many lines of it (a log tail, a quoted comment)
 *   inlineCode    names orch itself validated (branches, task keys)
 */

/**
 * One line of inline text: no mentions, no HTML, no table breaks, no markdown
 * syntax, at most `max` chars. `&` is escaped too: GitHub decodes character
 * references, so `&commat;user` or `&#64;user` would otherwise render (and
 * notify) as a mention, and `&lt;` as markup.
 */
export function escapeInline(text: string, max = 300): string {
  const oneLine = text.replace(/[\r\n]+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  const clipped = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return clipped
    .replace(/&/g, "&amp;")
    .replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b");
}

/** A fenced code block that the text cannot close early, whatever backticks it holds. */
export function codeBlock(text: string, info = "text"): string {
  const longestRun = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}${info}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

/** Inline code for names orch itself validated (branches, task keys, commands). */
export function inlineCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

const USER_CODE_LIMIT = 100;

/**
 * User text as an inline code span that nothing can break out of: backticks, control and
 * invisible characters are shown as `\u{…}` escapes, and the text is cut at ~100 characters.
 */
export function userCode(text: string): string {
  let shown = "";
  for (const char of text) {
    const piece = isUnsafeInCodeSpan(char) ? `\\u{${char.codePointAt(0)!.toString(16)}}` : char;
    if (shown.length + piece.length > USER_CODE_LIMIT) {
      shown += "…";
      break;
    }
    shown += piece;
  }
  return `\`${shown}\``;
}

// Controls, format characters (zero-width, bidi overrides), separators other than the space,
// unassigned, private-use and lone surrogate code points.
const UNSAFE_CHAR = /^(?:[`\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]|(?! )\p{Zs})$/u;

function isUnsafeInCodeSpan(char: string): boolean {
  return UNSAFE_CHAR.test(char);
}
