/**
 * Text from agents and GitHub users is untrusted. These helpers put it into
 * orch's markdown without letting it ping people, inject HTML, break out of a
 * table or code block, or run on for pages.
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
