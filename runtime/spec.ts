/**
 * The contract between the compiler and the runtime.
 *
 * Generated modules are mostly data: `export const spec = { … } satisfies SourceSpec`.
 * The compiler's IR is exactly these types (compiler/ir builds them, every default filled in
 * compiler/ir/defaults.ts); the runtime reads them and never invents defaults of its own.
 * Strings typed {@link Template} may hold `${VAR}` / `${VAR:-default}` placeholders, resolved at
 * run time by runtime/config/env.ts — never at build time.
 */

/** A string that may contain `${VAR}` placeholders; resolved when the bundle runs. */
export type Template = string;

/** Any JSON value; strings inside are Templates (request bodies). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Where a secret comes from. The file wins when both are set; re-read on every use and on SIGHUP. */
export interface SecretRef {
  readonly env?: string;
  readonly file?: Template;
}

// ── Auth ─────────────────────────────────────────────────────────────────────────────────────

export interface BearerAuthSpec {
  readonly type: "bearer";
  readonly token: SecretRef;
  /** Authorization scheme, `Bearer` by default; `SSWS` for Okta API tokens. */
  readonly prefix: string;
}

export interface ApiKeyAuthSpec {
  readonly type: "api_key";
  readonly key: SecretRef;
  /** Where the key goes: a header (the reference) or a query parameter (beyond it). */
  readonly location: "header" | "query";
  /** Header name or query parameter name. */
  readonly name: string;
}

export interface BasicAuthSpec {
  readonly type: "basic";
  readonly user: SecretRef;
  /** Absent means an empty password (Tailscale: API key as the user). */
  readonly password?: SecretRef;
}

export interface OAuth2AuthSpec {
  readonly type: "oauth2";
  readonly tokenUrl: Template;
  readonly clientId: SecretRef;
  readonly clientSecret?: SecretRef;
  /** PEM private key for private_key_jwt (RFC 7523); RSA or EC. */
  readonly clientPrivateKey?: SecretRef;
  /** Present: refresh_token grant (rotated refresh tokens are persisted); absent: client_credentials. */
  readonly refreshToken?: SecretRef;
  readonly scopes: readonly string[];
  /** How the client authenticates: secret in the form body, secret as HTTP Basic, or a signed assertion. */
  readonly clientAuth: "client_secret_post" | "client_secret_basic" | "private_key_jwt";
  /** `kid` header of the client assertion, when the server needs it. */
  readonly keyId?: string;
  /** RFC 9449 proof-of-possession. */
  readonly dpop: boolean;
  /** Refresh this long before the token expires. */
  readonly refreshSkewSecs: number;
}

export interface GoogleServiceAccountAuthSpec {
  readonly type: "google_service_account";
  /** The service-account key JSON (file or env); its `token_uri` is the token endpoint. */
  readonly credentials: SecretRef;
  /** User to impersonate (domain-wide delegation). */
  readonly subject?: SecretRef;
  readonly scopes: readonly string[];
  readonly refreshSkewSecs: number;
}

export type AuthSpec =
  | BearerAuthSpec
  | ApiKeyAuthSpec
  | BasicAuthSpec
  | OAuth2AuthSpec
  | GoogleServiceAccountAuthSpec;

// ── Pagination ───────────────────────────────────────────────────────────────────────────────

/** When a pass ends besides "no next page". */
export interface StopSpec {
  /** Dotted path to a boolean; `false` ends the pass (1Password `has_more`). */
  readonly hasMorePath?: string;
  /** An empty page ends the pass (Okta polling, APIs that always return a cursor). */
  readonly onEmptyPage: boolean;
  /** A page with fewer events than the page size ends the pass (offset strategies). */
  readonly onShortPage: boolean;
}

export interface LinkHeaderPaginationSpec {
  readonly strategy: "link_header";
  /** Link relation to follow, matched case-insensitively. */
  readonly rel: string;
  readonly maxPages: number;
  readonly stop: StopSpec;
}

export interface CursorPaginationSpec {
  readonly strategy: "cursor";
  /** Query parameter (GET) or top-level body field (POST) carrying the cursor. */
  readonly cursorParam: string;
  /** Dotted path to the next cursor in the response; a string or a number. */
  readonly cursorPath: string;
  readonly maxPages: number;
  readonly stop: StopSpec;
}

export interface PageOffsetPaginationSpec {
  readonly strategy: "page_offset";
  readonly pageParam: string;
  readonly limitParam: string;
  readonly limit: number;
  /** Number of the first page (1 by default). */
  readonly firstPage: number;
  readonly maxPages: number;
  readonly stop: StopSpec;
}

export interface OffsetPaginationSpec {
  readonly strategy: "offset";
  readonly offsetParam: string;
  readonly limitParam: string;
  readonly limit: number;
  readonly maxPages: number;
  readonly stop: StopSpec;
}

/**
 * Time windows (Tailscale): `start`/`end` parameters advance from the stored watermark to
 * now minus `lagSecs`; one request per window, windows at most `maxWindowSecs` long.
 */
export interface TimeWindowPaginationSpec {
  readonly strategy: "time_window";
  readonly startParam: string;
  readonly endParam: string;
  readonly format: TimeFormat;
  readonly lagSecs: number;
  readonly maxWindowSecs: number;
  /** How far back the very first window starts. */
  readonly initialLookbackSecs: number;
  readonly maxPages: number;
}

/** No pagination: one request per poll. */
export interface SinglePaginationSpec {
  readonly strategy: "single";
}

export type PaginationSpec =
  | LinkHeaderPaginationSpec
  | CursorPaginationSpec
  | PageOffsetPaginationSpec
  | OffsetPaginationSpec
  | TimeWindowPaginationSpec
  | SinglePaginationSpec;

// ── Incremental state ────────────────────────────────────────────────────────────────────────

/** How a time value is written into a request. */
export type TimeFormat = "rfc3339" | "iso8601" | "unix" | "unix_ms";

/**
 * The high-water mark of the events already written (Rust `state.watermark_*` and
 * `incremental_from`, and Flicker's time filter). Compared as time or as numbers, never as text.
 */
export interface WatermarkSpec {
  readonly stateKey: string;
  /** Dotted path to the event value tracked (time or number). */
  readonly eventPath: string;
  /** Request parameter that carries the stored value. */
  readonly param: string;
  /** Query string, or a top-level field of a POST body. */
  readonly location: "query" | "body";
  /** How the value is written; `raw` sends it exactly as the event had it. */
  readonly format: TimeFormat | "raw";
  /** Subtracted from a time watermark before sending (late-arriving events; pair with dedupe). */
  readonly overlapSecs: number;
}

/** A fixed start for the very first request (`from`, `from_param`). */
export interface FromSpec {
  readonly param: string;
  readonly value: Template;
}

// ── Extraction and output shaping ────────────────────────────────────────────────────────────

export interface ExtractSpec {
  /** Dotted path to the events array; absent: a top-level array, else the first of {@link eventKeys}. */
  readonly eventsPath?: string;
  /** Members of an object response searched in order for the events array, when `eventsPath` is absent. */
  readonly eventKeys: readonly string[];
  /** Dotted path inside each element to the event object (GraphQL `node`). */
  readonly eventObjectPath?: string;
  /** Regular expressions (JS syntax) over the event's JSON text: keep events matching any. */
  readonly include: readonly string[];
  /** Regular expressions over the event's JSON text: drop events matching any. */
  readonly exclude: readonly string[];
}

export interface TransformSpec {
  /** Dotted paths tried in order for the envelope `ts` (`timestamp_field`, or the usual names); none: now. */
  readonly timeFields: readonly string[];
  /** Dotted path to the event id, copied to `meta.id`. */
  readonly idField?: string;
  /** Dotted path to a human-readable message, copied to `meta.message`. */
  readonly messageField?: string;
  /** Response headers tried in order (lower case) for `meta.request_id`. */
  readonly requestIdHeaders: readonly string[];
}

/**
 * When a 2xx response is an error all the same. Neither rule advances state; the message quotes
 * the body (redacted, shortened).
 */
export interface ResponseErrorSpec {
  /** A top-level member whose value `false` makes the response an error (Slack's `ok`). */
  readonly okField?: string;
  /** The top-level member with the error text that goes with `okField` (Slack's `error`). */
  readonly messageField?: string;
  /**
   * Top-level members whose presence makes an object response with no events an error
   * (`error`, `errors`): an API reporting a failure, not an empty page.
   */
  readonly errorFields: readonly string[];
}

export interface DedupeSpec {
  /** Dotted path to the id; string or number ids. */
  readonly idPath: string;
  /** Most recent ids remembered (and persisted in the state store). */
  readonly capacity: number;
}

/** What happens when something goes wrong, per source. */
export interface PolicySpec {
  readonly checkpoint: "per_page" | "end_of_tick";
  readonly onCursorError: "reset" | "fail";
  readonly onStateWriteError: "fail" | "skip_checkpoint";
  readonly onParseError: "skip" | "fail";
  readonly onInvalidUtf8: "replace" | "escape" | "fail";
  readonly maxLineBytesBehavior: "truncate" | "skip" | "fail";
}

/** Size limits; absent means unlimited. */
export interface LimitSpec {
  /** Stop paginating once a poll has read this many response bytes. */
  readonly maxBytes?: number;
  /** Fail a response larger than this. */
  readonly maxResponseBytes?: number;
  /** Longest NDJSON line. */
  readonly maxLineBytes?: number;
}

// ── Resilience ───────────────────────────────────────────────────────────────────────────────

export interface TimeoutSpec {
  readonly connectSecs: number;
  /** The whole request, headers and body. */
  readonly requestSecs: number;
  /** Longest pause while reading the body. */
  readonly readSecs: number;
  /** Idle pooled connections are closed after this. */
  readonly idleSecs: number;
  /** The whole poll of a source (all pages); absent: no limit. */
  readonly pollTickSecs?: number;
}

export interface RetrySpec {
  /** Total attempts per request, the first included (1 = no retries). */
  readonly maxAttempts: number;
  readonly initialBackoffSecs: number;
  readonly maxBackoffSecs: number;
  readonly multiplier: number;
  /** Delay × (1 + U[−jitter, +jitter]), 0–1. */
  readonly jitter: number;
  readonly retryableStatusCodes: readonly number[];
}

export interface CircuitBreakerSpec {
  readonly enabled: boolean;
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** Successful probes that close it again. */
  readonly successThreshold: number;
  readonly halfOpenTimeoutSecs: number;
  readonly resetTimeoutSecs?: number;
  /** Open when the failure rate over the last `minimumRequests` requests reaches this. */
  readonly failureRateThreshold?: number;
  readonly minimumRequests?: number;
}

export interface RateLimitHeadersSpec {
  readonly limit: string;
  readonly remaining: string;
  readonly reset: string;
  /** How the reset header is read: epoch seconds, seconds from now, or guessed from its size. */
  readonly resetFormat: "epoch" | "delta" | "auto";
}

export interface RateLimitSpec {
  readonly respectHeaders: boolean;
  readonly pageDelaySecs: number;
  readonly headers: RateLimitHeadersSpec;
  /** Longest wait taken from Retry-After or a reset header. */
  readonly maxWaitSecs: number;
  readonly maxRequestsPerSecond?: number;
  readonly burstSize?: number;
  /** Wait for the reset when `remaining` is at or below this (adaptive mode); absent: off. */
  readonly adaptiveRemaining?: number;
  /** Sources with the same key draw from one client-side bucket (one token, one budget). */
  readonly budgetKey?: string;
  /** Treat a 403 whose remaining header is 0 (GitHub primary limit) as a rate limit. */
  readonly forbiddenMeansRateLimited: boolean;
}

export interface TlsSpec {
  readonly ca?: SecretRef;
  /** Use only the custom CA (true) or add it to the system roots (false). */
  readonly caOnly: boolean;
  readonly clientCert?: SecretRef;
  readonly clientKey?: SecretRef;
  readonly minVersion?: "1.2" | "1.3";
}

export interface ResilienceSpec {
  readonly timeouts: TimeoutSpec;
  readonly retries: RetrySpec;
  readonly circuitBreaker: CircuitBreakerSpec;
  readonly rateLimit: RateLimitSpec;
  /** Concurrent requests of this source (absent: no limit). */
  readonly maxConcurrentRequests?: number;
  readonly tls?: TlsSpec;
}

// ── Hooks (docs/hooks.md) ────────────────────────────────────────────────────────────────────

/**
 * A source's hook script. The IR names where the script is (`file` or `inline`, and `env`);
 * `helrc` then compiles it and the generated module carries only `script` (the compiled code,
 * its SHA-256, hooks and `ctx.env` list) and `allowHosts`.
 */
export interface HooksSpec {
  /** `hooks.script` resolved against `global.hooks.path` (build time only). */
  readonly file?: string;
  /** `hooks.script_inline`, verbatim (build time only). */
  readonly inline?: string;
  /** `hooks.env`: exactly these variables reach `ctx.env` (build time only). */
  readonly env?: readonly string[];
  /** `hooks.allow_hosts`: hosts fetch() and returned URLs may reach beyond the source's own. */
  readonly allowHosts: readonly string[];
  /** The compiled script, embedded by helrc (absent only before the hooks stage ran). */
  readonly script?: HookScriptSpec;
  /** `global.hooks` as this source runs it (set with `script`). */
  readonly settings?: GlobalHooksSpec;
}

/** A compiled hook script (runtime/hooks/types.ts HookScript, as data). */
export interface HookScriptSpec {
  readonly name: string;
  readonly code: string;
  readonly sha256: string;
  readonly hooks: readonly ("getAuth" | "buildRequest" | "parseResponse" | "getNextPage" | "commitState")[];
  readonly env: readonly string[];
  readonly exportsGlobal?: string;
  readonly sourceMap?: string;
}

/** `global.hooks`. */
export interface GlobalHooksSpec {
  /** Sources with `hooks:` run them only when true. */
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly memoryLimitMb: number;
  /** fetch() exists in the sandboxes. */
  readonly allowNetwork: boolean;
  /** A getAuth result is reused this long (0: called on every poll). */
  readonly authCacheTtlSecs: number;
}

// ── Source ───────────────────────────────────────────────────────────────────────────────────

export interface ScheduleSpec {
  readonly intervalSecs: number;
  /** Uniform random delay in [0, jitterSecs] added to each interval. */
  readonly jitterSecs: number;
}

export interface SourceSpec {
  /** The key under `sources:`. */
  readonly id: string;
  /** Where the source was defined, for messages (the path as given, never absolute). */
  readonly origin: string;
  readonly url: Template;
  readonly method: "get" | "post";
  /** POST body (JSON). The cursor and body-located watermarks are merged in at the top level. */
  readonly body?: JsonValue;
  /** Extra request headers, sent on every request. */
  readonly headers: Readonly<Record<string, Template>>;
  /** Query parameters sent on the first request of a pass only (the Rust semantics). */
  readonly queryParams: Readonly<Record<string, Template>>;
  /** Query parameters sent on every request of a pass, followed links included. */
  readonly everyQueryParams: Readonly<Record<string, Template>>;
  /** Producer label in each NDJSON line: `{ [labelKey]: labelValue }`. */
  readonly labelKey: string;
  readonly labelValue: string;
  readonly schedule: ScheduleSpec;
  /** Load-shedding priority, 0–10. */
  readonly priority: number;
  readonly auth?: AuthSpec;
  readonly pagination: PaginationSpec;
  readonly from?: FromSpec;
  readonly watermark?: WatermarkSpec;
  readonly extract: ExtractSpec;
  readonly transform: TransformSpec;
  readonly responseErrors: ResponseErrorSpec;
  readonly dedupe?: DedupeSpec;
  readonly policy: PolicySpec;
  readonly limits: LimitSpec;
  readonly resilience: ResilienceSpec;
  readonly hooks?: HooksSpec;
}

// ── Global ───────────────────────────────────────────────────────────────────────────────────

export type StateBackend = "sqlite" | "memory" | "redis" | "postgres";

export interface StateSpec {
  readonly backend: StateBackend;
  /** SQLite file; `./helr-state.db` by default. Overridable at run time (HELR_STATE_PATH). */
  readonly path: Template;
  /** Redis or Postgres URL (may carry a password: a Template, resolved at run time). */
  readonly url?: Template;
}

// ── Output (`global.output`: the network sinks `--output` selects) ─────────────────────────────

/** How a network sink retries a batch (HTTP) or a message (NATS) that was not acknowledged. */
export interface DeliveryRetrySpec {
  /**
   * Retries after the first attempt before a batch counts as failed. A continuous run keeps
   * retrying after that (polling stays paused, nothing is dropped) and reports the sink as
   * failing; `run --once` and shutdown give up, fail the run and leave state where it was.
   */
  readonly maxRetries: number;
  /** Wait before retry 1; each later wait is `multiplier` times longer, up to `maxBackoffSecs`. */
  readonly initialBackoffSecs: number;
  readonly maxBackoffSecs: number;
  readonly multiplier: number;
  /** Each wait × (1 + U[−jitter, +jitter]), 0–1. */
  readonly jitter: number;
  /** Longest wait taken from a 429/503 `Retry-After` (honoured up to this, then capped). */
  readonly maxRetryAfterSecs: number;
}

/** Credentials the HTTP sink sends, read from env or file before every attempt (rotation works). */
export type HttpSinkAuthSpec =
  | {
      readonly type: "bearer";
      readonly token: SecretRef;
      /** Authorization scheme; `Bearer` by default. */
      readonly prefix: string;
    }
  | {
      readonly type: "basic";
      readonly user: SecretRef;
      /** Absent means an empty password. */
      readonly password?: SecretRef;
    };

/** `global.output.http`: the Rust Helr's keys plus auth, gzip, TLS, retries and a memory bound. */
export interface HttpSinkSpec {
  /** `url`: where lines go when `run` has neither `--output` nor `HELR_OUTPUT` (Flicker's destination). */
  readonly url?: string;
  /** Extra request headers (values may hold `${VAR}`). `Content-Type` defaults to `application/x-ndjson`. */
  readonly headers: Readonly<Record<string, Template>>;
  /** Lines per POST. */
  readonly batchSize: number;
  /** A partial batch is sent this long after its first line arrived. */
  readonly batchTimeoutMs: number;
  /** One POST, connect to last response byte. */
  readonly timeoutSecs: number;
  /** Gzip each body and send `Content-Encoding: gzip`. */
  readonly gzip: boolean;
  readonly auth?: HttpSinkAuthSpec;
  /** CA, client certificate and minimum version, as a source's `resilience.tls`. */
  readonly tls?: TlsSpec;
  readonly retry: DeliveryRetrySpec;
  /** Bytes written and not yet acknowledged before `write` waits (the backpressure point). */
  readonly maxBufferBytes: number;
}

/** How the NATS sink authenticates (at most one; a URL's `user:pass@` or `token@` also works). */
export interface NatsSinkAuthSpec {
  readonly token?: SecretRef;
  readonly user?: SecretRef;
  readonly password?: SecretRef;
  /** A `.creds` file (JWT + NKey seed), as `nsc` writes it. */
  readonly credentials?: SecretRef;
}

/** `global.output.nats`. */
export interface NatsSinkSpec {
  /** Overrides the subject of the `nats://host:port/subject` URL (default `helr.events`). */
  readonly subject?: string;
  /**
   * Publish to JetStream and wait for each ack (default). `false` uses core NATS publish:
   * at-most-once, for subjects no stream captures. Never chosen implicitly.
   */
  readonly jetstream: boolean;
  readonly auth?: NatsSinkAuthSpec;
  readonly tls?: TlsSpec;
  /** Connect timeout at start. */
  readonly connectTimeoutSecs: number;
  /** Wait for one publish's ack. */
  readonly ackTimeoutSecs: number;
  /** Publishes waiting for their ack before `write` waits (the backpressure point). */
  readonly maxInFlight: number;
  readonly retry: DeliveryRetrySpec;
}

/** `global.output`. */
export interface OutputSpec {
  readonly http: HttpSinkSpec;
  readonly nats: NatsSinkSpec;
}

/** A server of the collector (`global.api`, `global.metrics`). */
export interface ServerSpec {
  readonly enabled: boolean;
  /** IPv4, IPv6 (no brackets) or a host name. */
  readonly address: string;
  readonly port: number;
}

/** `global.api`: the server plus the REST API's bearer token, when one is configured. */
export interface ApiServerSpec extends ServerSpec {
  /**
   * `global.api.auth`: where the token comes from (exactly one of `env` / `file`; the file is
   * trimmed). Absent: the API is open and may only bind a loopback address.
   */
  readonly auth?: SecretRef;
}

/** `global.dump_on_sigusr1`: where SIGUSR1 writes the state export and the metrics text. */
export interface DumpSpec {
  readonly destination: "log" | "file";
  /** With `destination: file` (`${VAR}` resolved at run time); rewritten at each signal. */
  readonly path?: Template;
}

export interface GlobalSpec {
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error";
  readonly logFormat: "json" | "pretty";
  /** Key of the producer label in Helr's own JSON logs (and the NDJSON default). */
  readonly labelKey: string;
  /** Value of the producer label in Helr's own logs. */
  readonly labelValue: string;
  readonly state: StateSpec;
  /** Sources polling at the same time (absent: no limit). */
  readonly maxConcurrentSources?: number;
  /** Audit log of credential reads and config loads (never values). */
  readonly audit: {
    readonly enabled: boolean;
    readonly logCredentialAccess: boolean;
    readonly logConfigChanges: boolean;
  };
  /** Health probes (`/healthz`, `/readyz`, `/startupz`) and the REST API. */
  readonly api: ApiServerSpec;
  /** `GET /metrics` in the Prometheus text format. */
  readonly metrics: ServerSpec;
  /** `global.hooks`; absent when no source has hooks and the block is not set. */
  readonly hooks?: GlobalHooksSpec;
  /**
   * `global.replicas`: several replicas sharing the sources through leases (docs/deploy.md).
   * The IR always fills it; optional so that a hand-written spec (tests) means "off".
   */
  readonly replicas?: ReplicasSpec;
  /** Settings of the HTTP and NATS sinks; the URL itself comes from `--output` / `HELR_OUTPUT`. */
  readonly output: OutputSpec;
  /** `global.backpressure` when `enabled: true` (absent: lines go straight to the sink). */
  readonly backpressure?: BackpressureSpec;
  /** `global.degradation` (absent: a failing state store fails the run, as before). */
  readonly degradation?: DegradationSpec;
  /** `global.load_shedding`, only with backpressure. */
  readonly loadShedding?: { readonly skipPriorityBelow: number };
  /** `global.dump_on_sigusr1` (absent: SIGUSR1 is ignored with a log line). */
  readonly dumpOnSigusr1?: DumpSpec;
  /** `global.reload` (absent: defaults): what a reload restarts besides the changed sources. */
  readonly reload?: { readonly restartSourcesOnSighup: boolean };
}

/** `global.replicas`, resolved. */
export interface ReplicasSpec {
  readonly enabled: boolean;
  readonly leaseTtlSecs: number;
  /** Absent: a third of the TTL. */
  readonly renewEverySecs?: number;
}

/** A bounded output queue between the engine and the sink (docs/backpressure.md). */
export interface BackpressureSpec {
  /** Queued events before the strategy applies. */
  readonly eventQueueSize: number;
  /** Process RSS in MB above which the strategy applies. */
  readonly memoryThresholdMb?: number;
  /** Queued bytes before the strategy applies; 0 = no byte cap. */
  readonly stdoutBufferSize: number;
  readonly strategy: "block" | "disk_buffer" | "drop";
  readonly dropPolicy: "oldest_first" | "newest_first" | "random";
  /** Queued events older than this are dropped (reason `max_queue_age`). */
  readonly maxQueueAgeSecs?: number;
  /** With `strategy: disk_buffer`. */
  readonly diskBuffer?: {
    /** Segment prefix (`${VAR}` resolved at run time): segments are `<path>.<n>`. */
    readonly path: Template;
    readonly maxSizeMb: number;
    readonly segmentSizeMb: number;
  };
}

/** What to do when the state store is unavailable (docs/backpressure.md). */
export interface DegradationSpec {
  /** Keep state in memory while the primary cannot be opened or written, retrying it. */
  readonly stateStoreFallback?: "memory";
  /** A failed state write skips the checkpoint (every source), instead of failing the poll. */
  readonly emitWithoutCheckpoint: boolean;
  /** Poll interval multiplier while degraded. */
  readonly reducedFrequencyMultiplier: number;
}
