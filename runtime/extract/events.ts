import { arrayElementRanges, objectMemberStart, skipSpace, skipValue } from "./json-scan.ts";
import { getPath } from "./path.ts";

/** Object keys searched, in this order, when the response is an object. */
export const DEFAULT_EVENT_KEYS = ["items", "data", "events", "logs", "entries"] as const;

/** One event: its parsed value (for ids and times) and its exact text (for output). */
export interface ExtractedEvent {
  /**
   * The parsed event; from the byte path (`extractFromBytes`), only the requested top-level members of it
   * (reading any other path gives undefined).
   */
  readonly value: unknown;
  /** The event's JSON text as received, on one line. */
  readonly raw: string;
}

/** A page's events in order; the byte path makes each one only when it is reached. */
export interface EventList extends Iterable<ExtractedEvent> {
  readonly length: number;
}

export interface Extraction {
  readonly events: EventList;
  /** The parsed document, for paginators that read cursors from it. */
  readonly document: unknown;
  /** Set when the response held no events array: zero events, never one bogus event. */
  readonly warning?: string;
  /**
   * What to check for an API error in a 200 body when `document` is parsed lazily: the
   * document's top-level `ok` and `error` members, or null when the document is not an object.
   * Absent: check `document` itself.
   */
  readonly apiStatus?: Readonly<Record<string, unknown>> | null;
}

export interface ExtractOptions {
  readonly eventsPath?: string;
  readonly eventObjectPath?: string;
}

/** The body is not JSON, or the configured events path is not an array. */
export class ParseError extends Error {
  readonly code = "HELR_PARSE";
}

/**
 * Finds the events in a response body: the array at `eventsPath`, else a top-level array, else
 * the first of {@link DEFAULT_EVENT_KEYS} whose value is an array. With `eventObjectPath`, each
 * element is replaced by the object at that path (elements without it are skipped).
 */
export function extractEvents(
  body: string,
  options: ExtractOptions = {},
): Extraction & { readonly events: readonly ExtractedEvent[] } {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new ParseError(`response is not valid JSON: ${(error as Error).message}`);
  }
  const root = skipSpace(body, 0);
  const located = locate(document, body, root, options.eventsPath);
  if (located === undefined) {
    // Google APIs leave an empty array out entirely (`{"kind": …, "etag": …}`): an object with no
    // array anywhere at its top level is an empty page, not a misconfiguration worth a warning.
    if (!hasTopLevelArray(document)) return { document, events: [] };
    return {
      document,
      events: [],
      warning: `response has no events array (looked for a top-level array and the keys ${DEFAULT_EVENT_KEYS.join(", ")}); set response_events_path`,
    };
  }
  if (located.values.length === 0) return { document, events: [] };
  let events = pair(located.values, body, located.start);
  if (options.eventObjectPath !== undefined) events = unwrap(events, options.eventObjectPath);
  return { document, events };
}

function locate(
  document: unknown,
  body: string,
  root: number,
  path: string | undefined,
): { values: unknown[]; start: number } | undefined {
  if (path !== undefined) {
    const values = getPath(document, path);
    // An absent events key is an empty page (Google omits empty arrays); a non-array is an error.
    if (values === undefined) return { values: [], start: root };
    if (!Array.isArray(values)) throw new ParseError(`events path "${path}" is not an array in the response`);
    const start = rawPath(body, root, path.split("."));
    if (start === undefined) throw new ParseError(`events path "${path}" not found in the response text`);
    return { values, start };
  }
  if (Array.isArray(document)) return { values: document, start: root };
  if (document === null || typeof document !== "object") return undefined;
  for (const key of DEFAULT_EVENT_KEYS) {
    const value = (document as Record<string, unknown>)[key];
    if (!Array.isArray(value)) continue;
    const start = objectMemberStart(body, root, key);
    if (start !== undefined) return { values: value, start };
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
