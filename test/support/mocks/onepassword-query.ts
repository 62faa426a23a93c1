/**
 * The pure part of the 1Password Events API mock: request bodies and cursor pages.
 *
 * The first request sends a ResetCursor `{limit?, start_time?, end_time?}`, later ones `{cursor}`. A page
 * says `has_more: true` whenever it is full, so a log that ends exactly on a page boundary yields a
 * `has_more: true` page followed by an empty one. The cursor encodes the position; when nothing new
 * arrived, the same cursor comes back (`has_more: false`), and posting it later picks up new items.
 */
import { decodeToken, encodeToken, parseRfc3339 } from "./codec.ts";
import type { OnePasswordFeature, OnePasswordItem } from "./onepassword-events.ts";

/** Where a reader is: stream, page size, time window (epoch ms, end exclusive) and last item handed out. */
export interface CursorState {
  readonly feature: OnePasswordFeature;
  readonly limit: number;
  readonly start: number;
  readonly end?: number;
  readonly after?: string;
}

export interface OnePasswordErrorInfo {
  readonly status: number;
  readonly message: string;
}

export interface ItemsPage {
  readonly cursor: string;
  readonly has_more: boolean;
  readonly items: readonly OnePasswordItem[];
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const HOUR_MS = 3_600_000;

const isState = (value: unknown): value is CursorState =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { feature?: unknown }).feature === "string" &&
  typeof (value as { limit?: unknown }).limit === "number" &&
  typeof (value as { start?: unknown }).start === "number";

const bad = (message: string): { error: OnePasswordErrorInfo } => ({ error: { status: 400, message } });

/** Reads a ResetCursor or a cursor body for `feature`; `nowMs` sets the default window. */
export function parseEventsBody(
  feature: OnePasswordFeature,
  text: string,
  nowMs: number,
): { state: CursorState } | { error: OnePasswordErrorInfo } {
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return bad("Invalid request body: not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return bad("Invalid request body");
  const { cursor, limit, start_time, end_time } = body as Record<string, unknown>;
  if (cursor !== undefined) {
    const state = typeof cursor === "string" ? decodeToken(cursor, isState) : undefined;
    return state === undefined || state.feature !== feature ? bad("Invalid cursor") : { state };
  }
  if (
    limit !== undefined &&
    (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIMIT)
  ) {
    return bad(`Invalid limit: must be an integer from 1 to ${MAX_LIMIT}`);
  }
  const end =
    end_time === undefined ? undefined : typeof end_time === "string" ? parseRfc3339(end_time) : Number.NaN;
  const start =
    start_time === undefined
      ? (end ?? nowMs) - HOUR_MS
      : typeof start_time === "string"
        ? parseRfc3339(start_time)
        : Number.NaN;
  if (start === undefined || Number.isNaN(start)) return bad("Invalid start_time: expected RFC 3339");
  if (end !== undefined && Number.isNaN(end)) return bad("Invalid end_time: expected RFC 3339");
  if (end !== undefined && start > end) return bad("Invalid time range: start_time is after end_time");
  const state = { feature, limit: (limit as number | undefined) ?? DEFAULT_LIMIT, start };
  return { state: end === undefined ? state : { ...state, end } };
}

/** The items after the cursor's position within its window, in arrival order. */
export function selectItems(
  log: readonly OnePasswordItem[],
  state: CursorState,
): ItemsPage | { error: OnePasswordErrorInfo } {
  let from = 0;
  if (state.after !== undefined) {
    from = log.findIndex((item) => item.uuid === state.after) + 1;
    if (from === 0) return bad("Invalid cursor");
  }
  const items: OnePasswordItem[] = [];
  let last = state.after;
  for (let i = from; i < log.length && items.length < state.limit; i++) {
    const item = log[i] as OnePasswordItem;
    const ms = Date.parse(item.timestamp);
    if (ms >= state.start && (state.end === undefined || ms < state.end)) items.push(item);
    // Skipped items move the position too, so a cursor never walks the same stretch twice.
    last = item.uuid;
  }
  const next: CursorState = last === undefined ? state : { ...state, after: last };
  return { cursor: encodeToken(next), has_more: items.length === state.limit, items };
}
