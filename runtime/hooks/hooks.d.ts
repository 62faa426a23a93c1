/**
 * Types for Helr hook scripts (docs/hooks.md). Copy this file next to your scripts (it ships in
 * the package as runtime/hooks/hooks.d.ts) and import its types; type-only imports are erased when
 * helrc compiles the script:
 *
 * ```ts
 * import type { HookContext, HookResponse, HookEventResult, HookFetch } from "./hooks";
 * declare const fetch: HookFetch; // only with global.hooks.allow_network: true
 *
 * export function parseResponse(ctx: HookContext, response: HookResponse): HookEventResult[] | null {
 *   const body = response.body as { items?: Array<{ id: string; published: string }> };
 *   return (body.items ?? []).map((e) => ({ ts: e.published, event: e, meta: { id: e.id } }));
 * }
 * ```
 *
 * It declares no globals, so it does not clash with the DOM or Node typings of a project.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A hook may return its result or a Promise of it. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The first argument of every hook. Both spellings of the ids are present (the Rust Helr sends
 * snake_case, its documentation says camelCase), with the same values.
 */
export interface HookContext {
  /** Only the variables the script reads by name (`ctx.env.NAME`) or the source's `hooks.env` lists. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The source's stored state (cursor, watermark, keys commitState wrote), read before each page. */
  readonly state: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
  readonly request_id: string;
  readonly sourceId: string;
  readonly source_id: string;
  /** The source's `from`, when set. */
  readonly defaultSince?: string;
  readonly default_since?: string;
  /** `{ lastCursor }` when the state holds a `cursor`. */
  readonly pagination?: { readonly lastCursor: string };
  /** The source's configured `headers`, e.g. to send the same User-Agent on a login fetch. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A response as parseResponse and getNextPage see it. */
export interface HookResponse {
  readonly status: number;
  /** Lower-case header names; a repeated header gives its last value. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body parsed as JSON, or the text when it is not JSON. */
  readonly body: Json;
}

/** The request that produced the page getNextPage looks at. */
export interface HookRequest {
  readonly url: string;
  readonly body?: Json;
}

/** Names to values; numbers and booleans are sent as text, null leaves the entry out. */
export type StringMap = Readonly<Record<string, string | number | boolean | null>>;

/** getAuth: credentials for every request of the poll. null: none (the source's `auth:` applies). */
export interface AuthResult {
  readonly headers?: StringMap;
  /** Sent as the `Cookie` header. */
  readonly cookie?: string;
  readonly query?: StringMap;
  /** Merged into the top level of a POST body. */
  readonly body?: Json;
}

/** buildRequest: changes to the request. null: the request the configuration describes. */
export interface RequestOverride {
  /** An absolute URL on one of the source's hosts (or `hooks.allow_hosts`). */
  readonly url?: string;
  readonly headers?: StringMap;
  readonly query?: StringMap;
  /** The POST body of the first page; later pages use getNextPage's body when it gives one. */
  readonly body?: Json;
}

/** One event from parseResponse. */
export interface HookEventResult {
  /** RFC 3339 time of the event; missing or empty: now. */
  readonly ts?: string | null;
  /** The producer label; missing: the source's label. */
  readonly source?: string | null;
  /** The event as it goes into the NDJSON line. */
  readonly event?: Json;
  /** `id` is the dedupe key; `cursor` is kept with the line. */
  readonly meta?: {
    readonly id?: string | number | null;
    readonly cursor?: string | null;
    readonly [key: string]: Json | undefined;
  } | null;
}

/** getNextPage: the next request of this poll. null (or neither key): this was the last page. */
export interface NextPage {
  readonly url?: string | null;
  readonly body?: Json;
}

/** An event as commitState receives it: as it was written. */
export interface HookEventRecord {
  readonly ts: string;
  readonly source: string;
  readonly event: Json;
  readonly meta?: Readonly<Record<string, Json>>;
}

/** commitState: state keys to write (strings) or delete (null). */
export type StateChanges = Readonly<Record<string, string | null>>;

export type GetAuth = (ctx: HookContext) => Awaitable<AuthResult | null | undefined>;
export type BuildRequest = (ctx: HookContext) => Awaitable<RequestOverride | null | undefined>;
/** null: the page goes to the declarative parser (`response_events_path`…); [] is a page without events. */
export type ParseResponse = (
  ctx: HookContext,
  response: HookResponse,
) => Awaitable<HookEventResult[] | null | undefined>;
export type GetNextPage = (
  ctx: HookContext,
  request: HookRequest,
  response: HookResponse,
) => Awaitable<NextPage | null | undefined>;
export type CommitState = (
  ctx: HookContext,
  events: readonly HookEventRecord[],
) => Awaitable<StateChanges | null | undefined>;

/** The sandbox's fetch() (only with `global.hooks.allow_network: true`, only to the source's hosts). */
export type HookFetch = (url: string, init?: HookFetchInit) => Promise<HookFetchResponse>;

export interface HookFetchInit {
  /** GET (default) or POST. */
  readonly method?: "GET" | "POST" | "get" | "post";
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /** A string: use JSON.stringify for JSON. */
  readonly body?: string | null;
}

export interface HookFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly redirected: false;
  readonly headers: {
    get(name: string): string | null;
    has(name: string): boolean;
    getSetCookie(): string[];
    forEach(callback: (value: string, name: string) => void): void;
  };
  text(): Promise<string>;
  json(): Promise<Json>;
}
