import type { AuthSpec, PaginationSpec, SourceSpec } from "../../runtime/spec.ts";

/**
 * A complete SourceSpec for runtime tests, with plain defaults. Tests that care about the
 * compiler's defaults compile YAML instead; these only need a valid, fully-filled spec.
 */
export function sourceSpec<P extends PaginationSpec, A extends AuthSpec = never>(
  pagination: P,
  overrides: Partial<Omit<SourceSpec, "pagination" | "auth">> & { readonly auth?: A } = {},
): Omit<SourceSpec, "auth" | "pagination"> & { readonly pagination: P; readonly auth?: A } {
  return {
    id: "src",
    origin: "test.yaml",
    url: "http://127.0.0.1:1/logs",
    method: "get",
    headers: {},
    queryParams: {},
    everyQueryParams: {},
    labelKey: "source",
    labelValue: overrides.id ?? "src",
    schedule: { intervalSecs: 60, jitterSecs: 0 },
    priority: 10,
    extract: { eventKeys: EVENT_KEYS, include: [], exclude: [] },
    transform: { timeFields: TIME_FIELDS, requestIdHeaders: REQUEST_ID_HEADERS },
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
    resilience: {
      timeouts: { connectSecs: 5, requestSecs: 5, readSecs: 5, idleSecs: 5 },
      retries: {
        maxAttempts: 1,
        initialBackoffSecs: 0,
        maxBackoffSecs: 0,
        multiplier: 1,
        jitter: 0,
        retryableStatusCodes: [],
      },
      circuitBreaker: { enabled: false, failureThreshold: 5, successThreshold: 1, halfOpenTimeoutSecs: 1 },
      rateLimit: {
        respectHeaders: true,
        pageDelaySecs: 0,
        headers: {
          limit: "x-ratelimit-limit",
          remaining: "x-ratelimit-remaining",
          reset: "x-ratelimit-reset",
          resetFormat: "auto",
        },
        maxWaitSecs: 1,
        forbiddenMeansRateLimited: false,
      },
    },
    ...overrides,
    pagination,
  };
}

/** The compiler's defaults for where events, times and request ids are found (compiler/ir/defaults.ts). */
export const EVENT_KEYS = ["items", "data", "events", "logs", "entries"] as const;
export const TIME_FIELDS = ["published", "timestamp", "ts", "created_at"] as const;
export const REQUEST_ID_HEADERS = ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"];

/** A transform with the compiler's defaults plus `overrides`. */
export function transform(overrides: Partial<SourceSpec["transform"]> = {}): SourceSpec["transform"] {
  return { timeFields: TIME_FIELDS, requestIdHeaders: REQUEST_ID_HEADERS, ...overrides };
}

/** Default stop conditions of a strategy, for tests. */
export const STOP = { onEmptyPage: true, onShortPage: false } as const;
