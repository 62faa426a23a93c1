/**
 * A counting semaphore (FIFO): the bulkhead behind `max_concurrent_requests` (per source) and
 * `max_concurrent_sources` (per process). It holds no timers; waiters leave the queue when their
 * signal aborts.
 */
export interface Semaphore {
  /** Resolves with a release function once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Runs `task` inside a slot. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Slots in use. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly waiting: number;
}

/** A semaphore with `limit` slots; `undefined` means unlimited (acquire never waits). */
export function createSemaphore(limit: number | undefined): Semaphore {
  const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(limit));
  let active = 0;
  const queue: Array<() => void> = [];

  const releaser = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next();
      else active--;
    };
  };

  const acquire = (signal?: AbortSignal): Promise<() => void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (active < max) {
      active++;
      return Promise.resolve(releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(releaser());
      };
      const onAbort = (): void => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
      };
      queue.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  };

  return {
    acquire,
    async run(task, signal) {
      const release = await acquire(signal);
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
