import { sleep } from "../resilience/sleep.ts";
import type { ScheduleSpec } from "../spec.ts";

export { sleep };

/** Delay before a source's next poll: its own interval plus uniform jitter in [0, jitter]. */
export function nextDelayMs(schedule: ScheduleSpec, random: () => number): number {
  return Math.round(schedule.intervalSecs * 1000 + random() * schedule.jitterSecs * 1000);
}

export interface ScheduleOptions {
  readonly signal: AbortSignal;
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Runs each source on its own timer (not one global tick): poll, wait interval + jitter,
 * repeat, until the signal aborts. A slow source never delays another.
 */
export async function runSchedule<T extends { readonly schedule: ScheduleSpec }>(
  items: readonly T[],
  poll: (item: T) => Promise<void>,
  options: ScheduleOptions,
): Promise<void> {
  await Promise.all(
    items.map(async (item) => {
      while (!options.signal.aborted) {
        await poll(item);
        if (options.signal.aborted) break;
        await options.sleep(nextDelayMs(item.schedule, options.random), options.signal);
      }
    }),
  );
}
