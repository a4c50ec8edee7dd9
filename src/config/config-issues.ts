/**
 * What zod found wrong with a config file, made ready for wording: the key
 * path as people write it (`agents.codex.command[0]`, `agents["2fast"]`), one
 * entry per unknown key with the known key it is probably a typo for, and the
 * messages for the structural problems zod words itself. The server config
 * (server-config.ts, for the operator's terminal) and a repository's
 * `.github/orch.yml` (repo-config.ts, for a GitHub comment) share all of it and
 * each word a ConfigIssue their own way.
 */
import { z } from "zod";
import { nearestWithin } from "../text/nearest-word.js";

/** One problem of a config file. An issue about several unknown keys becomes one per key. */
export type ConfigIssue =
  | {
      kind: "unknown_key";
      /** The mapping that holds the key, as formatPath writes it; "" at the top level. */
      at: string;
      key: string;
      /** The known key it is close to, when it looks like a typo. */
      suggestion: string | undefined;
      /** Every key that mapping allows, in schema order; empty when the schema does not say. */
      knownKeys: string[];
    }
  | {
      kind: "invalid";
      /** The key path, as formatPath writes it; "" for the file as a whole. */
      at: string;
      message: string;
    };

/** Turns zod's issues for `schema` into config problems, in zod's order. */
export function buildConfigIssues(schema: z.core.$ZodType, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const at = formatPath(issue.path);
    if (issue.code !== "unrecognized_keys") return [{ kind: "invalid", at, message: issue.message }];
    const knownKeys = knownKeysAt(schema, issue.path);
    return issue.keys.map((key) => ({ kind: "unknown_key", at, key, suggestion: suggestKey(key, knownKeys), knownKeys }));
  });
}

/** A key path as a config file's reader would write it: `agents.codex.command[0]`, `agents["2fast"]`; "" for none. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const key = String(part);
      const isPlain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
      out += isPlain ? (out === "" ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/**
 * The closest known key, when one is close enough to be a typo, a case slip or
 * `-` for `_`: keys equal but for case, `-`, `_` and blanks match outright
 * (`killGrace` is `kill_grace`); otherwise the nearest within one edit per four
 * letters of the known key, and at least one.
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const normalize = (key: string) => key.toLowerCase().replace(/[-_\s]/g, "");
  return (
    known.find((key) => normalize(key) === normalize(unknown)) ??
    nearestWithin(unknown.toLowerCase(), known, (_typed, key) => Math.max(1, Math.floor(key.length / 4)))
  );
}

/**
 * The keys the mapping at `path` in `schema` allows, read from the schema
 * itself: through `.optional()` and the like, an object's shape, a record's
 * values and a list's elements. Empty when `path` does not lead to an object.
 */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.core.$ZodType | undefined = schema;
  for (const key of path) {
    at = at && childAt(at, key);
  }
  const def = at && unwrap(at)._zod.def;
  return def?.type === "object" ? Object.keys(def.shape) : [];
}

/** The schema of the value under `key`, or undefined when `schema` has no such child. */
function childAt(schema: z.core.$ZodType, key: PropertyKey): z.core.$ZodType | undefined {
  const def = unwrap(schema)._zod.def;
  if (def.type === "object") return typeof key === "string" && Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
  if (def.type === "record") return def.valueType;
  if (def.type === "array") return typeof key === "number" ? def.element : undefined;
  return undefined;
}

/** `schema` without the wrappers that leave its shape alone: optional, nullable, default, pipe (its input side) and the like. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodTypes {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return unwrap(def.innerType);
    case "pipe":
      return unwrap(def.in);
    case "lazy":
      return unwrap(def.getter());
    default:
      return schema as z.core.$ZodTypes;
  }
}

/**
 * An error map for the structural issues zod raises itself (a missing key, a
 * list where a mapping belongs) in the words the leaf checks use: "is
 * required", "expected a mapping; got a list". Everything else keeps the
 * message its schema gave it.
 */
export const structuralErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    const expected = issue.expected === "object" || issue.expected === "record" ? "a mapping" : issue.expected;
    return `expected ${expected}; got ${describeValue(issue.input)}`;
  }
  return undefined;
};

/** A short rendering of a YAML value for "got ..." in messages: `"soon"`, `3`, `a list`, `a mapping`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}
