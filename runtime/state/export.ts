import { StateError, type StateStore } from "./store.ts";

/** Every source's state: `{ source: { key: value } }`, the `helr state export` format. */
export type StateDocument = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Reads all state, sources in the store's order (sorted), keys sorted. */
export async function exportState(store: StateStore): Promise<StateDocument> {
  const out: Record<string, Readonly<Record<string, string>>> = {};
  for (const sourceId of await store.listSources()) {
    // defineProperty: a source named `__proto__` stays an ordinary key.
    Object.defineProperty(out, sourceId, {
      value: await store.read(sourceId),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Parses and checks an export document before anything is written.
 *
 * @throws StateError `HELR_STATE_IMPORT` naming the offending source and key.
 */
export function parseStateDocument(text: string, origin: string): StateDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw importError(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) {
    throw importError(`${origin}: expected an object {"<source>": {"<key>": "<value>"}}, got ${kind(value)}`);
  }
  for (const [sourceId, keys] of Object.entries(value)) {
    const where = `${origin}: source ${JSON.stringify(sourceId)}`;
    if (sourceId === "") throw importError(`${origin}: a source id is empty`);
    if (!isObject(keys))
      throw importError(`${where}: expected an object of string values, got ${kind(keys)}`);
    for (const [key, entry] of Object.entries(keys)) {
      if (typeof entry !== "string") {
        throw importError(`${where}, key ${JSON.stringify(key)}: value must be a string, got ${kind(entry)}`);
      }
    }
  }
  return value as StateDocument;
}

/**
 * Upserts a document: keys not in it are kept (as the Rust Helr does). Each source is one
 * atomic commit.
 */
export async function importState(
  store: StateStore,
  document: StateDocument,
): Promise<{ sources: number; keys: number }> {
  let keys = 0;
  const entries = Object.entries(document);
  for (const [sourceId, values] of entries) {
    const count = Object.keys(values).length;
    if (count === 0) continue;
    await store.commit(sourceId, values);
    keys += count;
  }
  return { sources: entries.length, keys };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function importError(message: string): StateError {
  return new StateError("HELR_STATE_IMPORT", `state import: ${message}`);
}
