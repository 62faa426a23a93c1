/**
 * Checks of what hooks return. Each check takes the hook's JSON result and gives the engine a
 * typed value, or throws a {@link ShapeProblem} saying which field is wrong and what was expected
 * ("events[3] `ts` is a number; expected a string"). `null` and `undefined` always mean "the
 * hook has nothing to say" and fall back to the declarative behaviour (see each type).
 */
import type { JsonValue } from "../spec.ts";

/** A return value of the wrong shape; the message completes "hook <name> returned …". */
export class ShapeProblem extends Error {}

/** getAuth: credentials added to every request of the poll (all optional). */
export interface AuthResult {
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as the `Cookie` header. */
  readonly cookie?: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Merged into a POST body. */
  readonly body?: JsonValue;
}

/** buildRequest: changes to the next request (all optional). */
export interface RequestOverride {
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: JsonValue;
}

/** One event from parseResponse. Missing `ts`/`source` are the engine's to fill (now, the label). */
export interface HookEvent {
  readonly ts?: string;
  readonly source?: string;
  /** The event itself (null when the hook gave none). */
  readonly event: JsonValue;
  /** `id` (dedupe key) and `cursor` are strings; other members pass through. */
  readonly meta?: {
    readonly id?: string;
    readonly cursor?: string;
    readonly [key: string]: JsonValue | undefined;
  };
}

/** getNextPage: the next request (null stops paging). */
export interface NextPage {
  readonly url?: string;
  readonly body?: JsonValue;
}

/** commitState: state keys to set (a string) or delete (null). */
export type StateChanges = Readonly<Record<string, string | null>>;

type Obj = Readonly<Record<string, unknown>>;

/** getAuth's result; null when it returned nothing or an object with none of the keys. */
export function checkAuth(value: unknown): AuthResult | null {
  const obj = objectOrNull(value, "an object {headers, cookie, query, body} or null");
  if (obj === null) return null;
  onlyKeys(obj, ["headers", "cookie", "query", "body"], "an object");
  const headers = stringMap(obj.headers, "headers", true);
  const query = stringMap(obj.query, "query", false);
  const cookie = optionalString(obj.cookie, "an object", "cookie");
  const result: AuthResult = {
    ...(headers ? { headers } : {}),
    ...(cookie !== undefined ? { cookie } : {}),
    ...(query ? { query } : {}),
    ...(obj.body !== undefined && obj.body !== null ? { body: obj.body as JsonValue } : {}),
  };
  return Object.keys(result).length > 0 ? result : null;
}

/** buildRequest's result; null for "send the default request". */
export function checkRequest(value: unknown): RequestOverride | null {
  const obj = objectOrNull(value, "an object {url, headers, query, body} or null");
  if (obj === null) return null;
  onlyKeys(obj, ["url", "headers", "query", "body"], "an object");
  const url = optionalUrl(obj.url);
  const headers = stringMap(obj.headers, "headers", true);
  const query = stringMap(obj.query, "query", false);
  const result: RequestOverride = {
    ...(url !== undefined ? { url } : {}),
    ...(headers ? { headers } : {}),
    ...(query ? { query } : {}),
    ...(obj.body !== undefined && obj.body !== null ? { body: obj.body as JsonValue } : {}),
  };
  return Object.keys(result).length > 0 ? result : null;
}

/** parseResponse's events; undefined (null returned) hands the page to the declarative parser. */
export function checkEvents(value: unknown): readonly HookEvent[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw new ShapeProblem(
      `${describe(value)}; expected an array of events (or null for the declarative parser)`,
    );
  }
  return value.map((item: unknown, index) => checkEvent(item, `events[${index}]`));
}

function checkEvent(item: unknown, at: string): HookEvent {
  if (!isObject(item)) {
    throw new ShapeProblem(`${at}, which is ${describe(item)}; expected an object {ts, source, event, meta}`);
  }
  onlyKeys(item, ["ts", "source", "event", "meta"], at);
  const ts = optionalString(item.ts, at, "ts");
  const source = optionalString(item.source, at, "source");
  const meta = checkMeta(item.meta, at);
  return {
    ...(ts !== undefined && ts !== "" ? { ts } : {}),
    ...(source !== undefined ? { source } : {}),
    event: item.event === undefined ? null : (item.event as JsonValue),
    ...(meta ? { meta } : {}),
  };
}

function checkMeta(value: unknown, at: string): HookEvent["meta"] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value))
    throw new ShapeProblem(`${at} whose \`meta\` is ${describe(value)}; expected an object`);
  const id = value.id;
  if (
    id !== undefined &&
    id !== null &&
    typeof id !== "string" &&
    !(typeof id === "number" && Number.isFinite(id))
  ) {
    throw new ShapeProblem(`${at} whose \`meta.id\` is ${describe(id)}; expected a string (or a number)`);
  }
  const cursor = optionalString(value.cursor, at, "meta.cursor");
  const { id: _id, cursor: _cursor, ...rest } = value;
  return {
    ...(rest as Record<string, JsonValue>),
    ...(id !== undefined && id !== null ? { id: String(id) } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

/** getNextPage's result; null stops paging (also for an object with neither `url` nor `body`). */
export function checkNextPage(value: unknown): NextPage | null {
  const obj = objectOrNull(value, "an object {url, body} or null");
  if (obj === null) return null;
  onlyKeys(obj, ["url", "body"], "an object");
  const url = optionalUrl(obj.url);
  const hasBody = obj.body !== undefined && obj.body !== null;
  if (url === undefined && !hasBody) return null;
  return { ...(url !== undefined ? { url } : {}), ...(hasBody ? { body: obj.body as JsonValue } : {}) };
}

/** commitState's result: keys to set (strings) or delete (null); empty when it returned nothing. */
export function checkStateChanges(value: unknown): StateChanges {
  const obj = objectOrNull(value, "an object of state keys to string values, or null");
  if (obj === null) return {};
  const changes: Record<string, string | null> = {};
  for (const [key, entry] of Object.entries(obj)) {
    if (key === "") throw new ShapeProblem("an object with an empty state key");
    if (entry !== null && typeof entry !== "string") {
      const hint = typeof entry === "number" ? " (use String(n))" : "";
      throw new ShapeProblem(
        `an object whose \`${key}\` is ${describe(entry)}; state values are strings, or null to delete${hint}`,
      );
    }
    changes[key] = entry;
  }
  return changes;
}

function objectOrNull(value: unknown, expected: string): Obj | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new ShapeProblem(`${describe(value)}; expected ${expected}`);
  return value;
}

function onlyKeys(obj: Obj, allowed: readonly string[], owner: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ShapeProblem(`${owner} with an unknown key \`${key}\`; expected only ${allowed.join(", ")}`);
    }
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A map of names to strings. Numbers and booleans are written as text (the Rust Helr dropped
 * them silently, which lost `limit: 1000` from its own docs example); null omits the entry.
 */
function stringMap(value: unknown, field: string, isHeaders: boolean): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw new ShapeProblem(
      `an object whose \`${field}\` is ${describe(value)}; expected an object of strings`,
    );
  }
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (entry === null) continue;
    const text =
      typeof entry === "string" ||
      typeof entry === "boolean" ||
      (typeof entry === "number" && Number.isFinite(entry))
        ? String(entry)
        : undefined;
    if (text === undefined) {
      throw new ShapeProblem(`${field} whose \`${name}\` is ${describe(entry)}; expected a string`);
    }
    if (isHeaders && !TOKEN.test(name)) {
      throw new ShapeProblem(
        `headers with the name ${JSON.stringify(name)}, which is not a valid header name`,
      );
    }
    if (isHeaders && /[\r\n\0]/.test(text)) {
      throw new ShapeProblem(
        `headers whose \`${name}\` holds a line break or NUL, which a header cannot carry`,
      );
    }
    out[name] = text;
  }
  return out;
}

function optionalString(value: unknown, owner: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new ShapeProblem(`${owner} whose \`${field}\` is ${describe(value)}; expected a string`);
  }
  return value;
}

function optionalUrl(value: unknown): string | undefined {
  const url = optionalString(value, "an object", "url");
  if (url === undefined) return undefined;
  if (!URL.canParse(url))
    throw new ShapeProblem(`a \`url\` ${JSON.stringify(url)}, which is not an absolute URL`);
  return url;
}

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "a number", "an array", "null"… for messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
