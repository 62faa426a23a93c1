/**
 * The pure part of the Okta System Log mock: query validation and page selection, no I/O.
 *
 * Polling requests (no `until`, ascending) walk the log in storage (persistence) order and always get a
 * next cursor, even on an empty page. Bounded requests (`until` given, or `sortOrder=DESCENDING`) filter on
 * `published`, sort by it, and the last page has no next cursor.
 */
import type { OktaLogEvent } from "./okta-events.ts";

/** A validated `/api/v1/logs` query. Times are epoch milliseconds. */
export interface LogsQuery {
  readonly since?: number;
  readonly until?: number;
  readonly after?: string;
  readonly limit: number;
  readonly sortOrder: "ASCENDING" | "DESCENDING";
}

/** An Okta error response (status plus the documented error object fields, minus the id). */
export interface OktaErrorInfo {
  readonly status: number;
  readonly errorCode: string;
  readonly errorSummary: string;
  readonly errorCauses: readonly { readonly errorSummary: string }[];
}

/** One page of events; `next` is present when the response must carry a `rel="next"` link. */
export interface LogsPage {
  readonly events: readonly OktaLogEvent[];
  /** Present when a next link is due; `after` absent means "repeat the query without a cursor". */
  readonly next?: { readonly after?: string };
  /** Bounded requests drop `since` from the next link (it travels inside the cursor). */
  readonly bounded: boolean;
}

/** Okta's default and largest page size. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const DAY_MS = 86_400_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Validates the query string against the documented rules; `nowMs` is the mock's clock. */
export function parseLogsQuery(
  params: URLSearchParams,
  nowMs: number,
): { query: LogsQuery } | { error: OktaErrorInfo } {
  const since = params.get("since");
  const after = params.get("after");
  if (since !== null && after !== null) {
    return {
      error: invalidParameter("The since parameter cannot be used together with the after parameter."),
    };
  }
  const sinceMs = parseTime("since", since);
  if (typeof sinceMs === "object") return { error: sinceMs };
  const untilMs = parseTime("until", params.get("until"));
  if (typeof untilMs === "object") return { error: untilMs };
  if (sinceMs !== undefined && sinceMs < nowMs - 180 * DAY_MS) {
    return { error: invalidParameter("The since parameter is over 180 days prior to the current day.") };
  }
  const limitText = params.get("limit");
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? "0") || !Number.isSafeInteger(limit)) {
    return { error: validationFailed("limit", "The limit parameter must be an integer between 0 and 1000.") };
  }
  const sortOrder = params.get("sortOrder") ?? "ASCENDING";
  if (sortOrder !== "ASCENDING" && sortOrder !== "DESCENDING") {
    return { error: validationFailed("sortOrder", "sortOrder must be ASCENDING or DESCENDING.") };
  }
  return {
    query: {
      ...(sinceMs === undefined ? {} : { since: sinceMs }),
      ...(untilMs === undefined ? {} : { until: untilMs }),
      ...(after === null ? {} : { after }),
      limit: Math.min(limit, MAX_LIMIT),
      sortOrder,
    },
  };
}

/** Picks the page for a validated query out of the log, kept in persistence order. */
export function selectPage(
  log: readonly OktaLogEvent[],
  query: LogsQuery,
  nowMs: number,
): LogsPage | { error: OktaErrorInfo } {
  const polling = query.until === undefined && query.sortOrder === "ASCENDING";
  return polling ? pollingPage(log, query) : boundedPage(log, query, nowMs);
}

function pollingPage(log: readonly OktaLogEvent[], query: LogsQuery): LogsPage | { error: OktaErrorInfo } {
  let start = 0;
  if (query.after !== undefined) {
    const index = log.findIndex((event) => event.uuid === query.after);
    if (index < 0) return { error: invalidCursor() };
    start = index + 1;
  } else if (query.since !== undefined) {
    const since = query.since;
    const index = log.findIndex((event) => Date.parse(event.published) >= since);
    start = index < 0 ? log.length : index;
  }
  const events = log.slice(start, start + query.limit);
  // The cursor is the last event handed out, or the position we were already at: never skip, never repeat.
  const after = events.at(-1)?.uuid ?? query.after ?? log[start - 1]?.uuid;
  return { events, next: after === undefined ? {} : { after }, bounded: false };
}

function boundedPage(
  log: readonly OktaLogEvent[],
  query: LogsQuery,
  nowMs: number,
): LogsPage | { error: OktaErrorInfo } {
  const until = query.until ?? nowMs;
  let since = query.since ?? until - 7 * DAY_MS;
  let afterUuid: string | undefined;
  if (query.after !== undefined) {
    const cursor = decodeBoundedCursor(query.after);
    if (cursor === undefined) return { error: invalidCursor() };
    [since, afterUuid] = cursor;
  }
  const sign = query.sortOrder === "ASCENDING" ? 1 : -1;
  const matching = log
    .filter((event) => {
      const published = Date.parse(event.published);
      return published >= since && published < until;
    })
    .sort((a, b) => sign * (Date.parse(a.published) - Date.parse(b.published)));
  let start = 0;
  if (afterUuid !== undefined) {
    const index = matching.findIndex((event) => event.uuid === afterUuid);
    if (index < 0) return { error: invalidCursor() };
    start = index + 1;
  }
  const events = matching.slice(start, start + query.limit);
  const last = events.at(-1);
  const more = start + events.length < matching.length && last !== undefined;
  return more
    ? { events, next: { after: encodeBoundedCursor(since, last.uuid) }, bounded: true }
    : { events, bounded: true };
}

function encodeBoundedCursor(sinceMs: number, uuid: string): string {
  return Buffer.from(JSON.stringify([sinceMs, uuid])).toString("base64url");
}

function decodeBoundedCursor(after: string): [number, string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
    if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string") {
      return [value[0], value[1]];
    }
  } catch {
    // not one of our cursors; reported below
  }
  return undefined;
}

function parseTime(name: string, text: string | null): number | undefined | OktaErrorInfo {
  if (text === null) return undefined;
  const ms = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    return validationFailed(
      name,
      "The date format in your query is not recognized. Please enter dates using ISO8601 string format.",
    );
  }
  return ms;
}

function validationFailed(field: string, cause: string): OktaErrorInfo {
  return {
    status: 400,
    errorCode: "E0000001",
    errorSummary: `Api validation failed: '${field}'`,
    errorCauses: [{ errorSummary: `'${field}': ${cause}` }],
  };
}

function invalidParameter(message: string): OktaErrorInfo {
  return {
    status: 400,
    errorCode: "E0000053",
    errorSummary: `Invalid parameter: ${message}`,
    errorCauses: [],
  };
}

// UNCONFIRMED: how Okta answers a cursor it does not know; a 400 keeps client bugs loud.
function invalidCursor(): OktaErrorInfo {
  return validationFailed("after", "The after cursor is not valid.");
}
