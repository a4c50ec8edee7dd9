/**
 * Work that runs off a request's path (webhook handling, status refreshes,
 * attempts), kept visible so tests and shutdown can wait for all of it.
 */
export class Background {
  private readonly pending = new Set<Promise<unknown>>();

  /** Keeps `work` visible to whenIdle; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => {});
    return work;
  }

  /** Resolves when nothing tracked is pending (including what finishing work started). */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
