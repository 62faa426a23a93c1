import type { RetrySpec } from "../spec.ts";

/**
 * Exponential backoff before retry number `retry` (1 = the first retry), before jitter, in ms:
 * `initial × multiplier^(retry−1)`, capped at `maxBackoffSecs`. A multiplier below 1 is read as 1
 * so delays never shrink from one retry to the next.
 */
export function baseBackoffMs(spec: RetrySpec, retry: number): number {
  const multiplier = Math.max(1, spec.multiplier);
  const raw = spec.initialBackoffSecs * multiplier ** Math.max(0, retry - 1);
  return Math.max(0, Math.min(spec.maxBackoffSecs, raw)) * 1000;
}

/**
 * Applies jitter: `base × (1 + U[−jitter, +jitter])`, jitter clamped to [0, 1], result ≥ 0.
 * `random` returns a number in [0, 1). The cap applies before jitter, as in the reference.
 */
export function jittered(baseMs: number, jitter: number, random: () => number): number {
  const j = Math.min(1, Math.max(0, jitter));
  return Math.max(0, baseMs * (1 + (2 * random() - 1) * j));
}

/** The delay before retry number `retry`: {@link baseBackoffMs} with {@link jittered} applied. */
export function backoffMs(spec: RetrySpec, retry: number, random: () => number): number {
  return jittered(baseBackoffMs(spec, retry), spec.jitter, random);
}
