/**
 * The pure part of the Google Workspace Reports mock: `activities.list` parameters and pages.
 *
 * Activities come NEWEST FIRST (by `id.time`, then `uniqueQualifier`). `startTime` and `endTime` are both
 * treated as inclusive (unconfirmed; the stricter choice, since it makes a collector dedupe). The
 * `nextPageToken` looks like Google's (`A:<time µs>:<uniqueQualifier>:…:<customerId>`) and is a keyset
 * position: an activity that turns visible older than the position still shows on a later page.
 */
import { intParam, parseRfc3339 } from "./codec.ts";
import type { GoogleActivity } from "./google-reports-events.ts";

/** A validated query. Times are epoch ms. */
export interface ReportsQuery {
  readonly startTime?: number;
  readonly endTime: number;
  readonly maxResults: number;
  readonly eventName?: string;
  readonly actorIpAddress?: string;
  /** Position after which the page starts: `[time ms, uniqueQualifier]`. */
  readonly after?: readonly [number, bigint];
}

export interface ReportsPage {
  readonly items: readonly GoogleActivity[];
  readonly nextPageToken?: string;
}

export const MAX_RESULTS = 1000;

/** Validates the parameters against the mock clock `nowMs`; the error is an `INVALID_ARGUMENT` message. */
export function parseReportsQuery(
  params: URLSearchParams,
  nowMs: number,
  customerId: string,
): { query: ReportsQuery } | { error: string } {
  const times: Record<string, number> = {};
  for (const name of ["startTime", "endTime"] as const) {
    const text = params.get(name);
    if (text === null) continue;
    const ms = parseRfc3339(text);
    if (ms === undefined)
      return { error: `Invalid value '${text}' for ${name}: expected an RFC 3339 timestamp.` };
    times[name] = ms;
  }
  const endTime = times.endTime ?? nowMs;
  const startTime = times.startTime;
  if (startTime !== undefined && startTime > nowMs) return { error: "Start time is in the future." };
  if (startTime !== undefined && startTime > endTime)
    return { error: "Start time must be less than or equal to end time." };
  const maxText = params.get("maxResults");
  const maxResults = maxText === null ? MAX_RESULTS : intParam(maxText, 1, MAX_RESULTS);
  if (maxResults === undefined)
    return { error: `Invalid value '${maxText}'. Values must be within the range: [1, 1000]` };
  const query: ReportsQuery = { endTime, maxResults, ...(startTime === undefined ? {} : { startTime }) };
  const pageToken = params.get("pageToken");
  const after = pageToken === null ? undefined : parsePageToken(pageToken, customerId);
  if (pageToken !== null && after === undefined) return { error: "Invalid page token." };
  return {
    query: {
      ...query,
      ...(after === undefined ? {} : { after }),
      ...optional("eventName", params.get("eventName")),
      ...optional("actorIpAddress", params.get("actorIpAddress")),
    },
  };
}

/** Filters one application's visible activities, newest first, and cuts one page. */
export function selectReportsPage(
  activities: readonly GoogleActivity[],
  query: ReportsQuery,
  customerId: string,
): ReportsPage {
  const ordered = activities
    .filter((a) => matches(a, query))
    .map((a) => ({ a, key: key(a) }))
    .sort((x, y) => compareDesc(x.key, y.key))
    .filter(({ key: k }) => query.after === undefined || compareDesc(k, query.after) > 0)
    .map(({ a }) => a);
  const items = ordered.slice(0, query.maxResults);
  const last = items.at(-1);
  const more = last !== undefined && ordered.length > items.length;
  return more ? { items, nextPageToken: pageToken(last, customerId) } : { items };
}

function matches(activity: GoogleActivity, query: ReportsQuery): boolean {
  const ms = Date.parse(activity.id.time);
  return (
    (query.startTime === undefined || ms >= query.startTime) &&
    ms <= query.endTime &&
    (query.eventName === undefined || activity.events.some((e) => e.name === query.eventName)) &&
    (query.actorIpAddress === undefined || activity.ipAddress === query.actorIpAddress)
  );
}

const key = (activity: GoogleActivity): readonly [number, bigint] => [
  Date.parse(activity.id.time),
  BigInt(activity.id.uniqueQualifier),
];

/** Negative when `x` comes first in newest-first order. */
function compareDesc(x: readonly [number, bigint], y: readonly [number, bigint]): number {
  if (x[0] !== y[0]) return y[0] - x[0];
  return x[1] === y[1] ? 0 : x[1] > y[1] ? -1 : 1;
}

function pageToken(activity: GoogleActivity, customerId: string): string {
  const [ms, qualifier] = key(activity);
  return `A:${ms * 1000}:${qualifier}:${String(ms % 1_000_000_007).padStart(9, "0")}:${customerId}`;
}

function parsePageToken(token: string, customerId: string): [number, bigint] | undefined {
  const match = /^A:(\d+)000:(-?\d{1,19}):\d+:(\S+)$/.exec(token);
  if (match === null || match[3] !== customerId) return undefined;
  return [Number(match[1]), BigInt(match[2] ?? "0")];
}

function optional<K extends string>(name: K, value: string | null): { [P in K]?: string } {
  return (value === null ? {} : { [name]: value }) as { [P in K]?: string };
}
