import { DEFAULTS } from "../ir/defaults.ts";
import { envName, filePath } from "./common.ts";
import { decimal, flag, integer, list, object, oneOfValues, text } from "./kit.ts";

const seconds = (description: string, fallback?: number) => integer(description, 1, undefined, fallback);

const timeouts = object({
  connect_secs: seconds(
    `TCP connect timeout (default: the smaller of ${DEFAULTS.connectTimeoutSecs} and the request timeout).`,
  ),
  request_secs: seconds("Whole request/response timeout (default: `timeout_secs`)."),
  read_secs: seconds(
    `Longest pause while reading the body (default: the smaller of ${DEFAULTS.readTimeoutSecs} and the request timeout).`,
  ),
  idle_secs: seconds("Idle pooled connection timeout.", DEFAULTS.idleTimeoutSecs),
  poll_tick_secs: seconds("Timeout for a whole poll of this source (default: none)."),
});

const retries = object({
  max_attempts: integer(
    "Total attempts per request, the first included (0 and 1 both mean no retries).",
    0,
    undefined,
    DEFAULTS.retryMaxAttempts,
  ),
  initial_backoff_secs: decimal("First backoff delay.", { min: 0 }, DEFAULTS.retryInitialBackoffSecs),
  max_backoff_secs: decimal("Backoff cap.", { min: 0 }, DEFAULTS.retryMaxBackoffSecs),
  multiplier: decimal("Backoff growth per attempt.", { above: 0 }, DEFAULTS.retryMultiplier),
  jitter: decimal("Relative jitter: delay × (1 ± jitter), 0–1.", { min: 0, max: 1 }, DEFAULTS.retryJitter),
  retryable_status_codes: list(
    integer("HTTP status.", 100, 599),
    "HTTP statuses to retry; transport errors are always retried.",
    { default: DEFAULTS.retryableStatusCodes },
  ),
});

const circuitBreaker = object({
  enabled: flag("Enable the circuit breaker.", DEFAULTS.breakerEnabled),
  failure_threshold: integer(
    "Consecutive failures before opening.",
    1,
    undefined,
    DEFAULTS.breakerFailureThreshold,
  ),
  success_threshold: integer(
    "Half-open successes before closing.",
    1,
    undefined,
    DEFAULTS.breakerSuccessThreshold,
  ),
  half_open_timeout_secs: seconds("Seconds before a half-open probe.", DEFAULTS.breakerHalfOpenTimeoutSecs),
  reset_timeout_secs: seconds("Maximum time open."),
  failure_rate_threshold: decimal("Open at this failure rate (needs minimum_requests).", { min: 0, max: 1 }),
  minimum_requests: integer("Requests before the failure rate counts.", 1),
});

const rateLimit = object({
  respect_headers: flag("Honour Retry-After / reset headers on 429.", DEFAULTS.respectHeaders),
  page_delay_secs: decimal("Delay between pages.", { min: 0 }, DEFAULTS.pageDelaySecs),
  headers: object({
    limit_header: text("Header with the rate-limit ceiling.", { default: DEFAULTS.limitHeader }),
    remaining_header: text("Header with the remaining requests.", { default: DEFAULTS.remainingHeader }),
    reset_header: text("Header with the reset time.", { default: DEFAULTS.resetHeader }),
    reset_format: oneOfValues(
      ["epoch", "delta", "auto"],
      "Reset header as Unix seconds, seconds from now, or guessed from its size.",
      DEFAULTS.resetFormat,
    ),
  }),
  max_requests_per_second: decimal("Client-side request rate cap.", { above: 0 }),
  burst_size: integer("Client-side burst size (needs max_requests_per_second).", 1),
  adaptive: flag(`Wait for the reset when the remaining count is ≤ ${DEFAULTS.adaptiveRemaining}.`),
  adaptive_remaining: integer("Wait for the reset when the remaining count is at or below this.", 0),
  max_wait_secs: seconds(
    "Longest wait taken from Retry-After or a reset header.",
    DEFAULTS.rateLimitMaxWaitSecs,
  ),
  budget_key: text("Sources with the same key share one client-side request budget."),
  forbidden_means_rate_limited: flag(
    "Treat a 403 whose remaining header is 0 as a rate limit (GitHub).",
    DEFAULTS.forbiddenMeansRateLimited,
  ),
});

/** `tls:` of a source's resilience block, also used by the network sinks (`global.output.*.tls`). */
export const TLS_SCHEMA = object({
  ca_file: filePath,
  ca_env: envName,
  ca_only: flag("Use only the given CA, not the system roots.", DEFAULTS.tlsCaOnly),
  client_cert_file: filePath,
  client_cert_env: envName,
  client_key_file: filePath,
  client_key_env: envName,
  min_version: oneOfValues(["1.2", "1.3"], 'Minimum TLS version (quote it: "1.2").'),
});

/** Per-source `resilience:`: timeouts, retries, circuit breaker, rate limit, TLS, bulkhead. */
export const RESILIENCE_SCHEMA = object(
  {
    timeout_secs: seconds("Request timeout.", DEFAULTS.requestTimeoutSecs),
    timeouts,
    retries,
    circuit_breaker: circuitBreaker,
    rate_limit: rateLimit,
    tls: TLS_SCHEMA,
    bulkhead: object({
      max_concurrent_requests: integer(
        "Concurrent requests for this source (0 = no limit; default: the global bulkhead).",
        0,
      ),
    }),
  },
  { description: "Timeouts, retries, circuit breaker, rate limit and TLS." },
);
