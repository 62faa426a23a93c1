import type { JsonValue } from "../../runtime/spec.ts";
import { defineOwn } from "../ast/to-value.ts";

/**
 * `$$` → `$` for fields the runtime does not expand, so `$$` means a literal `$` in every
 * field. Left to right and non-overlapping, exactly like the runtime's template regex.
 */
export function unescapeDollars(text: string): string {
  return text.replace(/\$\$/g, "$");
}

/** {@link unescapeDollars} for an optional field. */
export function literal(text: string | undefined): string | undefined {
  return text === undefined ? undefined : unescapeDollars(text);
}

/** A query parameter value as sent: numbers in plain decimal, never exponent notation. */
export function queryValue(value: string | number): string {
  if (typeof value === "string") return value;
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

/**
 * Copies a name → value map (headers, query parameters) in key order, converting values. The
 * runtime expands values but never names, so a name's `$$` becomes `$` here; `__proto__` stays
 * an ordinary key.
 */
export function mapValues<T>(
  source: Readonly<Record<string, T>> | undefined,
  convert: (value: T) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source ?? {}))
    defineOwn(out, unescapeDollars(key), convert(value));
  return out;
}

/**
 * A request body for the IR: values stay templates (the runtime expands them), object keys are
 * never expanded, so their `$$` becomes `$` here.
 */
export function bodyTemplate(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(bodyTemplate);
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) defineOwn(out, unescapeDollars(key), bodyTemplate(item));
  return out;
}

/**
 * `{ [key]: value }` when the value is defined, else `{}`: spread it into an IR object so
 * optional fields are absent rather than `undefined` (exactOptionalPropertyTypes).
 */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A value the semantic checks guarantee; reaching undefined here is a helrc bug. */
export function required<V>(value: V | undefined, what: string): V {
  if (value === undefined) throw new Error(`${what} is missing after validation`);
  return value;
}
