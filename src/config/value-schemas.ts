/**
 * Schemas for single values of the server config file. Each reads the raw
 * YAML value and says what it expected and what it got (`expected a whole
 * number from 1 to 256; got "2"`), so the error map for the structure
 * (config-issues.ts) has only missing keys and wrong containers left to word.
 */
import { z } from "zod";
import { formatConfigDuration, parseDuration } from "../duration.js";
import { describeValue } from "./config-issues.js";

/** A duration (parseDuration) from `minMs` to `maxMs`, in milliseconds. */
export function duration(params: { minMs: number; maxMs: number }) {
  return z.unknown().transform((value, ctx): number => {
    const ms = typeof value === "string" || typeof value === "number" ? parseDuration(value) : undefined;
    if (ms === undefined) {
      ctx.addIssue(`expected a duration like 30m, 90s or 2h (or a number of seconds); got ${describeValue(value)}`);
      return z.NEVER;
    }
    if (ms < params.minMs || ms > params.maxMs) {
      ctx.addIssue(
        `must be between ${formatConfigDuration(params.minMs)} and ${formatConfigDuration(params.maxMs)}; got ${describeValue(value)}`,
      );
      return z.NEVER;
    }
    return ms;
  });
}

export function integerBetween(min: number, max: number) {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      ctx.addIssue(`expected a whole number from ${min} to ${max}; got ${describeValue(value)}`);
      return z.NEVER;
    }
    return value;
  });
}

/** An amount in US dollars, more than 0 and at most 100,000 (`max_cost_usd: 5` or `2.50`). */
export function dollars() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 100_000) {
      ctx.addIssue(`expected an amount in US dollars above 0, like 5 or 2.50; got ${describeValue(value)}`);
      return z.NEVER;
    }
    return value;
  });
}

/** A non-blank string on one line; `what` names it in messages ("a name"). */
export function text(what: string) {
  return z.unknown().transform((value, ctx): string => {
    if (value === undefined) {
      ctx.addIssue(`is required: ${what}`);
      return z.NEVER;
    }
    if (typeof value !== "string" || value.trim() === "") {
      ctx.addIssue(`expected ${what}; got ${describeValue(value)}`);
      return z.NEVER;
    }
    if (/[\0\r\n]/.test(value)) {
      ctx.addIssue(`expected ${what} on one line; got a value with a line break or NUL`);
      return z.NEVER;
    }
    return value;
  });
}

/** An absolute path, without its trailing slashes; `what` names it in messages. */
export function absolutePath(what: string) {
  return z.unknown().transform((value, ctx): string => {
    if (typeof value !== "string" || !value.startsWith("/") || /[\0\r\n]/.test(value)) {
      ctx.addIssue(`expected ${what} as an absolute path like /etc/orch/homes/codex; got ${describeValue(value)}`);
      return z.NEVER;
    }
    return value.replace(/\/+$/, "") || "/";
  });
}

export const pathListSchema = z.unknown().transform((value, ctx): string[] => {
  if (!Array.isArray(value)) {
    ctx.addIssue(`expected a list of absolute paths like [/srv/secrets]; got ${describeValue(value)}`);
    return z.NEVER;
  }
  let isValid = true;
  value.forEach((path: unknown, index) => {
    if (typeof path !== "string" || !path.startsWith("/") || /[\0\r\n]/.test(path)) {
      ctx.addIssue({ code: "custom", path: [index], message: `expected an absolute path; got ${describeValue(path)}` });
      isValid = false;
    }
  });
  return isValid ? (value as string[]) : z.NEVER;
});

export const booleanSchema = z.unknown().transform((value, ctx): boolean => {
  if (typeof value === "boolean") return value;
  ctx.addIssue(`expected true or false; got ${describeValue(value)}`);
  return z.NEVER;
});
