/**
 * Small pure helpers shared by the mocks: opaque page tokens, RFC 3339 times, vendor-shaped ids.
 */
import type { SeededRandom } from "../seeded-random.ts";

/** The default time of the first generated event, shared by all mocks. */
export const DEFAULT_START = "2024-05-21T13:00:00.000Z";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of a strict RFC 3339 date-time, or undefined when the text is not one. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch ms from an option that may be an ISO string. */
export function toEpochMs(value: number | string): number {
  return typeof value === "number" ? value : Date.parse(value);
}

/** `2024-05-21T13:04:57Z`: RFC 3339 without fractional seconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An opaque token: base64url of JSON. Mocks use it for cursors so any state can travel in one string. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Decodes {@link encodeToken} output when it passes `guard`; undefined for anything else. */
export function decodeToken<T>(text: string, guard: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    return guard(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Lowercase RFC 4122-looking id. */
export function uuid(r: SeededRandom): string {
  return `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(["8", "9", "a", "b"])}${r.hex(3)}-${r.hex(12)}`;
}

/** `length` characters of RFC 4648 base32, uppercase: the shape of 1Password ids. */
export function base32(r: SeededRandom, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet.charAt(r.int(0, 31));
  return out;
}

/** `length` decimal digits, the first one non-zero. */
export function digits(r: SeededRandom, length: number): string {
  let out = String(r.int(1, 9));
  for (let i = 1; i < length; i++) out += String(r.int(0, 9));
  return out;
}

/** `length` characters of `[A-Za-z0-9_-]`, like GitHub `_document_id` values. */
export function base64urlId(r: SeededRandom, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet.charAt(r.int(0, 63));
  return out;
}

/** A JSON-safe integer in [min, max] from a query parameter, or undefined when it is not one. */
export function intParam(text: string, min: number, max: number): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}
