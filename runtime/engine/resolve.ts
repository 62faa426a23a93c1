import { type Env, expand, expandMap } from "../config/env.ts";
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

/** Resolves placeholders now (at run time); an unset variable names itself and the source. */
export function resolveRequest(spec: SourceSpec, env: Env): ResolvedRequest {
  const url = expand(spec.url, env, spec.id);
  if (!URL.canParse(url)) {
    // The URL may hold a secret from a placeholder (a key in the query): shown redacted.
    throw new HelrError(
      "HELR_CONFIG_URL",
      `source "${spec.id}": url "${redactUrl(url)}" is not a valid absolute URL after placeholders`,
    );
  }
  return {
    url,
    headers: expandMap(spec.headers, env, spec.id),
    queryParams: expandMap(spec.queryParams, env, spec.id),
    everyQueryParams: expandMap(spec.everyQueryParams, env, spec.id),
    body: spec.method === "post" ? expandJson(spec.body ?? {}, env, spec.id) : undefined,
    from: spec.from ? { param: spec.from.param, value: expand(spec.from.value, env, spec.id) } : undefined,
  };
}

function expandJson(value: JsonValue, env: Env, sourceId: string): JsonValue {
  if (typeof value === "string") return expand(value, env, sourceId);
  if (Array.isArray(value)) return value.map((item: JsonValue) => expandJson(item, env, sourceId));
  if (value !== null && typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandJson(item, env, sourceId);
    return out;
  }
  return value;
}
