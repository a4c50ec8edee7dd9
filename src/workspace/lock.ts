/**
 * Runs async work one at a time per key: calls for the same key queue behind
 * each other in arrival order, calls for different keys run in parallel.
 * In-process only; it does not coordinate two orch processes on one host.
 */
export class KeyedMutex {
  /** For each busy key, a promise that settles (never rejects) when its queue drains. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `fn` after every earlier call for `key` has settled, and returns its
   * result. A rejected `fn` rejects only its own caller; the next one still runs.
   */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      // Only the last caller in the queue may forget the key; an earlier one
      // finishing must not drop the tail a later caller is chained on.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Whether any call for `key` is running or queued. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }

  /** How many keys are busy; 0 when idle, so the map never grows without bound. */
  get size(): number {
    return this.tails.size;
  }
}
