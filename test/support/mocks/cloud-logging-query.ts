/**
 * The pure part of the Cloud Logging mock: the `entries:list` request body and its pages.
 *
 * `resourceNames` is required; `orderBy` is `timestamp asc` (default) or `timestamp desc`, ties broken by
 * `insertId`; `pageSize` defaults to 50 and more than 1000 is a 400. A page token records the request it
 * belongs to: sending it with any other parameter changed is a 400, and it expires after 24 hours.
 */
import type { LogEntry } from "./cloud-logging-entries.ts";
import { parseFilter } from "./cloud-logging-filter.ts";
import { decodeToken, encodeToken } from "./codec.ts";

/** A validated request. */
export interface ListRequest {
  readonly resourceNames: readonly string[];
  readonly filter: string;
  readonly orderBy: "timestamp asc" | "timestamp desc";
  readonly pageSize: number;
  /** Position after which the page starts: `[timestamp, insertId]` of the last entry handed out. */
  readonly after?: readonly [string, string];
}

export interface ListPage {
  readonly entries: readonly LogEntry[];
  readonly nextPageToken?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
const TOKEN_TTL_MS = 86_400_000;
const RESOURCE_NAME =
  /^(projects|organizations|folders|billingAccounts)\/[^/]+(\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+)?$/;

interface TokenState {
  readonly request: string;
  readonly issuedMs: number;
  /** Null: from the start (a "keep going" token on the first page). */
  readonly after: [string, string] | null;
}

const isTokenState = (value: unknown): value is TokenState =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as TokenState).request === "string" &&
  typeof (value as TokenState).issuedMs === "number" &&
  (Array.isArray((value as TokenState).after) || (value as TokenState).after === null);

/** Validates the JSON body; the error is an `INVALID_ARGUMENT` message. */
export function parseListRequest(text: string, nowMs: number): { request: ListRequest } | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text === "" ? "{}" : text);
  } catch {
    return { error: "Invalid JSON payload received." };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { error: "Invalid JSON payload received." };
  const {
    resourceNames,
    filter = "",
    orderBy = "timestamp asc",
    pageSize = 0,
    pageToken,
  } = body as Record<string, unknown>;
  if (!Array.isArray(resourceNames) || resourceNames.length === 0)
    return { error: "resourceNames: at least one resource name is required" };
  if (!resourceNames.every((name) => typeof name === "string" && RESOURCE_NAME.test(name))) {
    return { error: `resourceNames: invalid resource name in ${JSON.stringify(resourceNames)}` };
  }
  if (typeof filter !== "string" || filter.length > 20_000)
    return { error: "filter: must be a string of at most 20000 characters" };
  if (orderBy !== "timestamp asc" && orderBy !== "timestamp desc") {
    return {
      error: `orderBy: only "timestamp asc" and "timestamp desc" are supported, got ${JSON.stringify(orderBy)}`,
    };
  }
  if (!Number.isInteger(pageSize) || (pageSize as number) < 0 || (pageSize as number) > MAX_PAGE_SIZE) {
    return { error: `pageSize: must be between 0 and ${MAX_PAGE_SIZE}, got ${JSON.stringify(pageSize)}` };
  }
  const request: ListRequest = {
    resourceNames: resourceNames as string[],
    filter,
    orderBy,
    pageSize: pageSize === 0 ? DEFAULT_PAGE_SIZE : (pageSize as number),
  };
  if (pageToken === undefined || pageToken === "") return { request };
  const state = typeof pageToken === "string" ? decodeToken(pageToken, isTokenState) : undefined;
  if (state === undefined) return { error: "pageToken: invalid page token" };
  if (state.request !== fingerprint(request))
    return { error: "pageToken: the page token does not match the other request parameters" };
  if (nowMs - state.issuedMs > TOKEN_TTL_MS) return { error: "pageToken: the page token has expired" };
  return { request: state.after === null ? request : { ...request, after: state.after } };
}

/** Filters, orders and slices; `nowMs` stamps the next page token. */
export function selectEntries(
  log: readonly LogEntry[],
  request: ListRequest,
  nowMs: number,
): ListPage | { error: string } {
  const parsed = parseFilter(request.filter);
  if ("error" in parsed) return parsed;
  const sign = request.orderBy === "timestamp asc" ? 1 : -1;
  const ordered = log.filter(parsed.predicate).sort((a, b) => sign * compareKey(key(a), key(b)));
  const after = request.after;
  const remaining =
    after === undefined ? ordered : ordered.filter((e) => sign * compareKey(key(e), after) > 0);
  const entries = remaining.slice(0, request.pageSize);
  const last = entries.at(-1);
  if (last === undefined || remaining.length === entries.length) return { entries };
  return { entries, nextPageToken: pageToken(request, key(last), nowMs) };
}

/** A token that resumes `request` after `after` (or from the start); used for "keep going" pages too. */
export function pageToken(
  request: ListRequest,
  after: readonly [string, string] | undefined,
  nowMs: number,
): string {
  return encodeToken({ request: fingerprint(request), issuedMs: nowMs, after: after ?? null });
}

const key = (entry: LogEntry): [string, string] => [entry.timestamp, entry.insertId];

function compareKey(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Every parameter but the token itself; a token is only good for the identical request. */
function fingerprint(request: ListRequest): string {
  return JSON.stringify([request.resourceNames, request.filter, request.orderBy, request.pageSize]);
}
