import { arrayElementRanges, objectMemberStart, skipSpace } from "./json-scan.ts";

/** Object keys searched, in this order, when the response is an object. */
export const DEFAULT_EVENT_KEYS = ["items", "data", "events", "logs", "entries"] as const;

/** One event: its parsed value (for ids and times) and its exact text (for output). */
export interface ExtractedEvent {
  readonly value: unknown;
  /** The event's JSON text as received, on one line. */
  readonly raw: string;
}

export interface Extraction {
  readonly events: readonly ExtractedEvent[];
  /** The parsed document, for paginators that read cursors from it. */
  readonly document: unknown;
  /** Set when the response held no events array: zero events, never one bogus event. */
  readonly warning?: string;
}

/** Thrown when the body is not JSON; the engine turns it into a message naming the source. */
export class ParseError extends Error {
  readonly code = "HELR_PARSE";
}

/**
 * Finds the events in a response body: a top-level array, or the first of
 * {@link DEFAULT_EVENT_KEYS} whose value is an array.
 */
export function extractEvents(body: string): Extraction {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new ParseError(`response is not valid JSON: ${(error as Error).message}`);
  }
  const start = skipSpace(body, body.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (Array.isArray(document)) return { document, events: pair(document, body, start) };
  if (document !== null && typeof document === "object") {
    const record = document as Record<string, unknown>;
    for (const key of DEFAULT_EVENT_KEYS) {
      const value = record[key];
      if (!Array.isArray(value)) continue;
      const at = objectMemberStart(body, start, key);
      if (at !== undefined) return { document, events: pair(value, body, at) };
    }
  }
  return {
    document,
    events: [],
    warning: `response has no events array (looked for a top-level array and the keys ${DEFAULT_EVENT_KEYS.join(", ")})`,
  };
}

function pair(values: readonly unknown[], body: string, arrayStart: number): ExtractedEvent[] {
  const ranges = arrayElementRanges(body, arrayStart);
  return values.map((value, index) => {
    const range = ranges[index];
    const raw = range ? body.slice(range[0], range[1]) : JSON.stringify(value);
    return { value, raw: oneLine(raw) };
  });
}

/** Raw CR/LF in valid JSON can only be whitespace between tokens, so dropping them is safe. */
function oneLine(raw: string): string {
  return raw.includes("\n") || raw.includes("\r") ? raw.replace(/[\r\n]+/g, "") : raw;
}
