import { describe, expect, it } from "vitest";
import { createBudgetRegistry } from "../../../runtime/resilience/budget.ts";
import { bucketConfig, fullBucket, reserve } from "../../../runtime/resilience/token-bucket.ts";
import { RESILIENCE } from "../../support/resilience-spec.ts";

const limited = (rps: number, burst?: number) => ({
  ...RESILIENCE.rateLimit,
  maxRequestsPerSecond: rps,
  ...(burst !== undefined ? { burstSize: burst } : {}),
});

describe("token bucket", () => {
  it("defaults burst to ceil(rate) and is off without a rate", () => {
    expect(bucketConfig(limited(2.5))).toEqual({ ratePerSec: 2.5, burst: 3 });
    expect(bucketConfig(limited(0.2))).toEqual({ ratePerSec: 0.2, burst: 1 });
    expect(bucketConfig(RESILIENCE.rateLimit)).toBeUndefined();
  });

  it("lets a burst through at once, then spaces requests by 1/rate", () => {
    const config = { ratePerSec: 2, burst: 2 };
    let state = fullBucket(config, 0);
    const waits = [0, 1, 2, 3].map(() => {
      const r = reserve(config, state, 0);
      state = r.state;
      return r.waitMs;
    });
    expect(waits).toEqual([0, 0, 500, 1000]);
    expect(reserve(config, state, 5000).waitMs).toBe(0);
  });

  it("does not refill when the clock runs backwards", () => {
    const config = { ratePerSec: 1, burst: 1 };
    const first = reserve(config, fullBucket(config, 10_000), 10_000);
    expect(reserve(config, first.state, 5_000).waitMs).toBe(6_000);
  });
});

describe("budgets", () => {
  it("are shared by key and survive as long as the registry", () => {
    const registry = createBudgetRegistry();
    const a = registry.get("okta-org", limited(1, 1));
    const b = registry.get("okta-org", limited(1, 1));
    expect(a).toBe(b);
    expect(a.reserve(0)).toBe(0);
    expect(b.reserve(0)).toBe(1000);
    expect(registry.get("other", limited(1, 1)).reserve(0)).toBe(0);
  });

  it("take the stricter rate when sources sharing a key disagree", () => {
    const registry = createBudgetRegistry();
    registry.get("k", limited(10, 10));
    const budget = registry.get("k", limited(1, 1));
    expect(budget.reserve(0)).toBe(0);
    expect(budget.reserve(0)).toBe(1000);
  });

  it("hold requests until a rate-limit block ends, then apply the bucket", () => {
    const registry = createBudgetRegistry();
    const plain = registry.get("plain", RESILIENCE.rateLimit);
    expect(plain.blockUntil(5000)).toBe(true);
    expect(plain.blockUntil(3000)).toBe(false);
    expect(plain.reserve(1000)).toBe(4000);
    const bucket = registry.get("bucket", limited(1, 1));
    bucket.blockUntil(5000);
    expect([bucket.reserve(1000), bucket.reserve(1000)]).toEqual([4000, 5000]);
  });
});
