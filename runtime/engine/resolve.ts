import { type Env, expand, expandMap } from "../config/env.ts";
import { rememberSecret } from "../config/secret-registry.ts";
import { HelrError } from "../errors/helr-error.ts";
import { redactUrl } from "../http/redact.ts";
import type { JsonValue, SourceSpec } from "../spec.ts";

/** A source's request settings with every placeholder resolved from the environment. */
export interface ResolvedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly queryParams: Readonly<Record<string, string>>;
  readonly everyQueryParams: Readonly<Record<string, string>>;
  readonly body: JsonValue | undefined;
  readonly from: { readonly param: string; readonly value: string } | undefined;
}

/**
 * Resolves placeholders now (at run time); an unset variable names itself and the source. Every
 * value the environment gives to a header, a query parameter, the body or the URL's query is
 * remembered as a secret (config/secret-registry.ts), so no log, error or recording shows it;
 * values in the URL's host and path stay visible.
 */
export function resolveRequest(spec: SourceSpec, env: Env): ResolvedRequest {
  const secret = (value: string): void => rememberSecret(value);
  const url = expandUrl(spec.url, env, spec.id);
  if (!URL.canParse(url)) {
    // The URL may hold a secret from a placeholder (a key in the query): shown redacted.
    throw new HelrError(
      "HELR_CONFIG_URL",
      `source "${spec.id}": url "${redactUrl(url)}" is not a valid absolute URL after placeholders`,
    );
  }
  return {
    url,
    headers: expandMap(spec.headers, env, spec.id, secret),
    queryParams: expandMap(spec.queryParams, env, spec.id, secret),
    everyQueryParams: expandMap(spec.everyQueryParams, env, spec.id, secret),
    body: spec.method === "post" ? expandJson(spec.body ?? {}, env, spec.id, secret) : undefined,
    from: spec.from ? { param: spec.from.param, value: expand(spec.from.value, env, spec.id) } : undefined,
  };
}

/** The URL with its placeholders filled; those in the query (after `?`) are secrets. */
function expandUrl(template: string, env: Env, sourceId: string): string {
  const query = template.indexOf("?");
  if (query < 0) return expand(template, env, sourceId);
  return (
    expand(template.slice(0, query), env, sourceId) +
    expand(template.slice(query), env, sourceId, (value) => rememberSecret(value))
  );
}

function expandJson(
  value: JsonValue,
  env: Env,
  sourceId: string,
  onValue: (value: string) => void,
): JsonValue {
  if (typeof value === "string") return expand(value, env, sourceId, onValue);
  if (Array.isArray(value)) return value.map((item: JsonValue) => expandJson(item, env, sourceId, onValue));
  if (value !== null && typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandJson(item, env, sourceId, onValue);
    return out;
  }
  return value;
}
