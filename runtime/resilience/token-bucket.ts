import type { RateLimitSpec } from "../spec.ts";

/** A client-side token bucket: `burst` tokens, refilled at `ratePerSec`. */
export interface BucketConfig {
  readonly ratePerSec: number;
  readonly burst: number;
}

/**
 * Bucket state: `tokens` as of `atMs`. Negative tokens are reservations already handed out
 * (requests told to wait), so concurrent callers queue fairly without polling.
 */
export interface BucketState {
  readonly tokens: number;
  readonly atMs: number;
}

/** The bucket a rate-limit block asks for; undefined without `maxRequestsPerSecond`. */
export function bucketConfig(spec: RateLimitSpec): BucketConfig | undefined {
  const rate = spec.maxRequestsPerSecond;
  if (rate === undefined || !(rate > 0)) return undefined;
  return { ratePerSec: rate, burst: Math.max(1, spec.burstSize ?? Math.ceil(rate)) };
}

/** A full bucket at `nowMs`. */
export function fullBucket(config: BucketConfig, nowMs: number): BucketState {
  return { tokens: config.burst, atMs: nowMs };
}

/** The result of {@link reserve}: the new state, and how long the caller must wait before sending. */
export interface Reservation {
  readonly state: BucketState;
  readonly waitMs: number;
}

/**
 * Takes one token for a request made at `nowMs` that may not go before `notBeforeMs`
 * (a rate-limit block). The request is granted at the returned wait; in any window of length
 * w, grants never exceed `ratePerSec × w + burst`. Time running backwards never adds tokens.
 */
export function reserve(
  config: BucketConfig,
  state: BucketState,
  nowMs: number,
  notBeforeMs = nowMs,
): Reservation {
  const t = Math.max(nowMs, notBeforeMs, state.atMs);
  const refilled = Math.min(config.burst, state.tokens + ((t - state.atMs) / 1000) * config.ratePerSec);
  const tokens = refilled - 1;
  const grantAt = tokens >= 0 ? t : t + (-tokens / config.ratePerSec) * 1000;
  return { state: { tokens, atMs: t }, waitMs: grantAt - nowMs };
}
