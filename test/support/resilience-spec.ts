import type {
  CircuitBreakerSpec,
  RateLimitSpec,
  ResilienceSpec,
  RetrySpec,
  SourceSpec,
  TimeoutSpec,
} from "../../runtime/spec.ts";
import { sourceSpec } from "./source-spec.ts";

/** Parts of a ResilienceSpec to override; each block is merged over {@link RESILIENCE}. */
export interface ResilienceOverrides {
  readonly timeouts?: Partial<TimeoutSpec>;
  readonly retries?: Partial<RetrySpec>;
  readonly circuitBreaker?: Partial<CircuitBreakerSpec>;
  readonly rateLimit?: Partial<RateLimitSpec>;
  readonly maxConcurrentRequests?: number;
}

/** The compiler's defaults (compiler/ir/defaults.ts) with times shortened for tests. */
export const RESILIENCE: ResilienceSpec = {
  timeouts: { connectSecs: 2, requestSecs: 5, readSecs: 5, idleSecs: 5 },
  retries: {
    maxAttempts: 3,
    initialBackoffSecs: 0.01,
    maxBackoffSecs: 0.1,
    multiplier: 2,
    jitter: 0,
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

/** A ResilienceSpec: {@link RESILIENCE} with `o` merged block by block. */
export function resilience(o: ResilienceOverrides = {}): ResilienceSpec {
  return {
    timeouts: { ...RESILIENCE.timeouts, ...o.timeouts },
    retries: { ...RESILIENCE.retries, ...o.retries },
    circuitBreaker: { ...RESILIENCE.circuitBreaker, ...o.circuitBreaker },
    rateLimit: { ...RESILIENCE.rateLimit, ...o.rateLimit },
    ...(o.maxConcurrentRequests !== undefined ? { maxConcurrentRequests: o.maxConcurrentRequests } : {}),
  };
}

/** A single-request source whose resilience is {@link resilience}(o). */
export function resilientSource(
  o: ResilienceOverrides = {},
  id = "flaky",
  url = "http://127.0.0.1:1/logs",
): SourceSpec {
  return sourceSpec({ strategy: "single" }, { id, url, resilience: resilience(o) });
}
