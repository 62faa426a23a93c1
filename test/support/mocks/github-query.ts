/**
 * The pure part of the GitHub audit-log mock: query and `phrase` parsing, and cursor page selection.
 *
 * The `created:` qualifier compares whole seconds (GitHub's search syntax has no milliseconds), so
 * `created:>=<last @timestamp>` returns the boundary event again, and any other event in that second:
 * a collector has to dedupe on `_document_id`.
 */
import type { GitHubAuditEvent } from "./github-events.ts";

/** A validated audit-log query. */
export interface AuditQuery {
  readonly perPage: number;
  readonly order: "asc" | "desc";
  readonly include: "web" | "git" | "all";
  readonly after?: string;
  readonly before?: string;
  readonly matches: (event: GitHubAuditEvent) => boolean;
}

/** A GitHub error: status plus the `message` of the `{message, documentation_url}` body. */
export interface GitHubErrorInfo {
  readonly status: number;
  readonly message: string;
}

/** One page; `next` and `prev` are cursors for the link header, present when such a page exists. */
export interface AuditPage {
  readonly events: readonly GitHubAuditEvent[];
  readonly next?: string;
  readonly prev?: string;
}

/** GitHub's default and largest page size (larger values are capped, not rejected). */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

type Result<T> = { readonly value: T } | { readonly error: GitHubErrorInfo };

const invalid = (message: string): { error: GitHubErrorInfo } => ({ error: { status: 422, message } });

/** Validates `per_page`, `order`, `include`, `after`/`before` and `phrase`. */
export function parseAuditQuery(params: URLSearchParams): Result<AuditQuery> {
  const perPageText = params.get("per_page") ?? String(DEFAULT_PER_PAGE);
  if (!/^\d+$/.test(perPageText) || Number(perPageText) < 1) return invalid("Invalid per_page");
  const order = params.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") return invalid(`Invalid order: ${order}`);
  const include = params.get("include") ?? "web";
  if (include !== "web" && include !== "git" && include !== "all")
    return invalid(`Invalid include: ${include}`);
  const after = params.get("after") ?? "";
  const before = params.get("before") ?? "";
  if (after !== "" && before !== "") return invalid("after and before cannot be used together");
  const matches = parsePhrase(params.get("phrase") ?? "");
  if ("error" in matches) return matches;
  return {
    value: {
      perPage: Math.min(Number(perPageText), MAX_PER_PAGE),
      order,
      include,
      ...(after === "" ? {} : { after }),
      ...(before === "" ? {} : { before }),
      matches: matches.value,
    },
  };
}

/** Filters, orders and slices `events` (already limited to the org or enterprise) for one page. */
export function selectAuditPage(events: readonly GitHubAuditEvent[], query: AuditQuery): Result<AuditPage> {
  const wanted = events.filter((e) => included(e, query.include) && query.matches(e));
  const ascending = [...wanted].sort((a, b) => a.created_at - b.created_at);
  const ordered = query.order === "asc" ? ascending : ascending.reverse();
  let start = 0;
  let end = Math.min(query.perPage, ordered.length);
  const cursor = query.after ?? query.before;
  if (cursor !== undefined) {
    const id = decodeCursor(cursor);
    const index = id === undefined ? -1 : ordered.findIndex((e) => e._document_id === id);
    if (index < 0) return invalid("Invalid cursor");
    [start, end] =
      query.after !== undefined
        ? [index + 1, index + 1 + query.perPage]
        : [Math.max(0, index - query.perPage), index];
  }
  const page = ordered.slice(start, end);
  const first = page[0];
  const last = page.at(-1);
  return {
    value: {
      events: page,
      ...(last !== undefined && end < ordered.length ? { next: encodeCursor(last) } : {}),
      ...(first !== undefined && start > 0 ? { prev: encodeCursor(first) } : {}),
    },
  };
}

/** Cursors look like GitHub's: base64 of `<created_at>|<_document_id>`. */
export function encodeCursor(event: GitHubAuditEvent): string {
  return Buffer.from(`${event.created_at}|${event._document_id}`).toString("base64url");
}

function decodeCursor(cursor: string): string | undefined {
  const match = /^\d+\|([\w-]+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match?.[1];
}

function included(event: GitHubAuditEvent, include: AuditQuery["include"]): boolean {
  const git = event.action.startsWith("git.");
  return include === "all" || (include === "git") === git;
}

type Predicate = (event: GitHubAuditEvent) => boolean;

const FIELDS: Readonly<Record<string, (event: GitHubAuditEvent) => unknown>> = {
  action: (e) => e.action,
  actor: (e) => e.actor,
  user: (e) => e.user,
  repo: (e) => e.repo,
  org: (e) => e.org,
  operation: (e) => e.operation_type,
  country: (e) => (e.actor_location as { country_code?: string } | undefined)?.country_code,
};

/** `phrase`: qualifiers separated by spaces (a literal `+` in the URL decodes to one), each `key:value`. */
function parsePhrase(phrase: string): Result<Predicate> {
  const predicates: Predicate[] = [];
  for (const term of phrase.split(/\s+/).filter((t) => t !== "")) {
    const match = /^(-?)([a-z_]+):(.+)$/.exec(term);
    if (match === null) return invalid(`Invalid phrase term: ${term}`);
    const [, negate = "", key = "", value = ""] = match;
    const predicate = key === "created" ? createdPredicate(value) : fieldPredicate(key, value);
    if (predicate === undefined) return invalid(`Invalid phrase term: ${term}`);
    predicates.push(negate === "-" ? (e) => !predicate(e) : predicate);
  }
  return { value: (event) => predicates.every((p) => p(event)) };
}

function fieldPredicate(key: string, value: string): Predicate | undefined {
  const field = FIELDS[key];
  if (field === undefined) return undefined;
  // `action:team` matches every `team.*` action, as on GitHub.
  if (key === "action" && !value.includes(".")) return (e) => e.action.startsWith(`${value}.`);
  return (e) => field(e) === value;
}

/** `>=T`, `>T`, `<=T`, `<T`, `A..B` (either side may be `*`) or `T`; T is a date or a date-time. */
function createdPredicate(value: string): Predicate | undefined {
  const seconds = (e: GitHubAuditEvent) => Math.floor(e.created_at / 1000);
  const range = /^(.+)\.\.(.+)$/.exec(value);
  if (range !== null) {
    const from = range[1] === "*" ? { first: -Infinity, last: -Infinity } : bound(range[1] ?? "");
    const to = range[2] === "*" ? { first: Infinity, last: Infinity } : bound(range[2] ?? "");
    if (from === undefined || to === undefined) return undefined;
    return (e) => seconds(e) >= from.first && seconds(e) <= to.last;
  }
  const match = /^(>=|<=|>|<)?(.+)$/.exec(value);
  const b = bound(match?.[2] ?? "");
  if (b === undefined) return undefined;
  switch (match?.[1]) {
    case ">=":
      return (e) => seconds(e) >= b.first;
    case ">":
      return (e) => seconds(e) > b.last;
    case "<=":
      return (e) => seconds(e) <= b.last;
    case "<":
      return (e) => seconds(e) < b.first;
    default:
      return (e) => seconds(e) >= b.first && seconds(e) <= b.last;
  }
}

/** The first and last epoch second a date (a whole day) or a date-time (one second) covers. */
function bound(text: string): { first: number; last: number } | undefined {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(text);
  const zoned = dateOnly ? `${text}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = dateOnly || dateTime ? Date.parse(zoned) : Number.NaN;
  if (Number.isNaN(ms)) return undefined;
  const first = Math.floor(ms / 1000);
  return { first, last: dateOnly ? first + 86_399 : first };
}
