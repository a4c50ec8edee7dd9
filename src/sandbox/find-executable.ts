/**
 * PATH lookup as execvp(3) does it, on the host's file system.
 */
import { accessSync, constants, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** glibc's execvp searches this when PATH is unset (confstr _CS_PATH). */
const DEFAULT_PATH = "/bin:/usr/bin";

/**
 * Every executable regular file called `name` in the PATH folders, in PATH
 * order and as absolute paths (an empty or relative PATH entry counts from
 * `cwd`, as it would for the program). Empty when there is none.
 */
export function listExecutablesOnPath(name: string, pathEnv: string | undefined, cwd: string): string[] {
  const found: string[] = [];
  for (const dir of (pathEnv ?? DEFAULT_PATH).split(":")) {
    const candidate = resolve(cwd, join(dir === "" ? "." : dir, name));
    if (isExecutableFile(candidate) && !found.includes(candidate)) found.push(candidate);
  }
  return found;
}

/** The first of listExecutablesOnPath, or undefined. */
export function findExecutable(name: string, pathEnv: string | undefined, cwd: string): string | undefined {
  return listExecutablesOnPath(name, pathEnv, cwd)[0];
}

/** A regular file (after symlinks) that this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
