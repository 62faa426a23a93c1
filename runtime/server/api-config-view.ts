/**
 * What `GET /api/v1/config` and `GET /api/v1/sources/{id}/config` show: the resolved
 * configuration (the IR, keys in the config file's snake_case), with every value that could be
 * a secret replaced by `"<redacted>"`. The Rust Helr returns headers, bodies and URLs after
 * `${VAR}` expansion, secrets included (helr.md §8.7); here:
 *
 * - `${VAR}` placeholders are never expanded: a value that holds one is shown as written when it
 *   is in a URL's host or path, and redacted anywhere else (headers, query, body), because the
 *   variable may be a secret;
 * - sensitive headers (Authorization, cookies, keys, tokens) are redacted whatever their value;
 * - a URL's password (`state.url`, a source URL) is redacted;
 * - finally every string that contains a value of the secret registry is redacted whole.
 *
 * Auth blocks hold only variable names and file paths (`token_env`, `token_file`), which are shown.
 */
import { redactSecrets } from "../config/secret-registry.ts";
import type { GlobalSpec, SourceSpec } from "../spec.ts";

/** The mask a response shows instead of a secret. */
export const REDACTED = "<redacted>";

const SENSITIVE_HEADER =
  /authorization|cookie|token|secret|key|password|passwd|credential|session|signature/i;
const PLACEHOLDER = /\$\{[^}]*\}/;

/** A source's configuration as the API shows it. */
export function sourceConfigView(spec: SourceSpec): Record<string, unknown> {
  const { id: _id, origin: _origin, url, headers, queryParams, everyQueryParams, body, ...rest } = spec;
  return masked({
    ...(snake(rest) as Record<string, unknown>),
    url: urlView(url),
    headers: headersView(headers),
    query_params: valuesView(queryParams),
    every_query_params: valuesView(everyQueryParams),
    body: body === undefined ? null : bodyView(body),
  }) as Record<string, unknown>;
}

/** The global configuration as the API shows it. */
export function globalConfigView(global: GlobalSpec): Record<string, unknown> {
  const view = snake(global) as Record<string, unknown>;
  const state = view.state as Record<string, unknown> | undefined;
  if (state && typeof state.url === "string") view.state = { ...state, url: urlView(state.url) };
  // The HTTP sink's headers and URL carry credentials like a source's.
  const output = view.output as Record<string, Record<string, unknown>> | undefined;
  const http = output?.http;
  if (output && http) {
    output.http = {
      ...http,
      headers: headersView((http.headers ?? {}) as Record<string, string>),
      ...(typeof http.url === "string" ? { url: urlView(http.url) } : {}),
    };
  }
  return masked(view) as Record<string, unknown>;
}

function headersView(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SENSITIVE_HEADER.test(name) || PLACEHOLDER.test(value) ? REDACTED : value,
    ]),
  );
}

function valuesView(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      SENSITIVE_HEADER.test(name) || PLACEHOLDER.test(value) ? REDACTED : value,
    ]),
  );
}

function bodyView(value: unknown): unknown {
  if (typeof value === "string") return PLACEHOLDER.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(bodyView);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SENSITIVE_HEADER.test(k) && v !== null ? REDACTED : bodyView(v),
      ]),
    );
  }
  return value;
}

/**
 * A URL with its password and every query value that holds a placeholder or looks sensitive
 * redacted. Not parsed with `URL` (placeholders are not valid URL text): split by hand.
 */
export function urlView(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!scheme) return PLACEHOLDER.test(url) ? REDACTED : url;
  const [, prefix = "", authority = "", tail = ""] = scheme;
  const at = authority.lastIndexOf("@");
  let shownAuthority = authority;
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    const shownUser = PLACEHOLDER.test(user) ? REDACTED : user;
    shownAuthority = `${shownUser}${colon >= 0 ? `:${REDACTED}` : ""}@${authority.slice(at + 1)}`;
  }
  const q = tail.indexOf("?");
  if (q < 0) return prefix + shownAuthority + tail;
  const hash = tail.indexOf("#", q);
  const query = tail.slice(q + 1, hash < 0 ? undefined : hash);
  const shownQuery = query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return PLACEHOLDER.test(pair) ? REDACTED : pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      return SENSITIVE_HEADER.test(name) || PLACEHOLDER.test(value) ? `${name}=${REDACTED}` : pair;
    })
    .join("&");
  return prefix + shownAuthority + tail.slice(0, q + 1) + shownQuery + (hash < 0 ? "" : tail.slice(hash));
}

/** Every string leaf holding a known secret becomes `<redacted>` (whole, so no part leaks). */
function masked(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value) === value ? value : REDACTED;
  if (Array.isArray(value)) return value.map(masked);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  }
  return value;
}

/** camelCase keys to the config file's snake_case, deeply; `undefined` members dropped. */
function snake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snake);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(v)]),
    );
  }
  return value;
}
