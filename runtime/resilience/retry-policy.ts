import { errorEntry, isErrorCode } from "../errors/codes.ts";
import type { ResilienceSpec } from "../spec.ts";
import { backoffMs } from "./backoff.ts";
import { type HeaderMap, type HeaderWait, headerWait, readRateLimit } from "./rate-limit-headers.ts";

/** What one attempt produced, as far as the retry decision cares. */
export type AttemptResult =
  | { readonly kind: "status"; readonly status: number; readonly headers: HeaderMap }
  | { readonly kind: "error"; readonly code: string };

/** The verdict on a response's status, before attempts are counted. */
export interface StatusVerdict {
  readonly rateLimited: boolean;
  readonly retryable: boolean;
  /** The server's requested wait (Retry-After or reset), capped; only for rate-limited responses. */
  readonly wait?: HeaderWait;
}

/**
 * Classifies a status. Rate limited: 429; 503 with `Retry-After`; 403 when
 * `forbiddenMeansRateLimited` and the remaining header is 0 or `Retry-After` is present (GitHub's
 * primary and secondary limits). Retryable: in `retryableStatusCodes`, or a rate-limited 403
 * (declaring the 403 a rate limit is the opt-in).
 */
export function classifyStatus(
  status: number,
  headers: HeaderMap,
  spec: ResilienceSpec,
  nowMs: number,
): StatusVerdict {
  const listed = spec.retries.retryableStatusCodes.includes(status);
  const rateLimited = isRateLimited(status, headers, spec, nowMs);
  if (!rateLimited) return { rateLimited, retryable: listed };
  const wait = headerWait(headers, spec.rateLimit, nowMs);
  return { rateLimited, retryable: listed || status === 403, ...(wait ? { wait } : {}) };
}

function isRateLimited(status: number, headers: HeaderMap, spec: ResilienceSpec, nowMs: number): boolean {
  if (status === 429) return true;
  const hasRetryAfter = (headers.get("retry-after") ?? []).length > 0;
  if (status === 503) return hasRetryAfter;
  if (status !== 403 || !spec.rateLimit.forbiddenMeansRateLimited) return false;
  return hasRetryAfter || readRateLimit(headers, spec.rateLimit.headers, nowMs).remaining === 0;
}

/**
 * Whether a logical request's final status counts against the circuit breaker: 5xx, 408, 429
 * and rate-limited 403s do (the service is down, slow or shedding load); other 4xx do not
 * (the service answered; the request or credentials are wrong, which retrying cannot fix).
 */
export function isBreakerFailure(status: number, rateLimited: boolean): boolean {
  return status >= 500 || status === 408 || status === 429 || rateLimited;
}

/**
 * Whether a failure without a response is worth another attempt: resets, refused connections and
 * timeouts are (the catalog's `retry` flag); TLS verification, an abort or a bug are not.
 */
export function isRetryableError(code: string): boolean {
  return isErrorCode(code) && errorEntry(code).retry === true;
}

/** What to do after an attempt. */
export type RetryDecision =
  | { readonly action: "accept" }
  | {
      readonly action: "retry";
      readonly delayMs: number;
      /** `header`: the server's Retry-After or reset (capped); `backoff`: exponential with jitter. */
      readonly basis: "header" | "backoff";
      readonly wait?: HeaderWait;
    }
  | { readonly action: "give_up"; readonly exhausted: boolean };

/** Inputs of {@link decideRetry}. */
export interface RetryInput {
  /** The attempt that just finished, 1-based. */
  readonly attempt: number;
  readonly result: AttemptResult;
  readonly spec: ResilienceSpec;
  readonly nowMs: number;
  readonly random: () => number;
}

/**
 * Decides after one attempt. A 2xx or a non-retryable status is accepted (handed back as is);
 * a retryable status or transport error is retried while attempts remain (`maxAttempts` counts
 * the first). A rate-limited response waits what its headers say (capped at `maxWaitSecs`, even
 * 0); only when it carries no readable hint does it fall back to backoff.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { attempt, result, spec } = input;
  const remaining = attempt < Math.max(1, spec.retries.maxAttempts);
  if (result.kind === "error") {
    if (!isRetryableError(result.code)) return { action: "give_up", exhausted: false };
    return remaining ? backoff(input) : { action: "give_up", exhausted: true };
  }
  if (result.status >= 200 && result.status < 300) return { action: "accept" };
  const verdict = classifyStatus(result.status, result.headers, spec, input.nowMs);
  if (!verdict.retryable) return { action: "accept" };
  if (!remaining) return { action: "give_up", exhausted: true };
  if (verdict.wait)
    return { action: "retry", delayMs: verdict.wait.waitMs, basis: "header", wait: verdict.wait };
  return backoff(input);
}

function backoff(input: RetryInput): RetryDecision {
  return {
    action: "retry",
    delayMs: backoffMs(input.spec.retries, input.attempt, input.random),
    basis: "backoff",
  };
}
