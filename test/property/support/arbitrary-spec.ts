/**
 * fast-check arbitraries of the whole IR (runtime/spec.ts) with hostile text in every string
 * field: quotes, line terminators, comment and template delimiters, lone surrogates,
 * `__proto__`. The values need not be valid configs; they must survive code generation.
 */
import fc from "fast-check";
import type { AuthSpec, GlobalSpec, PaginationSpec, SourceSpec } from "../../../runtime/spec.ts";

/** Fragments that break naive quoting, comments, templates or object literals. */
export const NASTY = [
  '"',
  "'",
  "`",
  "\\",
  "\r",
  "\n",
  "\r\n",
  "\u2028",
  "\u2029",
  "*/",
  "/*",
  "//",
  "${",
  "}",
  "</script>",
  "__proto__",
  "constructor",
  "\ud800",
  "\udfff",
  "\ud83d\ude00",
  "é",
  "\u0000",
  "\u001f",
  "\u007f",
  "\ufeff",
  "${VAR:-x}",
];

export const text = fc.string({
  unit: fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
  maxLength: 6,
});

/** Records built with Object.fromEntries, so a `__proto__` key is an own property. */
const record = fc
  .uniqueArray(fc.tuple(fc.oneof(fc.constant("__proto__"), text), text), {
    selector: ([key]) => key,
    maxLength: 4,
  })
  .map((entries) => Object.fromEntries(entries) as Record<string, string>);

const count = fc.nat({ max: 1_000_000 });
/** Fractions with an exact decimal form; never -0 (which no literal can tell from 0). */
const fraction = fc.nat({ max: 1000 }).map((n) => n / 1000);
const texts = fc.array(text, { maxLength: 3 });

function opt<T>(shape: { [K in keyof T]: fc.Arbitrary<T[K]> }, optional: readonly (keyof T)[]) {
  const all = Object.keys(shape) as (keyof T)[];
  return fc.record(shape, { requiredKeys: all.filter((key) => !optional.includes(key)) });
}

const secret = fc.record({ env: text, file: text }, { requiredKeys: [] });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fraction,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.constant("__proto__"), text), tie("value")), {
        selector: ([k]) => k,
        maxLength: 3,
      })
      .map((entries) => Object.fromEntries(entries)),
  ),
})).value;

const auth: fc.Arbitrary<AuthSpec> = fc.oneof(
  fc.record({ type: fc.constant("bearer" as const), token: secret, prefix: text }),
  fc.record({
    type: fc.constant("api_key" as const),
    key: secret,
    location: fc.constantFrom("header" as const, "query" as const),
    name: text,
  }),
  opt({ type: fc.constant("basic" as const), user: secret, password: secret }, ["password"]),
  opt(
    {
      type: fc.constant("oauth2" as const),
      tokenUrl: text,
      clientId: secret,
      clientSecret: secret,
      clientPrivateKey: secret,
      refreshToken: secret,
      scopes: texts,
      clientAuth: fc.constantFrom(
        "client_secret_post" as const,
        "client_secret_basic" as const,
        "private_key_jwt" as const,
      ),
      keyId: text,
      dpop: fc.boolean(),
      refreshSkewSecs: count,
    },
    ["clientSecret", "clientPrivateKey", "refreshToken", "keyId"],
  ),
  opt(
    {
      type: fc.constant("google_service_account" as const),
      credentials: secret,
      subject: secret,
      scopes: texts,
      refreshSkewSecs: count,
    },
    ["subject"],
  ),
);

const stop = opt({ hasMorePath: text, onEmptyPage: fc.boolean(), onShortPage: fc.boolean() }, [
  "hasMorePath",
]);
const timeFormat = fc.constantFrom(
  "rfc3339" as const,
  "iso8601" as const,
  "unix" as const,
  "unix_ms" as const,
);

const pagination: fc.Arbitrary<PaginationSpec> = fc.oneof(
  fc.record({ strategy: fc.constant("link_header" as const), rel: text, maxPages: count, stop }),
  fc.record({
    strategy: fc.constant("cursor" as const),
    cursorParam: text,
    cursorPath: text,
    maxPages: count,
    stop,
  }),
  fc.record({
    strategy: fc.constant("page_offset" as const),
    pageParam: text,
    limitParam: text,
    limit: count,
    firstPage: count,
    maxPages: count,
    stop,
  }),
  fc.record({
    strategy: fc.constant("offset" as const),
    offsetParam: text,
    limitParam: text,
    limit: count,
    maxPages: count,
    stop,
  }),
  fc.record({
    strategy: fc.constant("time_window" as const),
    startParam: text,
    endParam: text,
    format: timeFormat,
    lagSecs: count,
    maxWindowSecs: count,
    initialLookbackSecs: count,
    maxPages: count,
  }),
  fc.record({ strategy: fc.constant("single" as const) }),
);

const tls = opt(
  {
    ca: secret,
    caOnly: fc.boolean(),
    clientCert: secret,
    clientKey: secret,
    minVersion: fc.constantFrom("1.2" as const, "1.3" as const),
  },
  ["ca", "clientCert", "clientKey", "minVersion"],
);

const deliveryRetry = fc.record({
  maxRetries: count,
  initialBackoffSecs: fraction,
  maxBackoffSecs: count,
  multiplier: count,
  jitter: fraction,
  maxRetryAfterSecs: count,
});

const output = fc.record({
  http: opt(
    {
      headers: record,
      batchSize: count,
      batchTimeoutMs: count,
      timeoutSecs: count,
      gzip: fc.boolean(),
      auth: fc.oneof(
        fc.record({ type: fc.constant("bearer" as const), token: secret, prefix: text }),
        opt({ type: fc.constant("basic" as const), user: secret, password: secret }, ["password"]),
      ),
      tls,
      retry: deliveryRetry,
      maxBufferBytes: count,
    },
    ["auth", "tls"],
  ),
  nats: opt(
    {
      subject: text,
      jetstream: fc.boolean(),
      auth: fc.record(
        { token: secret, user: secret, password: secret, credentials: secret },
        { requiredKeys: [] },
      ),
      tls,
      connectTimeoutSecs: count,
      ackTimeoutSecs: count,
      maxInFlight: count,
      retry: deliveryRetry,
    },
    ["subject", "auth", "tls"],
  ),
});

const resilience = opt(
  {
    timeouts: opt(
      { connectSecs: count, requestSecs: count, readSecs: count, idleSecs: count, pollTickSecs: count },
      ["pollTickSecs"],
    ),
    retries: fc.record({
      maxAttempts: count,
      initialBackoffSecs: fraction,
      maxBackoffSecs: fraction,
      multiplier: fraction,
      jitter: fraction,
      retryableStatusCodes: fc.array(count, { maxLength: 4 }),
    }),
    circuitBreaker: opt(
      {
        enabled: fc.boolean(),
        failureThreshold: count,
        successThreshold: count,
        halfOpenTimeoutSecs: count,
        resetTimeoutSecs: count,
        failureRateThreshold: fraction,
        minimumRequests: count,
      },
      ["resetTimeoutSecs", "failureRateThreshold", "minimumRequests"],
    ),
    rateLimit: opt(
      {
        respectHeaders: fc.boolean(),
        pageDelaySecs: fraction,
        headers: fc.record({
          limit: text,
          remaining: text,
          reset: text,
          resetFormat: fc.constantFrom("epoch" as const, "delta" as const, "auto" as const),
        }),
        maxWaitSecs: count,
        maxRequestsPerSecond: fraction,
        burstSize: count,
        adaptiveRemaining: count,
        budgetKey: text,
        forbiddenMeansRateLimited: fc.boolean(),
      },
      ["maxRequestsPerSecond", "burstSize", "adaptiveRemaining", "budgetKey"],
    ),
    maxConcurrentRequests: count,
    tls,
  },
  ["maxConcurrentRequests", "tls"],
);

/** Any SourceSpec; every string field is hostile text. */
export const sourceSpec: fc.Arbitrary<SourceSpec> = opt(
  {
    id: text,
    origin: text,
    url: text,
    method: fc.constantFrom("get" as const, "post" as const),
    body: json,
    headers: record,
    queryParams: record,
    everyQueryParams: record,
    labelKey: text,
    labelValue: text,
    schedule: fc.record({ intervalSecs: count, jitterSecs: count }),
    priority: count,
    auth,
    pagination,
    from: fc.record({ param: text, value: text }),
    watermark: fc.record({
      stateKey: text,
      eventPath: text,
      param: text,
      location: fc.constantFrom("query" as const, "body" as const),
      format: fc.oneof(timeFormat, fc.constant("raw" as const)),
      overlapSecs: count,
    }),
    extract: opt(
      { eventsPath: text, eventObjectPath: text, eventKeys: texts, include: texts, exclude: texts },
      ["eventsPath", "eventObjectPath"],
    ),
    transform: opt({ timeFields: texts, idField: text, messageField: text, requestIdHeaders: texts }, [
      "idField",
      "messageField",
    ]),
    responseErrors: opt({ okField: text, messageField: text, errorFields: texts }, [
      "okField",
      "messageField",
    ]),
    dedupe: fc.record({ idPath: text, capacity: count }),
    policy: fc.record({
      checkpoint: fc.constantFrom("per_page" as const, "end_of_tick" as const),
      onCursorError: fc.constantFrom("reset" as const, "fail" as const),
      onStateWriteError: fc.constantFrom("fail" as const, "skip_checkpoint" as const),
      onParseError: fc.constantFrom("skip" as const, "fail" as const),
      onInvalidUtf8: fc.constantFrom("replace" as const, "escape" as const, "fail" as const),
      maxLineBytesBehavior: fc.constantFrom("truncate" as const, "skip" as const, "fail" as const),
    }),
    limits: fc.record(
      { maxBytes: count, maxResponseBytes: count, maxLineBytes: count },
      { requiredKeys: [] },
    ),
    resilience,
    hooks: fc.record(
      {
        allowHosts: fc.array(text, { maxLength: 2 }),
        script: fc.record({
          name: text,
          code: text,
          sha256: text,
          hooks: fc.subarray([
            "getAuth",
            "buildRequest",
            "parseResponse",
            "getNextPage",
            "commitState",
          ] as const),
          env: fc.array(text, { maxLength: 2 }),
        }),
      },
      { requiredKeys: ["allowHosts"] },
    ),
  },
  ["body", "auth", "from", "watermark", "dedupe", "hooks"],
);

const serverSpec = fc.record({ enabled: fc.boolean(), address: text, port: count });

/** Any GlobalSpec; every string field is hostile text. */
export const globalSpec: fc.Arbitrary<GlobalSpec> = opt(
  {
    logLevel: fc.constantFrom(
      "trace" as const,
      "debug" as const,
      "info" as const,
      "warn" as const,
      "error" as const,
    ),
    logFormat: fc.constantFrom("json" as const, "pretty" as const),
    labelKey: text,
    labelValue: text,
    state: opt(
      {
        backend: fc.constantFrom("sqlite" as const, "memory" as const, "redis" as const, "postgres" as const),
        path: text,
        url: text,
      },
      ["url"],
    ),
    maxConcurrentSources: count,
    audit: fc.record({
      enabled: fc.boolean(),
      logCredentialAccess: fc.boolean(),
      logConfigChanges: fc.boolean(),
    }),
    output,
    api: serverSpec,
    metrics: serverSpec,
  },
  ["maxConcurrentSources"],
);
