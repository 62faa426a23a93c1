/**
 * The shapes a hook receives (the Rust Helr's docs/hooks.md, kept so its scripts run unchanged):
 * `ctx`, the `request` getNextPage sees, and the `response` of parseResponse and getNextPage.
 */
import { isUtf8 } from "node:buffer";
import type { Env } from "../config/env.ts";
import type { JsonValue } from "../spec.ts";

/** What the engine knows when it calls a hook; {@link hookContext} turns it into `ctx`. */
export interface HookContextInput {
  readonly sourceId: string;
  /** Unique per request (the Rust Helr: `helr-<unix nanos>`); also `meta.request_id` of the lines. */
  readonly requestId: string;
  /** The source's state, read again before each page. */
  readonly state: Readonly<Record<string, string>>;
  /** The process environment; only the script's allowed names are copied into `ctx.env`. */
  readonly env: Env;
  /** The source's `from` (resolved), if set. */
  readonly defaultSince?: string | undefined;
  /** The source's configured `headers` (resolved), so a login fetch can send the same ones. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * `ctx` as scripts see it. The Rust Helr sends snake_case keys (`request_id`, `source_id`,
 * `default_since`) while its docs promise camelCase (`requestId`, `sourceId`, `defaultSince`);
 * both are here, with the same values, so scripts written against either work.
 */
export interface HookContext {
  readonly env: Readonly<Record<string, string>>;
  readonly state: Readonly<Record<string, string>>;
  readonly request_id: string;
  readonly requestId: string;
  readonly source_id: string;
  readonly sourceId: string;
  readonly default_since?: string;
  readonly defaultSince?: string;
  /** `{lastCursor}` when the state holds a `cursor`. */
  readonly pagination?: { readonly lastCursor: string };
  readonly headers?: Readonly<Record<string, string>>;
}

/** The request getNextPage receives: what was sent for the page just parsed. */
export interface HookRequest {
  readonly url: string;
  readonly body?: JsonValue;
}

/** The parts of an HTTP response a hook sees (an `HttpResponse` from the source's client fits). */
export interface HookResponseInput {
  readonly status: number;
  /** Lower-case header name → every value received. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Uint8Array | string;
}

/** `response` without its body; the body travels as text and is parsed inside the sandbox. */
export interface HookResponseHead {
  readonly status: number;
  /** Lower-case names; a repeated header gives its last value (as the Rust Helr). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `ctx.env`: exactly the allowed names that are set, never the whole environment. The allowed
 * names are the script's literal `ctx.env.NAME` reads, or its `hooks.env` list (docs/hooks.md).
 */
export function hookEnv(allowed: readonly string[], env: Env): Record<string, string> {
  const picked = Object.create(null) as Record<string, string>;
  for (const name of allowed) {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value !== undefined) picked[name] = value;
  }
  return { ...picked };
}

/** Builds `ctx` for one call; `allowedEnv` is the script's {@link HookScript.env}. */
export function hookContext(input: HookContextInput, allowedEnv: readonly string[]): HookContext {
  const cursor = input.state.cursor;
  const headers = input.headers && Object.keys(input.headers).length > 0 ? input.headers : undefined;
  return {
    env: hookEnv(allowedEnv, input.env),
    state: { ...input.state },
    request_id: input.requestId,
    requestId: input.requestId,
    source_id: input.sourceId,
    sourceId: input.sourceId,
    ...(input.defaultSince !== undefined
      ? { default_since: input.defaultSince, defaultSince: input.defaultSince }
      : {}),
    ...(cursor !== undefined ? { pagination: { lastCursor: cursor } } : {}),
    ...(headers ? { headers: { ...headers } } : {}),
  };
}

/**
 * The response's status and headers for a hook, and its body as text (decoded as UTF-8, lossily);
 * `bodyBytes` is the body itself when it is valid UTF-8 (so exactly `bodyText`'s UTF-8).
 */
export function hookResponse(response: HookResponseInput): {
  head: HookResponseHead;
  bodyText: string;
  bodyBytes?: Uint8Array;
} {
  const headers = Object.create(null) as Record<string, string>;
  for (const [name, values] of response.headers) {
    const last = values[values.length - 1];
    if (last !== undefined) headers[name.toLowerCase()] = last;
  }
  const body = response.body;
  const bodyText =
    typeof body === "string"
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const head = { status: response.status, headers: { ...headers } };
  return typeof body !== "string" && isUtf8(body) ? { head, bodyText, bodyBytes: body } : { head, bodyText };
}
