import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DedupeWindow } from "../../runtime/engine/dedupe.ts";
import { RecentIds } from "../../runtime/engine/recent-ids.ts";

/**
 * The dedupe window's hashed id set must behave exactly like the obvious model: a Set of the
 * last `capacity` distinct ids, oldest evicted first. Small capacities and id alphabets force
 * evictions, table growth, long probe runs and the backward-shift deletion in every shape.
 */
class Model {
  readonly ids: string[] = [];
  constructor(readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.includes(id);
  }
  add(id: string): boolean {
    if (this.has(id)) return false;
    if (this.ids.length === this.capacity) this.ids.shift();
    this.ids.push(id);
    return true;
  }
}

describe("RecentIds", () => {
  it("matches a Set of the last `capacity` distinct ids", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4000 })), { maxLength: 6000 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (capacity, ops, seed) => {
          const real = new RecentIds(capacity, seed);
          const model = new Model(capacity);
          for (const [add, n] of ops) {
            const id = `id-${n}`;
            if (add) expect(real.add(id)).toBe(model.add(id));
            else expect(real.has(id)).toBe(model.has(id));
          }
          expect(real.size).toBe(model.ids.length);
          for (let n = 0; n <= 4000; n++) expect(real.has(`id-${n}`)).toBe(model.has(`id-${n}`));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps a long stream bounded and exact (100,000 ids through a window of 5,000)", () => {
    const real = new RecentIds(5000);
    for (let n = 0; n < 100_000; n++) expect(real.add(`${n}`)).toBe(true);
    expect(real.size).toBe(5000);
    for (let n = 94_000; n < 95_000; n++) expect(real.has(`${n}`)).toBe(false);
    for (let n = 95_000; n < 100_000; n++) expect(real.has(`${n}`)).toBe(true);
  });

  it("tells ids apart that differ in one code unit, length or surrogate half", () => {
    const ids = ["a", "b", "ab", "ba", "", "\u0000", "\ud83d\ude00", "\ud83d", "\ude00", "a\u0000"];
    const real = new RecentIds(100);
    for (const id of ids) expect(real.add(id)).toBe(true);
    for (const id of ids) expect(real.add(id)).toBe(false);
  });

  it("a restored window remembers what was committed, and only the newest `capacity` ids", () => {
    const first = new DedupeWindow(3);
    for (const id of ["a", "b", "c", "d"]) first.add(id);
    const state = Object.fromEntries(
      Object.entries({ ...first.commitChanges(["a", "b"]), ...first.commitChanges(["c", "d"]) }).filter(
        (entry): entry is [string, string] => entry[1] !== null,
      ),
    );
    const restored = new DedupeWindow(3);
    restored.load(state);
    expect(["b", "c", "d"].map((id) => restored.has(id))).toEqual([true, true, true]);
    expect(restored.has("a")).toBe(false);
  });
});
