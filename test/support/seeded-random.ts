/**
 * A small seeded pseudo-random generator (mulberry32), so mock vendor data is the same on every run.
 * Not for cryptography: it only has to be deterministic and well spread.
 */

/** A deterministic source of numbers in [0, 1) plus the few helpers the mocks need. */
export interface SeededRandom {
  /** Next float in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
  /** `length` characters from `[A-Za-z0-9]`, shaped like Okta request and transaction ids. */
  token(length: number): string;
}

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Creates a generator; the same seed always yields the same sequence. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error("seededRandom.pick: empty list");
    return item;
  };
  const fromAlphabet = (alphabet: string, length: number): string => {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet.charAt(int(0, alphabet.length - 1));
    return out;
  };
  return {
    next,
    int,
    pick,
    hex: (length) => fromAlphabet("0123456789abcdef", length),
    token: (length) => fromAlphabet(TOKEN_ALPHABET, length),
  };
}
