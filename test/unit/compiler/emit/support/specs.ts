/**
 * Hand-built IR for emit and bundle tests, independent of the front end.
 */
import { buildOutput } from "../../../../../compiler/ir/build-output.ts";
import type { GlobalSpec, ResilienceSpec, SourceSpec, StateBackend } from "../../../../../runtime/spec.ts";

/** A global spec on the given state backend, state file in the working directory. */
export function globalSpec(backend: StateBackend): GlobalSpec {
  return {
    logLevel: "warn",
    logFormat: "json",
    labelKey: "source",
    labelValue: "helr",
    state: { backend, path: "./helr-state.db" },
    audit: { enabled: false, logCredentialAccess: true, logConfigChanges: true },
    output: buildOutput(undefined),
    api: { enabled: false, address: "127.0.0.1", port: 8080 },
    metrics: { enabled: false, address: "127.0.0.1", port: 9090 },
  };
}

/** Resilience settings with short timeouts, as the compiler's defaults would fill them. */
export function resilience(requestSecs: number): ResilienceSpec {
  return {
    timeouts: { connectSecs: Math.min(10, requestSecs), requestSecs, readSecs: requestSecs, idleSecs: 90 },
    retries: {
      maxAttempts: 3,
      initialBackoffSecs: 1,
      maxBackoffSecs: 60,
      multiplier: 2,
      jitter: 0.1,
      retryableStatusCodes: [408, 429, 500, 502, 503, 504],
    },
    circuitBreaker: { enabled: true, failureThreshold: 5, successThreshold: 2, halfOpenTimeoutSecs: 60 },
    rateLimit: {
      respectHeaders: true,
      pageDelaySecs: 0,
      headers: {
        limit: "X-RateLimit-Limit",
        remaining: "X-RateLimit-Remaining",
        reset: "X-RateLimit-Reset",
        resetFormat: "auto",
      },
      maxWaitSecs: 300,
      forbiddenMeansRateLimited: false,
    },
  };
}

/** The parts of a source spec that tests here do not vary. */
function common(
  id: string,
): Omit<SourceSpec, "url" | "headers" | "queryParams" | "pagination" | "transform"> {
  return {
    id,
    origin: `sources/${id}.yaml`,
    method: "get",
    everyQueryParams: {},
    labelKey: "source",
    labelValue: id,
    schedule: { intervalSecs: 60, jitterSecs: 0 },
    priority: 10,
    extract: { eventKeys: ["items", "data", "events", "logs", "entries"], include: [], exclude: [] },
    responseErrors: { okField: "ok", messageField: "error", errorFields: ["error", "errors"] },
    policy: {
      checkpoint: "per_page",
      onCursorError: "fail",
      onStateWriteError: "fail",
      onParseError: "fail",
      onInvalidUtf8: "replace",
      maxLineBytesBehavior: "fail",
    },
    limits: {},
    resilience: resilience(10),
  };
}

const REQUEST_ID_HEADERS = ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"];

/** A bearer-token, Link-header source polling `${API_URL}/logs` (an Okta-like API). */
export function linkHeaderSource(id: string): SourceSpec {
  return {
    ...common(id),
    url: "${API_URL}/logs",
    headers: { Accept: "application/json" },
    queryParams: { limit: "2" },
    auth: { type: "bearer", token: { env: "API_TOKEN" }, prefix: "SSWS" },
    pagination: {
      strategy: "link_header",
      rel: "next",
      maxPages: 10,
      stop: { onEmptyPage: true, onShortPage: false },
    },
    transform: { timeFields: ["published"], idField: "uuid", requestIdHeaders: REQUEST_ID_HEADERS },
  };
}

/** An unauthenticated source fetched with one request per poll. */
export function singleRequestSource(id: string): SourceSpec {
  return {
    ...common(id),
    url: "${API_URL}/events",
    headers: {},
    queryParams: {},
    pagination: { strategy: "single" },
    transform: {
      timeFields: ["published", "timestamp", "ts", "created_at"],
      requestIdHeaders: REQUEST_ID_HEADERS,
    },
  };
}
