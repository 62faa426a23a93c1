import { type Env, expand, expandMap } from "../config/env.ts";
import type { SourceSpec } from "../spec.ts";

/** A source's request settings with every placeholder resolved from the environment. */
export interface ResolvedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly queryParams: Readonly<Record<string, string>>;
}

/** Resolves placeholders now (at run time); an unset variable names itself and the source. */
export function resolveRequest(spec: SourceSpec, env: Env): ResolvedRequest {
  const url = expand(spec.url, env, spec.id);
  try {
    new URL(url);
  } catch {
    throw new Error(`source "${spec.id}": url "${url}" is not a valid absolute URL after placeholders`);
  }
  return {
    url,
    headers: expandMap(spec.headers, env, spec.id),
    queryParams: expandMap(spec.queryParams, env, spec.id),
  };
}
