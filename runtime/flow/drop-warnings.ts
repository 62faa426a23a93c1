import type { Logger } from "../log.ts";

export type DropReason = "backpressure" | "max_queue_age";

/** At most one warning per source and reason in this many ms. */
const EVERY_MS = 10_000;

/**
 * The rate-limited warning for dropped events: the first drop of a source and reason is logged
 * at once, later ones are summed and logged at most every 10 s with the count since the last line
 * (the counter `helr_events_dropped_total` has every one).
 */
export class DropWarnings {
  /** Logs the run's totals (at close), when anything was dropped. */
  summarize(): void {
    if (Object.keys(this.totals).length === 0) return;
    this.log.warn({ dropped: this.totals }, "backpressure: events dropped during this run");
  }

  readonly #last = new Map<string, { atMs: number; unreported: number }>();
  /** Every drop of the run: source → reason → count. */
  readonly totals: Record<string, Partial<Record<DropReason, number>>> = {};

  constructor(
    private readonly log: Pick<Logger, "warn">,
    private readonly now: () => number,
  ) {}

  add(sourceId: string, reason: DropReason, count: number): void {
    const total = this.totals[sourceId] ?? {};
    total[reason] = (total[reason] ?? 0) + count;
    this.totals[sourceId] = total;
    const key = `${reason}\u0000${sourceId}`;
    const now = this.now();
    const seen = this.#last.get(key);
    if (seen !== undefined && now - seen.atMs < EVERY_MS) {
      seen.unreported += count;
      return;
    }
    const dropped = count + (seen?.unreported ?? 0);
    this.#last.set(key, { atMs: now, unreported: 0 });
    this.log.warn(
      { sourceId, reason, dropped },
      reason === "backpressure"
        ? `backpressure: ${dropped} events dropped (the output is not keeping up; strategy drop)`
        : `backpressure: ${dropped} events dropped after waiting longer than max_queue_age_secs`,
    );
  }
}
