import type {
  CircuitBreakerSpec,
  RateLimitSpec,
  ResilienceSpec,
  RetrySpec,
  TimeoutSpec,
  TlsSpec,
} from "../../runtime/spec.ts";
import type { RawGlobal, RawResilience } from "../config-shape/types.ts";
import { secretRef } from "./build-auth.ts";
import { DEFAULTS } from "./defaults.ts";
import { literal, optional, unescapeDollars } from "./text.ts";

/**
 * Resolves `resilience:`. Unlike the reference, retries, the circuit breaker and Retry-After
 * handling are on even when their blocks are absent (docs/configuration.md says why).
 */
export function buildResilience(
  raw: RawResilience | undefined,
  global: RawGlobal | undefined,
): ResilienceSpec {
  const requests = raw?.bulkhead?.max_concurrent_requests ?? global?.bulkhead?.max_concurrent_requests;
  const tls = buildTls(raw?.tls);
  return {
    timeouts: buildTimeouts(raw),
    retries: buildRetries(raw?.retries),
    circuitBreaker: buildBreaker(raw?.circuit_breaker),
    rateLimit: buildRateLimit(raw?.rate_limit),
    // 0 means "no limit" in the reference; the IR says it by leaving the field out.
    ...optional("maxConcurrentRequests", requests === 0 ? undefined : requests),
    ...optional("tls", tls),
  };
}

function buildTimeouts(raw: RawResilience | undefined): TimeoutSpec {
  const t = raw?.timeouts;
  const requestSecs = t?.request_secs ?? raw?.timeout_secs ?? DEFAULTS.requestTimeoutSecs;
  return {
    connectSecs: t?.connect_secs ?? Math.min(DEFAULTS.connectTimeoutSecs, requestSecs),
    requestSecs,
    readSecs: t?.read_secs ?? Math.min(DEFAULTS.readTimeoutSecs, requestSecs),
    idleSecs: t?.idle_secs ?? DEFAULTS.idleTimeoutSecs,
    ...optional("pollTickSecs", t?.poll_tick_secs),
  };
}

function buildRetries(raw: RawResilience["retries"]): RetrySpec {
  return {
    // The reference counts 0 as "no retries", which is one attempt.
    maxAttempts: Math.max(1, raw?.max_attempts ?? DEFAULTS.retryMaxAttempts),
    initialBackoffSecs: raw?.initial_backoff_secs ?? DEFAULTS.retryInitialBackoffSecs,
    maxBackoffSecs: raw?.max_backoff_secs ?? DEFAULTS.retryMaxBackoffSecs,
    multiplier: raw?.multiplier ?? DEFAULTS.retryMultiplier,
    jitter: raw?.jitter ?? DEFAULTS.retryJitter,
    retryableStatusCodes: [...(raw?.retryable_status_codes ?? DEFAULTS.retryableStatusCodes)],
  };
}

function buildBreaker(raw: RawResilience["circuit_breaker"]): CircuitBreakerSpec {
  return {
    enabled: raw?.enabled ?? DEFAULTS.breakerEnabled,
    failureThreshold: raw?.failure_threshold ?? DEFAULTS.breakerFailureThreshold,
    successThreshold: raw?.success_threshold ?? DEFAULTS.breakerSuccessThreshold,
    halfOpenTimeoutSecs: raw?.half_open_timeout_secs ?? DEFAULTS.breakerHalfOpenTimeoutSecs,
    ...optional("resetTimeoutSecs", raw?.reset_timeout_secs),
    ...optional("failureRateThreshold", raw?.failure_rate_threshold),
    ...optional("minimumRequests", raw?.minimum_requests),
  };
}

function buildRateLimit(raw: RawResilience["rate_limit"]): RateLimitSpec {
  const headers = raw?.headers;
  const adaptive =
    raw?.adaptive_remaining ?? (raw?.adaptive === true ? DEFAULTS.adaptiveRemaining : undefined);
  return {
    respectHeaders: raw?.respect_headers ?? DEFAULTS.respectHeaders,
    pageDelaySecs: raw?.page_delay_secs ?? DEFAULTS.pageDelaySecs,
    headers: {
      limit: unescapeDollars(headers?.limit_header ?? DEFAULTS.limitHeader),
      remaining: unescapeDollars(headers?.remaining_header ?? DEFAULTS.remainingHeader),
      reset: unescapeDollars(headers?.reset_header ?? DEFAULTS.resetHeader),
      resetFormat: headers?.reset_format ?? DEFAULTS.resetFormat,
    },
    maxWaitSecs: raw?.max_wait_secs ?? DEFAULTS.rateLimitMaxWaitSecs,
    ...optional("maxRequestsPerSecond", raw?.max_requests_per_second),
    // The reference: burst defaults to ceil(rps) when a rate is set.
    ...optional(
      "burstSize",
      raw?.burst_size ??
        (raw?.max_requests_per_second === undefined ? undefined : Math.ceil(raw.max_requests_per_second)),
    ),
    ...optional("adaptiveRemaining", adaptive),
    ...optional("budgetKey", literal(raw?.budget_key)),
    forbiddenMeansRateLimited: raw?.forbidden_means_rate_limited ?? DEFAULTS.forbiddenMeansRateLimited,
  };
}

/** `tls:` (a source's `resilience.tls`, or a network sink's). */
export function buildTls(raw: RawResilience["tls"]): TlsSpec | undefined {
  if (raw === undefined) return undefined;
  return {
    ...optional("ca", secretRef(raw, "ca")),
    caOnly: raw.ca_only ?? DEFAULTS.tlsCaOnly,
    ...optional("clientCert", secretRef(raw, "client_cert")),
    ...optional("clientKey", secretRef(raw, "client_key")),
    ...optional("minVersion", raw.min_version),
  };
}
