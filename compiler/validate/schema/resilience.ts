import { DEFAULTS } from "../../ir/defaults.ts";
import { decimal, flag, integer, object, oneOfValues, ref, type SchemaNode, text } from "./types.ts";

const seconds = (description: string, fallback?: number) => integer(description, 1, undefined, fallback);

const timeouts = object({
  connect_secs: seconds("TCP connect timeout."),
  request_secs: seconds("Whole request/response timeout."),
  read_secs: seconds("Response body read timeout."),
  idle_secs: seconds("Idle pooled connection timeout."),
  poll_tick_secs: seconds("Timeout for a whole poll of this source."),
});

const retries = object({
  max_attempts: integer("Total attempts per request (0 = no retries).", 0, undefined, 3),
  initial_backoff_secs: decimal("First backoff delay.", { min: 0 }),
  max_backoff_secs: decimal("Backoff cap.", { min: 0 }),
  multiplier: decimal("Backoff growth per attempt.", { above: 0 }),
  jitter: decimal("Relative jitter: delay × (1 ± jitter).", { min: 0, max: 1 }),
  retryable_status_codes: {
    type: "array",
    description: "HTTP statuses to retry (default 408, 429, 5xx).",
    items: integer("HTTP status.", 100, 599),
  },
});

const circuitBreaker = object({
  enabled: flag("Enable the circuit breaker.", true),
  failure_threshold: integer("Consecutive failures before opening.", 1, undefined, 5),
  success_threshold: integer("Half-open successes before closing.", 1, undefined, 2),
  half_open_timeout_secs: seconds("Seconds before a half-open probe.", 60),
  reset_timeout_secs: seconds("Maximum time open."),
  failure_rate_threshold: decimal("Open at this failure rate (needs minimum_requests).", { min: 0, max: 1 }),
  minimum_requests: integer("Requests before the failure rate counts.", 1),
});

const rateLimit = object({
  respect_headers: flag("Honour Retry-After / reset headers on 429.", true),
  page_delay_secs: decimal("Delay between pages.", { min: 0 }),
  headers: object({
    limit_header: text("Header with the rate-limit ceiling."),
    remaining_header: text("Header with the remaining requests."),
    reset_header: text("Header with the reset time (Unix seconds)."),
  }),
  max_requests_per_second: decimal("Client-side request rate cap.", { above: 0 }),
  burst_size: integer("Client-side burst size.", 1),
  adaptive: flag("Wait for the reset when the remaining count is ≤ 1."),
});

const tls = object({
  ca_file: ref("filePath"),
  ca_env: ref("envName"),
  ca_only: flag("Use only the given CA, not the system roots.", false),
  client_cert_file: ref("filePath"),
  client_cert_env: ref("envName"),
  client_key_file: ref("filePath"),
  client_key_env: ref("envName"),
  min_version: oneOfValues(["1.2", "1.3"], 'Minimum TLS version (quote it: "1.2").'),
});

/** Per-source `resilience:`: timeouts, retries, circuit breaker, rate limit, TLS, bulkhead. */
export const RESILIENCE_SCHEMA: SchemaNode = object(
  {
    timeout_secs: seconds("Request timeout.", DEFAULTS.timeoutSecs),
    timeouts,
    retries,
    circuit_breaker: circuitBreaker,
    rate_limit: rateLimit,
    tls,
    bulkhead: object({
      max_concurrent_requests: integer("Concurrent requests for this source (0 = no limit).", 0),
    }),
  },
  { description: "Timeouts, retries, circuit breaker, rate limit and TLS." },
);
