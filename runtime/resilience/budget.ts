import type { RateLimitSpec } from "../spec.ts";
import { type BucketConfig, type BucketState, bucketConfig, fullBucket, reserve } from "./token-bucket.ts";

/**
 * A rate budget: an optional token bucket plus a "blocked until" time set by rate-limit headers
 * (Retry-After, reset, adaptive mode). Sources with the same `budgetKey` share one budget, so one
 * 429 pauses every source spending the same token. It lives as long as its registry (across polls).
 */
export interface Budget {
  readonly key: string;
  /** Books one request at `nowMs`; returns how long to wait before sending it. */
  reserve(nowMs: number): number;
  /** Blocks the budget until `atMs`; returns true when that extends the current block. */
  blockUntil(atMs: number): boolean;
  /** Epoch ms until which requests wait (0 when never blocked). */
  blockedUntil(): number;
}

/** Budgets by key; one per process, shared by every source runtime. */
export interface BudgetRegistry {
  /** The budget for `key`, created on first use. Sources sharing a key with different rates get the lower. */
  get(key: string, spec: RateLimitSpec): Budget;
}

/** A new, empty registry. */
export function createBudgetRegistry(): BudgetRegistry {
  const budgets = new Map<string, { budget: Budget; tighten(config: BucketConfig | undefined): void }>();
  return {
    get(key, spec) {
      const config = bucketConfig(spec);
      const existing = budgets.get(key);
      if (existing) {
        existing.tighten(config);
        return existing.budget;
      }
      const created = createBudget(key, config);
      budgets.set(key, created);
      return created.budget;
    },
  };
}

function createBudget(
  key: string,
  initial: BucketConfig | undefined,
): { budget: Budget; tighten(config: BucketConfig | undefined): void } {
  let config = initial;
  let bucket: BucketState | undefined;
  let blocked = 0;
  const budget: Budget = {
    key,
    reserve(nowMs) {
      if (!config) return Math.max(0, blocked - nowMs);
      const r = reserve(config, bucket ?? fullBucket(config, nowMs), nowMs, blocked);
      bucket = r.state;
      return r.waitMs;
    },
    blockUntil(atMs) {
      if (atMs <= blocked) return false;
      blocked = atMs;
      return true;
    },
    blockedUntil: () => blocked,
  };
  const tighten = (other: BucketConfig | undefined): void => {
    if (!other) return;
    config = config
      ? {
          ratePerSec: Math.min(config.ratePerSec, other.ratePerSec),
          burst: Math.min(config.burst, other.burst),
        }
      : other;
    if (bucket) bucket = { tokens: Math.min(bucket.tokens, config.burst), atMs: bucket.atMs };
  };
  return { budget, tighten };
}
