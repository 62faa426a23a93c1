import { defineOwn } from "../ast/to-value.ts";

/**
 * `$$` → `$` for fields the runtime does not expand, so `$$` means a literal `$` in every
 * field. Left to right and non-overlapping, exactly like the runtime's template regex.
 */
export function unescapeDollars(text: string): string {
  return text.replace(/\$\$/g, "$");
}

/** A query parameter value as sent: numbers in plain decimal, never exponent notation. */
export function queryValue(value: string | number): string {
  if (typeof value === "string") return value;
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

/** Copies a string map in key order, converting values; `__proto__` stays an ordinary key. */
export function mapValues<T>(
  source: Readonly<Record<string, T>> | undefined,
  convert: (value: T) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source ?? {})) defineOwn(out, key, convert(value));
  return out;
}
