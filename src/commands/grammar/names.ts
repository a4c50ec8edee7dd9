/**
 * The shapes of the names a command may hold. Whether a task or an agent
 * exists is for the verbs to check; these only say what could be one.
 */

/** `t1` … `t999`, any case. Normalise with `toLowerCase()` after checking. */
export function isValidTaskKey(text: string): boolean {
  return /^[tT][1-9][0-9]{0,2}$/.test(text);
}

/**
 * A letter, then letters, digits, `-` or `_`; 32 characters at most; ASCII only, any case.
 * Normalise with `toLowerCase()` after checking (safe: the text is ASCII by then).
 */
export function isValidAgentName(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(text);
}

/**
 * Lowercases A–Z only; every other character is kept as it is. `String#toLowerCase` would
 * also turn the Kelvin sign "K" into "k", and a lookalike must not pass for a verb.
 */
export function toAsciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
