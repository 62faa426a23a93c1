import { StateError } from "./store.ts";

const NAMESPACE = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/**
 * Checks a store namespace (it becomes part of a table name and a key prefix, so it is
 * restricted to letters, digits and `_`).
 */
export function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) {
    throw new StateError(
      "HELR_STATE_CONFIG",
      `state namespace ${JSON.stringify(namespace)} must be 1–40 letters, digits or _ and not start with a digit`,
    );
  }
  return namespace;
}

/**
 * Source ids in one order for every backend: by Unicode code point, which is also SQLite's
 * and PostgreSQL's `COLLATE "C"` byte order for UTF-8 (plain `sort()` compares UTF-16 units).
 */
export function sortIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareCodePoints);
}

/** Compares two strings by Unicode code point. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** A record built from sorted entries (own properties only, so `__proto__` stays a key). */
export function sortedRecord(entries: Iterable<readonly [string, string]>): Record<string, string> {
  return Object.fromEntries([...entries].sort(([a], [b]) => compareCodePoints(a, b)));
}

/** Escapes the glob characters of Redis `SCAN MATCH`, so a prefix matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
