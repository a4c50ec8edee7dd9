/**
 * Reading Linux's /proc: the one parser of each file orch reads about a
 * process (its stat line, children, namespaces, environment). Every reader
 * returns undefined (or an empty list) when the process is gone or /proc
 * cannot tell, since processes end while orch looks.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), T (stopped), ... */
  state: string;
  ppid: number;
  pgrp: number;
}

/** `/proc/<pid>/stat`: "pid (comm) state ppid pgrp ...", where comm may hold spaces and parentheses. */
export function readStat(pid: number | string): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (state === undefined) return undefined;
  return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

/** Every pid /proc lists now; undefined when /proc cannot be read. */
export function listPids(): number[] | undefined {
  try {
    return readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return undefined;
  }
}

/** How many threads the process has (0 when it is gone). */
export function countThreads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/** The children of every thread of the process. */
export function readChildren(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    try {
      for (const word of readFileSync(`/proc/${pid}/task/${task}/children`, "latin1").split(" ")) {
        if (/^\d+$/.test(word)) children.push(Number(word));
      }
    } catch {
      // the task ended while we looked
    }
  }
  return children;
}

/** The NSpid line of /proc/<pid>/status: its pid in each PID namespace, the host's first. */
export function readNsPids(pid: number): number[] | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "latin1")
      .split("\n")
      .find((l) => l.startsWith("NSpid:"));
    return line?.slice("NSpid:".length).trim().split(/\s+/).map(Number);
  } catch {
    return undefined;
  }
}

/** `readlink /proc/<pid>/ns/pid`, e.g. "pid:[4026532188]". */
export function readPidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** Its environment as NAME=value entries (readable by the same user only). */
export function readEnviron(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
  } catch {
    return undefined;
  }
}
