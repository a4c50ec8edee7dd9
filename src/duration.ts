/**
 * Durations, in milliseconds inside orch and in two spellings outside it: the
 * config file's (`1h30m`, `90s`, read by parseDuration and written back by
 * formatConfigDuration) and the one people read in logs, check runs and
 * comments (`1m 5s`, formatDuration).
 */

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Parses a duration into milliseconds, or returns undefined when it is not one.
 *
 * Accepted: a non-negative number of seconds (`90`, `1.5`), or a string of
 * hour, minute and second parts in that order, each at most once, whole
 * numbers only: `90s`, `30m`, `2h`, `1h30m`, `1h0m15s`. Surrounding blanks are
 * ignored. Anything else (`"90"`, `"1.5h"`, `"30 m"`, `"-5s"`, `"soon"`) is not
 * a duration: a quoted number in YAML is usually a typo for a unit, so it is
 * refused rather than guessed. Range checks are the caller's business.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") {
    return Number.isFinite(text) && text >= 0 ? Math.round(text * SECOND) : undefined;
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!match || match[0] === "") return undefined;
  const [, hours = "0", minutes = "0", seconds = "0"] = match;
  return Number(hours) * HOUR + Number(minutes) * MINUTE + Number(seconds) * SECOND;
}

/**
 * An age on the operator's command line (`orch cleanup --older-than 7d`):
 * parseDuration's grammar, with a leading days part allowed (`7d`, `1d12h`).
 * The config file keeps its hours-at-most grammar; only ages reach for days.
 */
export function parseAge(text: string): number | undefined {
  const match = /^\s*(?:(\d+)d)?(.*)$/.exec(text);
  if (!match) return undefined;
  const [, days, rest = ""] = match;
  if (days === undefined) return parseDuration(rest);
  if (rest.trim() === "") return Number(days) * DAY;
  const more = parseDuration(rest);
  return more === undefined ? undefined : Number(days) * DAY + more;
}

/**
 * Renders milliseconds the way the config file writes them: `1h30m`, `10s`, `0s`.
 * parseDuration reads whole seconds back; a fraction comes out as `1.5s`.
 */
export function formatConfigDuration(ms: number): string {
  if (ms % SECOND !== 0) return `${ms / SECOND}s`;
  const totalSeconds = ms / SECOND;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""].join("") || "0s";
}

/** A human duration for logs, check runs and comments: "0.3s", "42.0s", "1m 5s", "30m", "2h 5m". */
export function formatDuration(ms: number): string {
  if (ms < MINUTE) return `${(Math.max(ms, 0) / SECOND).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / SECOND);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return seconds > 0 ? `${minutes}m ${seconds}s` : `${minutes}m`;
}
