/**
 * One poll of a source at a time. The scheduler and `POST /api/v1/sources/{id}/poll` both poll
 * through {@link SourceLocks.run}, so a triggered poll waits for a scheduled one of the same
 * source (and the other way round) instead of racing it over the same state (the Rust Helr's
 * trigger-poll has no such lock: helr.md §8.7). Different sources never wait for each other.
 */
export interface SourceLocks {
  /** Runs `work` once no other work for `sourceId` is running; work queued earlier runs first. */
  run<T>(sourceId: string, work: () => Promise<T>): Promise<T>;
  /** True while work for `sourceId` runs or waits. */
  busy(sourceId: string): boolean;
}

/** A lock per source id, created on first use and dropped when its queue empties. */
export function createSourceLocks(): SourceLocks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(sourceId, work) {
      const before = tails.get(sourceId) ?? Promise.resolve();
      const result = before.then(work, work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(sourceId, tail);
      void tail.then(() => {
        if (tails.get(sourceId) === tail) tails.delete(sourceId);
      });
      return result;
    },
    busy: (sourceId) => tails.has(sourceId),
  };
}
