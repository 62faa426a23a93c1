import { HelrError } from "../errors/helr-error.ts";
import type { EventText } from "../output/line-buffer.ts";
import { arrayElementRanges, objectMemberStart, skipSpace, skipValue } from "./json-scan.ts";
import { getPath } from "./path.ts";

/** One event: its parsed value (for ids and times) and its exact text (for output). */
export interface ExtractedEvent extends EventText {
  /**
   * The parsed event; from the byte path (`extractFromBytes`), only the requested top-level members of it
   * (reading any other path gives undefined).
   */
  readonly value: unknown;
  /** The event's JSON text as received, on one line. */
  readonly raw: string;
  /** Set by a parseResponse hook: the line's `ts`, `meta.id` (also the dedupe key) and label value. */
  readonly chosen?: { readonly ts?: string; readonly id?: string; readonly label?: string };
}

/** A page's events in order; the byte path makes each one only when it is reached. */
export interface EventList extends Iterable<ExtractedEvent> {
  readonly length: number;
}

export interface Extraction {
  readonly events: EventList;
  /** The parsed document, for paginators that read cursors from it. */
  readonly document: unknown;
  /** The JSON type of the whole body: only an object or an array can hold events. */
  readonly root: "object" | "array" | "other";
  /** An events array was found (false: an object without one, an empty page or an error report). */
  readonly found: boolean;
  /** The root object's members named in `topKeys`, parsed (empty when the root is not an object). */
  readonly top: Readonly<Record<string, unknown>>;
  /** Set when an object held arrays but none where events were looked for: zero events, never one bogus event. */
  readonly warning?: string;
}

/** Where the events are: the source's `extract` settings, plus the root members the response rules read. */
export interface ExtractOptions {
  readonly eventsPath?: string | undefined;
  readonly eventObjectPath?: string | undefined;
  /** Object members searched in order when `eventsPath` is absent. */
  readonly eventKeys: readonly string[];
  /** Root-object members to report in {@link Extraction.top}. */
  readonly topKeys?: readonly string[];
}

/** The body is not JSON, or the configured events path is not an array. */
export class ParseError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_PARSE", message, options);
  }
}

/**
 * Finds the events in a response body: the array at `eventsPath`, else a top-level array, else
 * the first of `eventKeys` whose value is an array. With `eventObjectPath`, each element is
 * replaced by the object at that path (elements without it are skipped).
 */
export function extractEvents(
  body: string,
  options: ExtractOptions,
): Extraction & { readonly events: readonly ExtractedEvent[] } {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new ParseError(`response is not valid JSON: ${(error as Error).message}`);
  }
  const root = Array.isArray(document)
    ? "array"
    : document !== null && typeof document === "object"
      ? "object"
      : "other";
  const top = root === "object" ? pick(document as Record<string, unknown>, options.topKeys ?? []) : {};
  const base = { document, root, top } as const;
  const start = skipSpace(body, 0);
  const located = locate(document, body, start, options);
  if (located === undefined) {
    // Google APIs leave an empty array out entirely (`{"kind": …, "etag": …}`): an object with no
    // array anywhere at its top level is an empty page, not a misconfiguration worth a warning.
    if (root !== "object" || !hasTopLevelArray(document)) return { ...base, found: false, events: [] };
    return {
      ...base,
      found: false,
      events: [],
      warning: `response has no events array (looked for a top-level array and the keys ${options.eventKeys.join(", ")}); set response_events_path`,
    };
  }
  if (located.values.length === 0) return { ...base, found: located.found, events: [] };
  let events = pair(located.values, body, located.start);
  if (options.eventObjectPath !== undefined) events = unwrap(events, options.eventObjectPath);
  return { ...base, found: true, events };
}

function pick(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(object, key)) out[key] = object[key];
  return out;
}

function locate(
  document: unknown,
  body: string,
  root: number,
  options: ExtractOptions,
): { values: unknown[]; start: number; found: boolean } | undefined {
  const path = options.eventsPath;
  if (path !== undefined) {
    const values = getPath(document, path);
    // An absent events key is an empty page (Google omits empty arrays); a non-array is an error.
    if (values === undefined) return { values: [], start: root, found: false };
    if (!Array.isArray(values)) throw new ParseError(`events path "${path}" is not an array in the response`);
    const start = rawPath(body, root, path.split("."));
    if (start === undefined) throw new ParseError(`events path "${path}" not found in the response text`);
    return { values, start, found: true };
  }
  if (Array.isArray(document)) return { values: document, start: root, found: true };
  if (document === null || typeof document !== "object") return undefined;
  for (const key of options.eventKeys) {
    const value = (document as Record<string, unknown>)[key];
    if (!Array.isArray(value)) continue;
    const start = objectMemberStart(body, root, key);
    if (start !== undefined) return { values: value, start, found: true };
  }
  return undefined;
}

/** Offset of the value at a dotted object path inside the text of the value at `start`. */
function rawPath(text: string, start: number, parts: readonly string[]): number | undefined {
  let at: number | undefined = start;
  for (const part of parts) {
    if (at === undefined || text.charCodeAt(at) !== 123) return undefined;
    at = objectMemberStart(text, at, part);
  }
  return at;
}

function pair(values: readonly unknown[], body: string, arrayStart: number): ExtractedEvent[] {
  const ranges = arrayElementRanges(body, arrayStart);
  return values.map((value, index) => {
    const range = ranges[index];
    const raw = range ? body.slice(range[0], range[1]) : JSON.stringify(value);
    return { value, raw: oneLine(raw) };
  });
}

function unwrap(events: readonly ExtractedEvent[], path: string): ExtractedEvent[] {
  const out: ExtractedEvent[] = [];
  for (const event of events) {
    const value = getPath(event.value, path);
    if (value === undefined) continue;
    const start = rawPath(event.raw, 0, path.split("."));
    const raw =
      start !== undefined ? event.raw.slice(start, skipValue(event.raw, start)) : JSON.stringify(value);
    out.push({ value, raw });
  }
  return out;
}

/** Raw CR/LF in valid JSON can only be whitespace between tokens, so dropping them is safe. */
function oneLine(raw: string): string {
  return raw.includes("\n") || raw.includes("\r") ? raw.replace(/[\r\n]+/g, "") : raw;
}

function hasTopLevelArray(document: unknown): boolean {
  if (document === null || typeof document !== "object") return false;
  return Object.values(document).some((value) => Array.isArray(value));
}
