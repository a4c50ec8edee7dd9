/**
 * The machine a run measured: CPU, cores, memory, the temp directory's
 * filesystem (and whether ext4 has a journal, which changes how fast files
 * can be created after many were deleted), Node and git versions, the date,
 * and the load when the run started (someone else's work skews a figure).
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  tempDir: string;
  filesystem: string;
  /** True for ext4 mounted without a journal. */
  isJournallessExt4: boolean;
  os: string;
  node: string;
  git: string;
  date: string;
  loadAtStart: string;
}

async function output(file: string, args: string[]): Promise<string> {
  try {
    return (await execFileAsync(file, args)).stdout.trim();
  } catch {
    return "unknown";
  }
}

export async function describeMachine(tempDir: string): Promise<Machine> {
  const cpus = os.cpus();
  const [source = "", fstype = "unknown", options = ""] = (await output("findmnt", ["-n", "-o", "SOURCE,FSTYPE,OPTIONS", "--target", tempDir])).split(/\s+/);
  // jbd2 lists a journalled device as <name>-<n>: /proc/fs/jbd2/vda-8.
  const device = source.replace(/^\/dev\//, "");
  const journals = existsSync("/proc/fs/jbd2") ? readdirSync("/proc/fs/jbd2") : [];
  const isJournallessExt4 = fstype === "ext4" && device !== "" && !journals.some((name) => name.startsWith(`${device}-`));
  const mountFlags = options.split(",").filter((flag) => ["discard", "noatime", "relatime", "data=ordered", "data=writeback"].includes(flag));
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    tempDir,
    filesystem: `${fstype}${isJournallessExt4 ? " (no journal)" : ""}${mountFlags.length ? `, ${mountFlags.join(",")}` : ""} on ${source || "?"}`,
    isJournallessExt4,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    git: (await output("git", ["--version"])).replace(/^git version /, ""),
    date: new Date().toISOString(),
    loadAtStart: os.loadavg().map((load) => load.toFixed(2)).join(" "),
  };
}
