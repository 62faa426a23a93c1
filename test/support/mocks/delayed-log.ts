/**
 * An event log where an event can become visible later than it happened: Google Reports and Tailscale
 * deliver late, so a window queried twice can return more the second time. Visibility runs on the
 * mock's clock, so tests control it.
 */
export class DelayedLog<T> {
  /** Every event in arrival order, visible or not. */
  readonly items: T[] = [];
  readonly #visibleAt: number[] = [];

  /** Appends events that become visible at `visibleAtMs` (default: at once). */
  add(items: readonly T[], visibleAtMs = Number.NEGATIVE_INFINITY): readonly T[] {
    for (const item of items) {
      this.items.push(item);
      this.#visibleAt.push(visibleAtMs);
    }
    return items;
  }

  /** The events a query at `nowMs` can see, in arrival order. */
  visible(nowMs: number): T[] {
    return this.items.filter((_, i) => (this.#visibleAt[i] ?? 0) <= nowMs);
  }
}
