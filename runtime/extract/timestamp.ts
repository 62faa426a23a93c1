import { getPath } from "./path.ts";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The envelope `ts` of an event as RFC 3339, from the first of `fields` that holds a time (the
 * source's `transform.timeFields`): an RFC 3339 string is kept as sent (so sub-millisecond
 * precision survives); epoch numbers (seconds, or milliseconds when larger than 1e11) and other
 * parseable strings are converted; when none does, `now`.
 */
export function eventTime(event: unknown, fields: readonly string[], now: () => Date): string {
  for (const name of fields) {
    const normalised = normaliseTime(getPath(event, name));
    if (normalised !== undefined) return normalised;
  }
  return now().toISOString();
}

/** RFC 3339 text for a timestamp value, or undefined when it is not one. */
export function normaliseTime(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return fromEpoch(value);
  if (typeof value !== "string" || value === "") return undefined;
  if (RFC3339.test(value)) return value;
  if (/^\d+(\.\d+)?$/.test(value)) return fromEpoch(Number(value));
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

function fromEpoch(value: number): string | undefined {
  const ms = Math.abs(value) > 1e11 ? value : value * 1000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
