import { describe, expect, it } from "vitest";
import { backoffMs, baseBackoffMs, jittered } from "../../../runtime/resilience/backoff.ts";
import { RESILIENCE } from "../../support/resilience-spec.ts";

const retries = {
  ...RESILIENCE.retries,
  initialBackoffSecs: 1,
  multiplier: 2,
  maxBackoffSecs: 10,
  jitter: 0.2,
};

describe("backoff", () => {
  it("grows as initial × multiplier^n and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => baseBackoffMs(retries, n))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it("never shrinks: a multiplier below 1 is read as 1", () => {
    const flat = { ...retries, multiplier: 0.5 };
    expect([1, 2, 3].map((n) => baseBackoffMs(flat, n))).toEqual([1000, 1000, 1000]);
  });

  it("jitters by ×(1 + U[−j, +j]) and clamps j to [0, 1]", () => {
    expect(jittered(1000, 0.2, () => 0)).toBe(800);
    expect(jittered(1000, 0.2, () => 0.5)).toBe(1000);
    expect(jittered(1000, 0.2, () => 0.999_999)).toBeCloseTo(1200, 2);
    expect(jittered(1000, 5, () => 0)).toBe(0);
    expect(jittered(1000, -1, () => 0)).toBe(1000);
  });

  it("applies jitter after the cap", () => {
    expect(backoffMs(retries, 9, () => 0)).toBe(8000);
  });
});
