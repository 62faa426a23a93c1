/**
 * One value per wall-clock minute over the last hour, in fixed memory: the status page's "events
 * in the last hour" and its lag sparkline. A slot from more than an hour ago reads as empty, so
 * nothing has to run on a timer to age values out.
 */

/** Minutes a ring covers, the current one included. */
export const RING_MINUTES = 60;

const MINUTE_MS = 60_000;

export interface MinuteRing {
  /** Adds `value` to the minute of `atMs`. */
  add(atMs: number, value: number): void;
  /** Replaces the value of the minute of `atMs` (the last sample of a minute wins). */
  set(atMs: number, value: number): void;
  /** {@link RING_MINUTES} values, oldest first, ending with the minute of `nowMs`; undefined where nothing was recorded. */
  values(nowMs: number): (number | undefined)[];
  /** The sum over the last hour (the minute of `nowMs` and the 59 before it). */
  sum(nowMs: number): number;
}

/** An empty ring. */
export function createMinuteRing(): MinuteRing {
  const minutes = new Array<number>(RING_MINUTES).fill(Number.NaN);
  const slots = new Array<number>(RING_MINUTES).fill(0);
  const record = (atMs: number, value: number, combine: (old: number) => number): void => {
    const minute = Math.floor(atMs / MINUTE_MS);
    const slot = mod(minute, RING_MINUTES);
    slots[slot] = minutes[slot] === minute ? combine(slots[slot] ?? 0) : value;
    minutes[slot] = minute;
  };
  const values = (nowMs: number): (number | undefined)[] => {
    const current = Math.floor(nowMs / MINUTE_MS);
    return Array.from({ length: RING_MINUTES }, (_, i) => {
      const minute = current - (RING_MINUTES - 1) + i;
      const slot = mod(minute, RING_MINUTES);
      return minutes[slot] === minute ? slots[slot] : undefined;
    });
  };
  return {
    add: (atMs, value) => record(atMs, value, (old) => old + value),
    set: (atMs, value) => record(atMs, value, () => value),
    values,
    sum: (nowMs) => values(nowMs).reduce<number>((total, v) => total + (v ?? 0), 0),
  };
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
