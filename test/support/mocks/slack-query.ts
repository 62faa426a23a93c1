/**
 * The pure part of the Slack Audit Logs mock: `GET /audit/v1/logs` parameters and cursor pages.
 *
 * Entries come NEWEST FIRST (by `date_create`, later arrivals first within one second). `oldest` and
 * `latest` are inclusive epoch seconds, so re-polling from the newest `date_create` returns that entry
 * again. The cursor carries the filters; with a cursor, other filter parameters are ignored.
 */
import { decodeToken, encodeToken, intParam } from "./codec.ts";
import type { SlackAuditEntry } from "./slack-events.ts";

/** A validated query: filters plus the id of the last entry handed out (when following a cursor). */
export interface SlackQuery {
  readonly limit: number;
  readonly filter: SlackFilter;
  readonly after?: string;
}

interface SlackFilter {
  readonly oldest?: number;
  readonly latest?: number;
  readonly actions?: readonly string[];
  readonly actor?: string;
  readonly entity?: string;
}

/** A Slack error code (`{"ok":false,"error":code}`). */
export type SlackErrorCode = "invalid_cursor" | "invalid_arguments";

/** One page: the entries and the next cursor ("" on the last page). */
export interface SlackPage {
  readonly entries: readonly SlackAuditEntry[];
  readonly nextCursor: string;
}

/** The largest `limit`; UNCONFIRMED default, kept modest like Slack's other paginated methods. */
export const MAX_LIMIT = 9999;
export const DEFAULT_LIMIT = 100;

interface CursorState extends SlackFilter {
  readonly after: string;
}

const isCursor = (value: unknown): value is CursorState =>
  typeof value === "object" && value !== null && typeof (value as { after?: unknown }).after === "string";

/** Validates the parameters; a cursor that was not issued here is `invalid_cursor`. */
export function parseSlackQuery(params: URLSearchParams): { query: SlackQuery } | { error: SlackErrorCode } {
  const limitText = params.get("limit");
  const limit = limitText === null ? DEFAULT_LIMIT : intParam(limitText, 1, MAX_LIMIT);
  if (limit === undefined) return { error: "invalid_arguments" };
  const cursor = params.get("cursor");
  if (cursor !== null && cursor !== "") {
    const state = decodeToken(cursor, isCursor);
    if (state === undefined) return { error: "invalid_cursor" };
    const { after, ...filter } = state;
    return { query: { limit, filter, after } };
  }
  const filter: Record<string, unknown> = {};
  for (const name of ["oldest", "latest"] as const) {
    const text = params.get(name);
    if (text === null) continue;
    const seconds = intParam(text, 0, 9_999_999_999);
    if (seconds === undefined) return { error: "invalid_arguments" };
    filter[name] = seconds;
  }
  const action = params.get("action");
  if (action !== null) filter.actions = action.split(",");
  for (const name of ["actor", "entity"] as const) {
    const value = params.get(name);
    if (value !== null) filter[name] = value;
  }
  return { query: { limit, filter: filter as SlackFilter } };
}

/** Filters, orders newest first and slices after the cursor's entry. */
export function selectSlackPage(
  log: readonly SlackAuditEntry[],
  query: SlackQuery,
): SlackPage | { error: SlackErrorCode } {
  const { filter } = query;
  const ordered = log
    .map((entry, seq) => ({ entry, seq }))
    .filter(({ entry }) => matches(entry, filter))
    .sort((a, b) => b.entry.date_create - a.entry.date_create || b.seq - a.seq)
    .map(({ entry }) => entry);
  let start = 0;
  if (query.after !== undefined) {
    const index = ordered.findIndex((entry) => entry.id === query.after);
    if (index < 0) return { error: "invalid_cursor" };
    start = index + 1;
  }
  const entries = ordered.slice(start, start + query.limit);
  const last = entries.at(-1);
  const more = last !== undefined && start + entries.length < ordered.length;
  return { entries, nextCursor: more ? encodeToken({ ...filter, after: last.id }) : "" };
}

function matches(entry: SlackAuditEntry, filter: SlackFilter): boolean {
  const entityId = Object.values(entry.entity).find(
    (value): value is { id: string } => typeof value === "object" && value !== null && "id" in value,
  )?.id;
  return (
    (filter.oldest === undefined || entry.date_create >= filter.oldest) &&
    (filter.latest === undefined || entry.date_create <= filter.latest) &&
    (filter.actions === undefined || filter.actions.includes(entry.action)) &&
    (filter.actor === undefined || entry.actor.user.id === filter.actor) &&
    (filter.entity === undefined || entityId === filter.entity)
  );
}
