import type { ScheduleSpec } from "../spec.ts";
import { nextDelayMs, type ScheduleOptions } from "./scheduler.ts";

/**
 * The run's schedule as a set that changes while it runs (a reload adds, replaces and removes
 * sources): each entry polls on its own timer (poll, wait interval + jitter, repeat), so a slow
 * source never delays another, and can be stopped alone. Removing never cuts a poll short: it
 * ends the entry's wait, and {@link ScheduleSet.remove} resolves once the poll in flight has
 * returned and no further one will start (the caller ends that poll early, at a page boundary,
 * through its own `stopping` flag: cli/run-sources.ts).
 */
export interface ScheduleSet<T> {
  /** Starts polling `item` now, then every interval; an id already present is an error. */
  add(id: string, item: T): void;
  /** Stops the entry after its poll in flight (if any); resolves when it has ended. */
  remove(id: string): Promise<void>;
  /** Resolves when the run's signal has aborted and every entry has ended. */
  done(): Promise<void>;
}

interface Entry {
  readonly stop: AbortController;
  readonly ended: Promise<void>;
}

/** A {@link ScheduleSet} whose entries poll with `poll` until `options.signal` aborts. */
export function createScheduleSet<T extends { readonly schedule: ScheduleSpec }>(
  poll: (item: T) => Promise<void>,
  options: ScheduleOptions,
): ScheduleSet<T> {
  const entries = new Map<string, Entry>();
  const loop = async (item: T, own: AbortSignal): Promise<void> => {
    const signal = AbortSignal.any([options.signal, own]);
    while (!signal.aborted) {
      await poll(item);
      if (signal.aborted) break;
      await options.sleep(nextDelayMs(item.schedule, options.random), signal);
    }
  };
  return {
    add(id, item) {
      if (entries.has(id)) throw new Error(`source "${id}" is already scheduled`);
      const stop = new AbortController();
      entries.set(id, { stop, ended: loop(item, stop.signal) });
    },
    async remove(id) {
      const entry = entries.get(id);
      if (entry === undefined) return;
      entry.stop.abort();
      await entry.ended;
      if (entries.get(id) === entry) entries.delete(id);
    },
    async done() {
      const { signal } = options;
      if (!signal.aborted) await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
      // After the abort no entry starts another poll; wait for those in flight.
      await Promise.all([...entries.values()].map((e) => e.ended));
    },
  };
}
