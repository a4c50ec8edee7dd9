/**
 * A mistake the operator can fix (a bad argument, an unknown attempt, the
 * wrong folder): its message is one line that says what is wrong and what
 * would be right, printed without a stack. `exitCode` 2 is a usage error
 * (bad arguments), 1 anything else.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
