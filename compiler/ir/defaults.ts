/**
 * Every default the compiler fills into the IR, in one table. The JSON Schema shows the
 * same values as `default` annotations, so `helrc schema` and the IR cannot disagree.
 * docs/configuration.md explains each choice, in particular where Helr is safer than the
 * reference (retries, circuit breaker and Retry-After are on even without their blocks).
 */
export const DEFAULTS = {
  method: "get",
  intervalSecs: 60,
  jitterSecs: 0,
  priority: 10,
  labelKey: "source",
  globalLabelValue: "helr",
  logLevel: "info",
  logFormat: "json",
  stateBackend: "sqlite",
  statePath: "./helr-state.db",
  redisUrl: "redis://127.0.0.1:6379/",
  /** `global.api` (health probes, REST API): loopback, not the Rust Helr's `0.0.0.0`. */
  api: { address: "127.0.0.1", port: 8080 },
  /** `global.metrics` (`GET /metrics`): loopback, not the Rust Helr's `0.0.0.0`. */
  metrics: { address: "127.0.0.1", port: 9090 },
  /** `global.dump_on_sigusr1.destination`. */
  dumpDestination: "log",

  bearerPrefix: "Bearer",
  apiKeyLocation: "header",
  refreshSkewSecs: 60,
  dpop: false,

  linkRel: "next",
  maxPages: 100,
  firstPage: 1,
  /**
   * `stop_on_empty_page`: strategies where an API may hand out a next page forever. Not cursor: an
   * empty page with a new cursor goes on (Cloud Logging), one echoing the cursor just sent ends the
   * pass anyway (paginate/cursor.ts), as the Rust Helr keeps paging while a cursor exists.
   */
  stopOnEmptyPage: { link_header: true, cursor: false, page_offset: false, offset: false },
  /** `stop_on_short_page`: strategies where a short page means the end. */
  stopOnShortPage: { link_header: false, cursor: false, page_offset: true, offset: true },
  windowStartParam: "start",
  windowEndParam: "end",
  windowTimeFormat: "rfc3339",
  windowLagSecs: 60,
  windowMaxSecs: 86400,
  windowInitialLookbackSecs: 3600,

  fromParam: "since",
  watermarkStateKey: "watermark",
  watermarkFormat: "raw",
  watermarkLocation: "query",
  watermarkOverlapSecs: 0,
  dedupeCapacity: 100000,
  /** Object members searched in order for the events array when `response_events_path` is not set. */
  eventKeys: ["items", "data", "events", "logs", "entries"],
  /** Event members tried in order for the envelope `ts` when `transform.timestamp_field` is not set. */
  timeFields: ["published", "timestamp", "ts", "created_at"],
  /** Response headers tried in order for `meta.request_id` (Okta, GitHub and the common names). */
  requestIdHeaders: ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"],
  /** A 2xx body whose `ok` is false is an error, its text in `error` (Slack's convention). */
  responseOkField: "ok",
  responseMessageField: "error",
  /** Members that make a 2xx object body without events an error report. */
  responseErrorFields: ["error", "errors"],

  checkpoint: "per_page",
  onCursorError: "fail",
  onStateWriteError: "fail",
  onParseError: "fail",
  onInvalidUtf8: "replace",
  maxLineBytesBehavior: "fail",
  /**
   * `max_response_bytes`: 64 MiB. Real audit pages are at most a few MB (Okta, Google Reports and
   * Cloud Logging pages of 1000 events), so this is over 10× any of them, while one hostile or
   * broken body can no longer take the process's memory. `0` means no limit.
   */
  maxResponseBytes: 64 * 1024 * 1024,

  requestTimeoutSecs: 30,
  /** The connect timeout is `min(connectTimeoutSecs, request timeout)`, as in the reference. */
  connectTimeoutSecs: 10,
  /** The read timeout is `min(readTimeoutSecs, request timeout)`. */
  readTimeoutSecs: 30,
  idleTimeoutSecs: 90,

  retryMaxAttempts: 3,
  retryInitialBackoffSecs: 1,
  retryMaxBackoffSecs: 60,
  retryMultiplier: 2,
  retryJitter: 0.1,
  /** 408, 429 and the 5xx statuses that are transient (501 and 505+ are not). */
  retryableStatusCodes: [408, 429, 500, 502, 503, 504],

  breakerEnabled: true,
  breakerFailureThreshold: 5,
  breakerSuccessThreshold: 2,
  breakerHalfOpenTimeoutSecs: 60,

  respectHeaders: true,
  pageDelaySecs: 0,
  limitHeader: "X-RateLimit-Limit",
  remainingHeader: "X-RateLimit-Remaining",
  resetHeader: "X-RateLimit-Reset",
  resetFormat: "auto",
  rateLimitMaxWaitSecs: 300,
  /** `adaptive: true` waits for the reset when `remaining` is at or below this. */
  adaptiveRemaining: 1,
  forbiddenMeansRateLimited: false,

  tlsCaOnly: false,

  /**
   * Retries of a network sink's batch or message: the Rust Helr's 3 retries from 200 ms doubling,
   * with the waits capped and jittered, and a `Retry-After` honoured up to 5 minutes.
   */
  sinkRetry: {
    maxRetries: 3,
    initialBackoffSecs: 0.2,
    maxBackoffSecs: 30,
    multiplier: 2,
    jitter: 0.2,
    maxRetryAfterSecs: 300,
  },
  /** `global.output.http`: batch size, timeout and retries as in the Rust Helr; 8 MiB unacknowledged. */
  httpSink: {
    batchSize: 100,
    batchTimeoutMs: 500,
    timeoutSecs: 30,
    gzip: false,
    maxBufferBytes: 8 * 1024 * 1024,
  },
  /** `global.output.nats`: JetStream with acks unless `jetstream: false` says otherwise. */
  natsSink: { jetstream: true, connectTimeoutSecs: 10, ackTimeoutSecs: 5, maxInFlight: 1024 },
  /** global.backpressure (the reference's defaults). */
  backpressure: {
    eventQueueSize: 10000,
    stdoutBufferSize: 65536,
    strategy: "block",
    dropPolicy: "oldest_first",
    maxSizeMb: 1024,
    segmentSizeMb: 64,
  },
  /** global.degradation: poll half as often while the state store is degraded. */
  reducedFrequencyMultiplier: 2,

  auditEnabled: false,
  auditLogCredentialAccess: true,
  auditLogConfigChanges: true,

  hooksEnabled: false,
  hooksPath: "./hooks",
  hooksTimeoutSecs: 5,
  /** Per source sandbox; values below 16 are raised to 16 (the size a QuickJS instance starts at). */
  hooksMemoryLimitMb: 128,
  hooksAllowNetwork: false,
  hooksAuthCacheTtlSecs: 1800,
  /** `global.replicas`: off; a lease lives 10 s (runtime/state/lease-settings.ts derives the rest). */
  replicasEnabled: false,
  leaseTtlSecs: 10,
} as const;
