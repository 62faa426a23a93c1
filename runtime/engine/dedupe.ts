/**
 * The most recent event ids of a source, bounded by capacity and persisted in the state store
 * as segments (`dedupe.00000001` = JSON array of the ids first written by one checkpoint), so a
 * checkpoint writes only its new ids and a restart does not re-emit what was already written.
 */
export const DEDUPE_PREFIX = "dedupe.";

export class DedupeWindow {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;
  private readonly segments: Array<{ key: string; count: number }> = [];
  private nextSeq = 1;

  constructor(private readonly capacity: number) {}

  /** Rebuilds the window from stored segments, oldest first. */
  load(state: Readonly<Record<string, string>>): void {
    const keys = Object.keys(state)
      .filter((k) => k.startsWith(DEDUPE_PREFIX))
      .sort();
    for (const key of keys) {
      const ids = parseIds(state[key]);
      for (const id of ids) this.remember(id);
      this.segments.push({ key, count: ids.length });
      this.nextSeq = Math.max(this.nextSeq, Number(key.slice(DEDUPE_PREFIX.length)) + 1);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers an id just emitted; returns false when it was already known. */
  add(id: string): boolean {
    return this.remember(id);
  }

  /** State changes persisting `newIds` as one segment and dropping segments beyond capacity. */
  commitChanges(newIds: readonly string[]): Record<string, string | null> {
    if (newIds.length === 0) return {};
    const key = `${DEDUPE_PREFIX}${String(this.nextSeq++).padStart(10, "0")}`;
    const changes: Record<string, string | null> = { [key]: JSON.stringify(newIds) };
    this.segments.push({ key, count: newIds.length });
    let total = this.segments.reduce((sum, s) => sum + s.count, 0);
    while (this.segments.length > 1 && total - (this.segments[0]?.count ?? 0) >= this.capacity) {
      const oldest = this.segments.shift();
      if (!oldest) break;
      total -= oldest.count;
      changes[oldest.key] = null;
    }
    return changes;
  }

  /** One hash lookup per id: the set's size tells whether `add` found it already there. */
  private remember(id: string): boolean {
    const size = this.ids.size;
    this.ids.add(id);
    if (this.ids.size === size) return false;
    this.order.push(id);
    if (this.order.length - this.head > this.capacity) {
      const evicted = this.order[this.head++];
      if (evicted !== undefined) this.ids.delete(evicted);
      if (this.head > 4096 && this.head * 2 > this.order.length) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
    return true;
  }
}

function parseIds(text: string | undefined): string[] {
  try {
    const value: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
