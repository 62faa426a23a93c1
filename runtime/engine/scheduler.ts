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
