/**
 * `npx orch …`: the operator's command line over the same database and
 * pipeline as `npm start` (DESIGN.md, "Seen from a browser, and from a
 * terminal"). The grammar is commander's; each verb's arguments, help and
 * examples sit with it here, and what it does is in actions.ts / doctor.ts.
 *
 * Exit codes: 0 done, 1 refused or failed (an unknown attempt, nothing to
 * cancel, a doctor check failed), 2 bad arguments. Every bad argument gets
 * one line saying what was wrong and what would be right.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { closest } from "fastest-levenshtein";
import { ConfigError } from "../config/config-error.js";
import { parseAge } from "../duration.js";
import { ATTEMPT_STATES, type AttemptState } from "../store/transitions.js";
import { isSafeRepoName } from "../workspace/branch-name.js";
import { cancelAction, cleanupAction, listAttemptsAction, logsAction, retryAction, showAction, type Io } from "./actions.js";
import { CliError } from "./cli-error.js";
import { runDoctor } from "./doctor.js";

function parseAttemptId(value: string): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidArgumentError(`expected an attempt id, a whole number like 12 (\`orch attempts\` lists them); got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return id;
}

function parseStates(value: string): AttemptState[] {
  return value.split(",").map((word) => {
    const state = word.trim().toLowerCase().replace(/-/g, "_");
    if ((ATTEMPT_STATES as readonly string[]).includes(state)) return state as AttemptState;
    const near = closest(state, [...ATTEMPT_STATES]);
    throw new InvalidArgumentError(`${JSON.stringify(word.slice(0, 40))} is not a state${near ? ` (did you mean ${near}?)` : ""}; states: ${ATTEMPT_STATES.join(", ")}`);
  });
}

function parseRepo(value: string): { owner: string; repo: string } {
  const [owner, repo, ...rest] = value.split("/");
  if (owner === undefined || repo === undefined || rest.length > 0 || !isSafeRepoName(owner, repo)) {
    throw new InvalidArgumentError(`expected OWNER/REPO like acme/widgets; got ${JSON.stringify(value.slice(0, 80))}`);
  }
  return { owner, repo };
}

function parseLimit(value: string): number {
  const limit = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= 100_000)) throw new InvalidArgumentError(`expected a whole number from 1 to 100000; got ${JSON.stringify(value.slice(0, 40))}`);
  return limit;
}

function parseOlderThan(value: string): number {
  const ms = parseAge(value);
  if (ms === undefined) throw new InvalidArgumentError(`expected an age like 7d, 12h, 30m or 0s; got ${JSON.stringify(value.slice(0, 40))}`);
  return ms;
}

/** Runs one command line (the words after `orch`); resolves its exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const done = (code: number) => {
    exitCode = code;
  };
  const program = buildProgram(io, done);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    // Help and version exit 0; everything commander refuses is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) {
      io.err(`orch: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.err(`orch: ${problem}`);
      return 1;
    }
    throw error;
  }
}

function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command("orch");
  const writers = { writeOut: (text: string) => io.write(text), writeErr: (text: string) => io.err(text.replace(/\n$/, "")) };
  program
    .description("The operator's command line for orch: look at attempts, read their logs, cancel, retry, clean up, and check the installation.\nRun it in orch's folder: it reads the same .env, DATABASE_URL, ORCH_HOME and ORCH_CONFIG as `npm start`.")
    .usage("<command> [options]")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      ...writers,
      outputError: (text, write) => write(`orch: ${oneLine(text)}. Commands: attempts, show, logs, cancel, retry, cleanup, doctor; \`orch --help\` says more.\n`),
    })
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ npx orch attempts --state running",
        "  $ npx orch show 12",
        "  $ npx orch logs 12 -f",
        "  $ npx orch cancel 12",
        "  $ npx orch cleanup --older-than 7d --dry-run",
        "  $ npx orch doctor",
        "",
        "Actions report to GitHub like a comment would (check run, status comment, a reply saying the operator did it).",
      ].join("\n"),
    );

  /** A verb whose errors say its usage on the same line. */
  const verb = (name: string, description: string, examples: string[]) => {
    const command = program
      .command(name)
      .description(description)
      .exitOverride()
      .addHelpText("after", ["", "Examples:", ...examples.map((example) => `  $ npx orch ${example}`)].join("\n"));
    command.configureOutput({
      ...writers,
      outputError: (text, write) => write(`orch ${name}: ${oneLine(text)}. Usage: orch ${name} ${command.usage()}; \`orch ${name} --help\` says more.\n`),
    });
    return command;
  };

  verb("attempts", "list attempts, newest first: id, thread, task/attempt, agent, state, host, age, duration, branch", ["attempts", "attempts --state running,queued", "attempts --repo acme/widgets --limit 200"])
    .addOption(new Option("--state <states>", `only these states, comma-separated (${ATTEMPT_STATES.join(", ")})`).argParser(parseStates))
    .addOption(new Option("--repo <owner/repo>", "only this repository").argParser(parseRepo))
    .addOption(new Option("--limit <n>", "show at most this many").argParser(parseLimit).default(50))
    .action(async (options: { state?: AttemptState[]; repo?: { owner: string; repo: string }; limit: number }) => {
      done(await listAttemptsAction(io, { ...(options.state ? { states: options.state } : {}), ...(options.repo ? { repo: options.repo } : {}), limit: options.limit }));
    });

  verb("show", "everything about one attempt: thread, run, state, timings, branch, worktree, usage, verify, pull request, check run, summary", ["show 12"])
    .argument("<id>", "the attempt's id (the first column of `orch attempts`)", parseAttemptId)
    .action(async (id: number) => done(await showAction(io, id)));

  verb("logs", "print the attempt's agent log, with secrets redacted; -f follows it until the attempt ends", ["logs 12", "logs 12 -f"])
    .argument("<id>", "the attempt's id", parseAttemptId)
    .option("-f, --follow", "keep printing what the agent writes until the attempt ends")
    .action(async (id: number, options: { follow?: boolean }) => done(await logsAction(io, { attemptId: id, follow: Boolean(options.follow) })));

  verb("cancel", "cancel a queued or running attempt: the running orch stops its agent; GitHub shows it cancelled by the operator", ["cancel 12"])
    .argument("<id>", "the attempt's id", parseAttemptId)
    .action(async (id: number) => done(await cancelAction(io, id)));

  verb("retry", "start a new attempt of the task, same agent, after a failed, blocked, timed-out, lost or cancelled one (the task's latest)", ["retry 12"])
    .argument("<id>", "the id of the task's latest attempt", parseAttemptId)
    .action(async (id: number) => done(await retryAction(io, id)));

  verb("cleanup", "remove the worktrees of attempts that ended long enough ago; branches stay", ["cleanup --dry-run", "cleanup --older-than 0s", "cleanup --older-than 1d12h --repo acme/widgets"])
    .addOption(new Option("--older-than <age>", "only attempts that ended at least this long ago (like 7d, 12h, 30m, 0s)").argParser(parseOlderThan).default(7 * 24 * 3_600_000, "7d"))
    .addOption(new Option("--repo <owner/repo>", "only this repository").argParser(parseRepo))
    .option("--dry-run", "only list what would be removed")
    .action(async (options: { olderThan: number; dryRun?: boolean; repo?: { owner: string; repo: string } }) =>
      done(await cleanupAction(io, { olderThanMs: options.olderThan, dryRun: Boolean(options.dryRun), ...(options.repo ? { repo: options.repo } : {}) })),
    );

  verb("doctor", "check the installation (config, agents, sandbox, database, GitHub App, webhook secret, public URL) and say how to fix each problem", ["doctor"]).action(
    async () => done(await runDoctor(io)),
  );

  return program;
}

/** commander's "error: …" text as one line, without the prefix. */
function oneLine(text: string): string {
  return text
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim()
    .replace(/\.$/, "");
}
