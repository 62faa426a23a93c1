/**
 * Hand-built IR for emit and bundle tests, independent of the front end.
 */
import type { GlobalSpec, SourceSpec, StateBackend } from "../../../../runtime/spec.ts";

/** A global spec on the given state backend, state file in the working directory. */
export function globalSpec(backend: StateBackend): GlobalSpec {
  return {
    logLevel: "warn",
    logFormat: "json",
    labelKey: "source",
    labelValue: "helr",
    state: { backend, path: "./helr-state.db" },
  };
}

/** A bearer-token, Link-header source polling `${API_URL}/logs` (an Okta-like API). */
export function linkHeaderSource(id: string): SourceSpec {
  return {
    id,
    origin: `sources/${id}.yaml`,
    url: "${API_URL}/logs",
    method: "get",
    headers: { Accept: "application/json" },
    queryParams: { limit: "2" },
    labelKey: "source",
    labelValue: id,
    schedule: { intervalSecs: 60, jitterSecs: 0 },
    auth: { type: "bearer", token: { env: "API_TOKEN" }, prefix: "SSWS" },
    pagination: { strategy: "link_header", rel: "next", maxPages: 10 },
    transform: { timestampField: "published", idField: "uuid" },
    timeoutSecs: 10,
  };
}

/** An unauthenticated source fetched with one request per poll. */
export function singleRequestSource(id: string): SourceSpec {
  return {
    id,
    origin: `sources/${id}.yaml`,
    url: "${API_URL}/events",
    method: "get",
    headers: {},
    queryParams: {},
    labelKey: "source",
    labelValue: id,
    schedule: { intervalSecs: 60, jitterSecs: 0 },
    pagination: { strategy: "single" },
    transform: {},
    timeoutSecs: 10,
  };
}
