import { RecentIds } from "./recent-ids.ts";

/**
 * The most recent event ids of a source, bounded by capacity and persisted in the state store
 * as segments (`dedupe.00000001` = JSON array of the ids first written by one checkpoint), so a
 * checkpoint writes only its new ids and a restart does not re-emit what was already written.
 */
export const DEDUPE_PREFIX = "dedupe.";

export class DedupeWindow {
  private ids: RecentIds;
  private segments: Array<{ key: string; count: number }> = [];
  private nextSeq = 1;

  constructor(private readonly capacity: number) {
    this.ids = new RecentIds(capacity);
  }

  /**
   * Replaces the window with the stored segments, oldest first: whatever it held before (ids,
   * segments, the next segment number) is dropped, so loading again after another replica
   * committed gives exactly the stored window.
   */
  load(state: Readonly<Record<string, string>>): void {
    this.ids = new RecentIds(this.capacity);
    this.segments = [];
    this.nextSeq = 1;
    const keys = Object.keys(state)
      .filter((k) => k.startsWith(DEDUPE_PREFIX))
      .sort();
    for (const key of keys) {
      const ids = parseIds(state[key]);
      for (const id of ids) this.ids.add(id);
      this.segments.push({ key, count: ids.length });
      this.nextSeq = Math.max(this.nextSeq, Number(key.slice(DEDUPE_PREFIX.length)) + 1);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers an id just emitted; returns false when it was already known. */
  add(id: string): boolean {
    return this.ids.add(id);
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
}

function parseIds(text: string | undefined): string[] {
  try {
    const value: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
