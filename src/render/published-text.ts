/**
 * Text orch publishes on GitHub must read the way it is stored. Unicode
 * bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
 * U+061C) make text display in another order than it reads ("Trojan
 * Source"), so a summary or log line could show a harmless command while
 * holding another; they are dropped from everything published.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}

/** stripBidiControls on every string of plain JSON-ish data; a copy, the input is untouched. */
export function stripBidiControlsDeep<T>(value: T): T {
  if (typeof value === "string") return stripBidiControls(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => stripBidiControlsDeep(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, stripBidiControlsDeep(item)])) as T;
  }
  return value;
}
