/**
 * A paginator is pure policy: given what a page looked like, it decides the next request and
 * the position to store. The engine does all I/O, so every strategy gets the same retries,
 * checkpointing and error handling.
 */
import type { JsonValue } from "../spec.ts";

export interface PageRequest {
  readonly url: string;
  /** JSON body for POST sources. */
  readonly body?: JsonValue;
  /** Headers a hook added (getAuth, buildRequest), over the source's own. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a paginator may look at after a page was received and its events written. */
export interface PageView {
  readonly request: PageRequest;
  readonly status: number;
  /** Header name (lower case) → every value received for it. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The parsed response body (undefined when it could not be parsed and was skipped). */
  readonly document: unknown;
  /** Events in the response, before filters and dedupe. */
  readonly eventCount: number;
  /** 1-based number of this page within the current pass. */
  readonly pageNumber: number;
  readonly now: Date;
}

/** Why a pass ended; shown in summaries and logs. */
export type StopReason =
  | "end"
  | "empty_page"
  | "short_page"
  | "has_more_false"
  | "max_pages"
  | "max_bytes"
  | "loop"
  | "single"
  | "caught_up"
  | "unparsable_page"
  | "foreign_origin"
  | "shutdown";

/** Stops after which the pass is complete (its high-water mark may be committed). */
export const COMPLETE_STOPS: ReadonlySet<StopReason> = new Set([
  "end",
  "empty_page",
  "short_page",
  "has_more_false",
  "single",
  "caught_up",
]);

/**
 * `position`: what to store for the next request or poll; `null` clears it so the next poll
 * starts a fresh pass (with the committed high-water mark); undefined leaves it unchanged.
 */
export type Step =
  | { readonly kind: "next"; readonly request: PageRequest; readonly position: string | null }
  | { readonly kind: "stop"; readonly reason: StopReason; readonly position?: string | null };

export interface FirstRequestInput {
  /** The configured URL plus first-request query parameters (query_params, watermark or from). */
  readonly firstUrl: string;
  /** The configured URL alone, for later pages. */
  readonly pageUrl: string;
  /** The configured body plus body-located first-request fields (POST). */
  readonly firstBody: JsonValue | undefined;
  /** The configured body alone, for later pages. */
  readonly pageBody: JsonValue | undefined;
  /** The stored in-flight position, when a previous pass left one. */
  readonly saved: string | undefined;
  readonly now: Date;
}

export type First =
  | { readonly kind: "request"; readonly request: PageRequest }
  | { readonly kind: "skip"; readonly reason: StopReason };

/**
 * The engine adds what every strategy shares: a next request or position already used in the
 * pass ends it (`loop`), a next URL on another origin ends it with an error, and so do
 * `max_bytes` and a shutdown.
 */
export interface Paginator {
  /** State key holding the in-flight position; undefined when the strategy keeps none. */
  readonly positionKey: string | undefined;
  /** `next` reads the parsed body (a cursor, `has_more`), so pages take the text path. */
  readonly readsBody: boolean;
  first(input: FirstRequestInput): First;
  next(page: PageView): Step;
}

/** Appends query parameters to a URL, replacing any of the same name. */
export function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of entries) parsed.searchParams.set(key, value);
  return parsed.href;
}

/** A body with top-level fields set (a non-object body is replaced, as the reference does). */
export function withBodyFields(
  body: JsonValue | undefined,
  fields: Readonly<Record<string, JsonValue>>,
): JsonValue {
  const base = body !== null && typeof body === "object" && !Array.isArray(body) ? body : {};
  return { ...(base as Record<string, JsonValue>), ...fields };
}

/** A request: GET sources carry the value in the query, POST sources in the body. */
export function requestWith(
  url: string,
  body: JsonValue | undefined,
  fields: Readonly<Record<string, string | number>>,
): PageRequest {
  if (body === undefined) {
    const text = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    return { url: withQuery(url, text) };
  }
  return { url, body: withBodyFields(body, fields) };
}
