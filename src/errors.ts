/**
 * A UserError's message is safe to show on GitHub: it says what was wrong and
 * what would be right. Any other error is logged and reported as an internal
 * error, because its message may hold paths, SQL or worse.
 */
export class UserError extends Error {
  override name = "UserError";
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
