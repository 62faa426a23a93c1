/**
 * Durations (`30s`) and sizes (`10MB`): reading and writing them, and which keys take them.
 *
 * A duration goes to a key ending in `_secs` (stored in seconds) or `_ms` (milliseconds); a
 * size to a key ending in `_bytes`. The suffix may be left out — `timeout = 30s` is
 * `timeout_secs: 30` — when the config shape has such a key somewhere. The set of unit keys is
 * read from the shape (compiler/config-shape/), so a key added there works in `.helr` with no
 * change here.
 */
import { everyKeyName } from "../../config-shape/walk.ts";

/** What a unit literal measures. */
export type UnitKind = "duration" | "size";

/** Milliseconds per duration unit. */
const DURATION_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Bytes per size unit. */
const SIZE_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/** Key suffixes by the kind of literal they take, in the order the suffix is tried. */
const SUFFIXES: Readonly<Record<UnitKind, readonly string[]>> = {
  duration: ["_secs", "_ms"],
  size: ["_bytes"],
};

/** Every key of the config shape that takes a unit literal. */
const UNIT_KEYS: ReadonlySet<string> = new Set(
  [...everyKeyName()].filter((name) => suffixOf(name) !== undefined),
);

function suffixOf(key: string): { kind: UnitKind; suffix: string } | undefined {
  for (const kind of ["duration", "size"] as const) {
    const suffix = SUFFIXES[kind].find((s) => key.endsWith(s) && key.length > s.length);
    if (suffix !== undefined) return { kind, suffix };
  }
  return undefined;
}

/** The kind of literal a key takes by its suffix (`_secs`, `_ms`, `_bytes`), if any. */
export function unitKindOfKey(key: string): UnitKind | undefined {
  return suffixOf(key)?.kind;
}

/**
 * The key a unit literal written after `key` is stored under, or undefined when `key` takes
 * no such literal. Keys that already end in a matching suffix are kept; others get the first
 * suffix that names a schema key (`timeout` → `timeout_secs`, `batch_timeout` → `batch_timeout_ms`).
 */
export function unitKey(key: string, kind: UnitKind): string | undefined {
  const own = suffixOf(key);
  if (own !== undefined) return own.kind === kind ? key : undefined;
  return SUFFIXES[kind].map((suffix) => key + suffix).find((candidate) => UNIT_KEYS.has(candidate));
}

/** The shortest way to write `key` before a unit literal: without its suffix when that reads back. */
export function shortUnitKey(key: string, kind: UnitKind): string {
  const own = suffixOf(key);
  if (own === undefined || own.kind !== kind) return key;
  const stem = key.slice(0, -own.suffix.length);
  return unitKey(stem, kind) === key ? stem : key;
}

/** Splits `1.5h` into its number and unit. */
function split(image: string): { amount: number; unit: string } {
  const match = /^(\d+(?:\.\d+)?)(.*)$/.exec(image);
  return { amount: Number(match?.[1] ?? Number.NaN), unit: match?.[2] ?? "" };
}

/** The value of a duration literal for `key` (seconds for `_secs`, milliseconds for `_ms`). */
export function durationValue(image: string, key: string): number {
  const { amount, unit } = split(image);
  const ms = DURATION_MS[unit] ?? Number.NaN;
  if (key.endsWith("_ms")) return amount * ms;
  // Whole-second units multiply by an integer, so `30s` is exactly 30 and `1.5h` exactly 5400.
  return ms >= 1000 ? amount * (ms / 1000) : amount / 1000;
}

/** The number of bytes a size literal stands for. */
export function sizeValue(image: string): number {
  const { amount, unit } = split(image);
  return amount * (SIZE_BYTES[unit] ?? Number.NaN);
}

/**
 * Writes a number of seconds (or milliseconds, for a `_ms` key) as a duration literal in the
 * largest unit that divides it, or undefined when no literal reads back as exactly `value`.
 */
export function formatDuration(value: number, key: string): string | undefined {
  // -0 has no unit literal (`0s` reads back as +0): it stays a plain number.
  if (!Number.isFinite(value) || value < 0 || Object.is(value, -0)) return undefined;
  if (value === 0) return key.endsWith("_ms") ? "0ms" : "0s";
  const valueMs = key.endsWith("_ms") ? value : value * 1000;
  const candidates = ["d", "h", "m", "s", "ms"].map((unit) => {
    const amount = valueMs / (DURATION_MS[unit] ?? 1);
    return Number.isInteger(amount) ? `${amount}${unit}` : undefined;
  });
  candidates.push(key.endsWith("_ms") ? `${value}ms` : `${value}s`);
  return candidates.find(
    (text) => text !== undefined && /^\d+(?:\.\d+)?[a-z]+$/.test(text) && durationValue(text, key) === value,
  );
}

/** Writes a byte count as a size literal with the smallest whole amount, or undefined. */
export function formatSize(value: number): string | undefined {
  if (!Number.isSafeInteger(value) || value < 0 || Object.is(value, -0)) return undefined;
  let best: string | undefined;
  let bestAmount = Number.POSITIVE_INFINITY;
  for (const [unit, bytes] of Object.entries(SIZE_BYTES)) {
    const amount = value / bytes;
    if (Number.isInteger(amount) && amount < bestAmount) {
      best = `${amount}${unit}`;
      bestAmount = amount;
    }
  }
  return best !== undefined && sizeValue(best) === value ? best : undefined;
}
