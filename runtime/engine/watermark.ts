import { normaliseTime } from "../extract/timestamp.ts";
import type { TimeFormat, WatermarkSpec } from "../spec.ts";

/**
 * High-water marks compare as time when both values are timestamps (RFC 3339 with any offset,
 * epoch seconds or milliseconds), as numbers when both are numbers, and as text only as a last
 * resort — never "9" > "10".
 */
export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareMarks(a, b) >= 0 ? a : b;
}

/** Negative when a < b, positive when a > b. */
export function compareMarks(a: string, b: string): number {
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  const ta = timeMs(a);
  const tb = timeMs(b);
  if (ta !== undefined && tb !== undefined && ta !== tb) return ta - tb;
  if (ta !== undefined && tb !== undefined) return subMillis(a) - subMillis(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The mark of one event: its value at the watermark path as text (numbers as digits). */
export function markOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  return undefined;
}

/** The value to send for a stored mark: as received (`raw`) or reformatted, minus the overlap. */
export function markParam(mark: string, spec: WatermarkSpec): string {
  if (spec.format === "raw" && spec.overlapSecs === 0) return mark;
  const ms = timeMs(mark);
  if (ms === undefined) return mark;
  const shifted = new Date(ms - spec.overlapSecs * 1000);
  if (spec.format === "raw")
    return /^-?\d+(\.\d+)?$/.test(mark) ? rawEpochLike(mark, shifted) : shifted.toISOString();
  return formatTime(shifted, spec.format);
}

/** Writes a time for a request parameter. */
export function formatTime(date: Date, format: TimeFormat): string {
  switch (format) {
    case "unix":
      return String(Math.floor(date.getTime() / 1000));
    case "unix_ms":
      return String(date.getTime());
    case "iso8601":
    case "rfc3339":
      return date.toISOString().replace(/\.000Z$/, "Z");
  }
}

/** Epoch ms of a timestamp mark (RFC 3339, epoch seconds or milliseconds); undefined when it is not one. */
export function timeMs(value: string): number | undefined {
  const text = normaliseTime(/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Digits after the milliseconds (RFC 3339 allows nanoseconds), so equal-ms marks still order. */
function subMillis(value: string): number {
  const match = /\.\d{3}(\d+)/.exec(value);
  return match?.[1] ? Number(`0.${match[1]}`) : 0;
}

function rawEpochLike(mark: string, shifted: Date): string {
  const ms = Math.abs(Number(mark)) > 1e11;
  return String(ms ? shifted.getTime() : Math.floor(shifted.getTime() / 1000));
}
