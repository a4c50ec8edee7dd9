/**
 * Polls `check` every `pollMs` (50 ms) until it returns something truthy, and returns
 * that; throws "timed out waiting for <what>" after `timeoutMs`. For tests
 * that wait on another process (an app, an agent, a browser) to get there.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
