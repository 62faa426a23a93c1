import { randomBytes } from "node:crypto";

/**
 * The dedupe window's memory: the last `capacity` distinct ids, oldest evicted first, kept as
 * 64-bit keyed hashes in typed arrays instead of as strings in a `Set`. An id then costs about
 * 24 bytes (hash-table slot at ≤ 50 % load, plus its place in the eviction ring) instead of
 * about 100, and nothing per id is left for the garbage collector to trace.
 *
 * Two ids are confused only if their hashes collide: with a 64-bit hash keyed by a random seed
 * per process, the chance that any of a million events is wrongly taken for one of 100,000
 * remembered ids is about 10⁶ × 10⁵ / 2⁶⁴ ≈ 5 × 10⁻⁹, and a seed an attacker cannot see means no
 * vendor-side id can be crafted to shadow another.
 */
export class RecentIds {
  readonly #capacity: number;
  /** Open addressing, linear probing: slot i holds (hi, lo) at [2i, 2i+1]; (0, 0) is empty. */
  #table = new Uint32Array(2 * 1024);
  #mask = 1023;
  /** Insertion order for eviction: a ring of (hi, lo). */
  #ring = new Uint32Array(2 * 1024);
  #oldest = 0;
  #size = 0;
  readonly #seed1: number;
  readonly #seed2: number;
  #lastId: string | undefined;
  /** The hash of `#lastId`. */
  #hi = 0;
  #lo = 0;

  constructor(capacity: number, seed: Uint8Array = randomBytes(8)) {
    this.#capacity = Math.max(1, capacity);
    const view = new DataView(seed.buffer, seed.byteOffset, 8);
    this.#seed1 = view.getUint32(0);
    this.#seed2 = view.getUint32(4);
  }

  get size(): number {
    return this.#size;
  }

  has(id: string): boolean {
    this.#hash(id);
    return this.#find(this.#hi, this.#lo) >= 0;
  }

  /** Remembers `id` as the newest; false when it was already remembered (then nothing changes). */
  add(id: string): boolean {
    this.#hash(id);
    const hi = this.#hi;
    const lo = this.#lo;
    if (this.#find(hi, lo) >= 0) return false;
    if (this.#size === this.#capacity) this.#evictOldest();
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#growTable();
    if (this.#size === this.#ring.length / 2) this.#growRing();
    this.#insert(hi, lo);
    const at = ((this.#oldest + this.#size) % (this.#ring.length / 2)) * 2;
    this.#ring[at] = hi;
    this.#ring[at + 1] = lo;
    this.#size++;
    return true;
  }

  /** Sets `#hi`/`#lo` to the hash of `id`: two 32-bit multiply-rotate lanes over the UTF-16 code units, finalised. */
  #hash(id: string): void {
    // The engine asks `has(id)` and then `add(id)` for the same id: hash it once.
    if (id === this.#lastId) return;
    this.#lastId = id;
    let h1 = this.#seed1 ^ id.length;
    let h2 = this.#seed2 ^ Math.imul(id.length, 0x9e3779b1);
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0xcc9e2d51);
      h1 = (h1 << 15) | (h1 >>> 17);
      h2 = Math.imul(h2 ^ c, 0x1b873593);
      h2 = (h2 << 13) | (h2 >>> 19);
    }
    h1 = fmix(h1 ^ h2);
    h2 = fmix(h2 ^ h1);
    // (0, 0) marks an empty slot; a hash that is all zero becomes (0, 1).
    this.#hi = h1 >>> 0;
    this.#lo = (h2 | (h1 === 0 ? 1 : 0)) >>> 0;
  }

  /** Slot of (hi, lo), or -1. */
  #find(hi: number, lo: number): number {
    const table = this.#table;
    const mask = this.#mask;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const h = table[2 * i] as number;
      const l = table[2 * i + 1] as number;
      if (h === hi && l === lo) return i;
      if (h === 0 && l === 0) return -1;
    }
  }

  #insert(hi: number, lo: number): void {
    const table = this.#table;
    const mask = this.#mask;
    let i = lo & mask;
    while (table[2 * i] !== 0 || table[2 * i + 1] !== 0) i = (i + 1) & mask;
    table[2 * i] = hi;
    table[2 * i + 1] = lo;
  }

  #evictOldest(): void {
    const at = this.#oldest * 2;
    this.#remove(this.#ring[at] as number, this.#ring[at + 1] as number);
    this.#oldest = (this.#oldest + 1) % (this.#ring.length / 2);
    this.#size--;
  }

  /** Backward-shift deletion: later entries of the probe run move up, so no tombstones are needed. */
  #remove(hi: number, lo: number): void {
    const table = this.#table;
    const mask = this.#mask;
    let hole = this.#find(hi, lo);
    if (hole < 0) return;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const h = table[2 * j] as number;
      const l = table[2 * j + 1] as number;
      if (h === 0 && l === 0) break;
      const home = l & mask;
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (between) continue;
      table[2 * hole] = h;
      table[2 * hole + 1] = l;
      hole = j;
    }
    table[2 * hole] = 0;
    table[2 * hole + 1] = 0;
  }

  #growTable(): void {
    const old = this.#table;
    this.#table = new Uint32Array(old.length * 2);
    this.#mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i] as number;
      const l = old[i + 1] as number;
      if (h !== 0 || l !== 0) this.#insert(h, l);
    }
  }

  /** Doubles the ring (never beyond capacity), unrolling it so the oldest entry comes first. */
  #growRing(): void {
    const slots = this.#ring.length / 2;
    const grown = new Uint32Array(2 * Math.min(this.#capacity, slots * 2));
    for (let k = 0; k < this.#size; k++) {
      const from = ((this.#oldest + k) % slots) * 2;
      grown[2 * k] = this.#ring[from] as number;
      grown[2 * k + 1] = this.#ring[from + 1] as number;
    }
    this.#ring = grown;
    this.#oldest = 0;
  }
}

/** murmur3's 32-bit finaliser. */
function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
