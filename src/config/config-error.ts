/**
 * The operator set orch up wrongly: the server config file is missing,
 * unreadable or invalid, an environment variable such as DATABASE_URL or
 * ORCH_GIT_BASE_URL holds something orch cannot use, or this host cannot
 * sandbox agents. The message has one line per problem, each saying what is
 * wrong and what would be right; it is meant for the operator's terminal,
 * never for GitHub, and main.ts prints it alone, without a stack.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** What is wrong, as the lines name it: a file name or a variable name. */
  readonly source: string;
  /** One entry per problem, each naming what it is about: `orch.config.yml: agents.codex.timeout: ...`, `DATABASE_URL: ...`. */
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(problems.join("\n"));
    this.source = source;
    this.problems = problems;
  }
}
