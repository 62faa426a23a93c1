import { describe, expect, it } from "vitest";
import {
  adaptiveWait,
  headerWait,
  parseRetryAfter,
  readRateLimit,
  resetWaitMs,
} from "../../../runtime/resilience/rate-limit-headers.ts";
import { response } from "../../support/resilience-harness.ts";
import { RESILIENCE } from "../../support/resilience-spec.ts";

const NOW = Date.UTC(2024, 4, 21, 13, 0, 0);
const NOW_S = NOW / 1000;
const rateLimit = { ...RESILIENCE.rateLimit, maxWaitSecs: 60 };
const headers = (h: Record<string, string | string[]>) => response(429, h).headers;

describe("Retry-After", () => {
  it("reads delta seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("-5", NOW)).toBeUndefined();
  });

  it("is preferred over the reset header and capped at max_wait_secs", () => {
    const both = headers({ "retry-after": "7", "x-ratelimit-reset": String(NOW_S + 50) });
    expect(headerWait(both, rateLimit, NOW)).toEqual({
      waitMs: 7000,
      requestedMs: 7000,
      from: "retry-after",
      capped: false,
    });
    const long = headers({ "retry-after": "3600" });
    expect(headerWait(long, rateLimit, NOW)).toEqual({
      waitMs: 60_000,
      requestedMs: 3_600_000,
      from: "retry-after",
      capped: true,
    });
  });

  it("is ignored when respect_headers is off", () => {
    expect(
      headerWait(headers({ "retry-after": "7" }), { ...rateLimit, respectHeaders: false }, NOW),
    ).toBeUndefined();
  });
});

describe("reset headers", () => {
  it("reads epoch seconds, deltas, and guesses with auto", () => {
    expect(resetWaitMs(NOW_S + 12, "epoch", NOW)).toBe(12_000);
    expect(resetWaitMs(12, "delta", NOW)).toBe(12_000);
    expect(resetWaitMs(NOW_S + 12, "auto", NOW)).toBe(12_000);
    expect(resetWaitMs(12, "auto", NOW)).toBe(12_000);
    expect(resetWaitMs(NOW_S - 12, "epoch", NOW)).toBe(0);
  });

  it("measures an epoch reset against the server's Date header (clock skew)", () => {
    const serverNow = NOW - 10_000; // our clock runs 10 s ahead
    const h = headers({
      date: new Date(serverNow).toUTCString(),
      "x-ratelimit-reset": String(serverNow / 1000 + 5),
    });
    expect(readRateLimit(h, rateLimit.headers, NOW).resetInMs).toBe(5000);
  });

  it("uses the configured names first, then the Okta and GitHub names", () => {
    const okta = headers({
      "x-rate-limit-remaining": "0",
      "x-rate-limit-reset": String(NOW_S + 3),
      "x-rate-limit-limit": "600",
    });
    expect(readRateLimit(okta, rateLimit.headers, NOW)).toEqual({
      limit: 600,
      remaining: 0,
      resetInMs: 3000,
    });
    const custom = {
      ...rateLimit.headers,
      remaining: "Budget-Left",
      reset: "Budget-Reset",
      resetFormat: "delta" as const,
    };
    const both = headers({ "budget-left": "4", "budget-reset": "9", "x-ratelimit-remaining": "100" });
    expect(readRateLimit(both, custom, NOW)).toEqual({ remaining: 4, resetInMs: 9000 });
  });

  it("believes the most conservative of duplicated values (okta-sdk-java#259)", () => {
    const dup = headers({
      "x-rate-limit-remaining": ["5", "0"],
      "x-rate-limit-reset": `${NOW_S + 2}, ${NOW_S + 4}`,
    });
    expect(readRateLimit(dup, rateLimit.headers, NOW)).toEqual({ remaining: 0, resetInMs: 4000 });
  });

  it("is the fallback wait of a 429 without Retry-After", () => {
    const h = headers({ "x-rate-limit-reset": String(NOW_S + 1) });
    expect(headerWait(h, rateLimit, NOW)).toEqual({
      waitMs: 1000,
      requestedMs: 1000,
      from: "reset",
      capped: false,
    });
    expect(headerWait(headers({}), rateLimit, NOW)).toBeUndefined();
  });
});

describe("adaptive mode", () => {
  const adaptive = { ...rateLimit, adaptiveRemaining: 1 };
  it("waits for the reset when remaining is at or below the threshold", () => {
    const low = headers({ "x-ratelimit-remaining": "1", "x-ratelimit-reset": String(NOW_S + 20) });
    expect(adaptiveWait(low, adaptive, NOW)?.waitMs).toBe(20_000);
    const plenty = headers({ "x-ratelimit-remaining": "2", "x-ratelimit-reset": String(NOW_S + 20) });
    expect(adaptiveWait(plenty, adaptive, NOW)).toBeUndefined();
  });

  it("is off without adaptive_remaining, and capped at max_wait_secs", () => {
    const low = headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW_S + 3600) });
    expect(adaptiveWait(low, rateLimit, NOW)).toBeUndefined();
    expect(adaptiveWait(low, adaptive, NOW)).toMatchObject({ waitMs: 60_000, capped: true });
  });
});
