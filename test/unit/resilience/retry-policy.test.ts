import { describe, expect, it } from "vitest";
import {
  type AttemptResult,
  decideRetry,
  isBreakerFailure,
  isRetryableError,
} from "../../../runtime/resilience/retry-policy.ts";
import { response } from "../../support/resilience-harness.ts";
import { resilience } from "../../support/resilience-spec.ts";

const NOW = Date.UTC(2024, 4, 21, 13, 0, 0);
const spec = resilience({
  retries: { maxAttempts: 3, initialBackoffSecs: 1, maxBackoffSecs: 30, multiplier: 2 },
});
const status = (code: number, headers: Record<string, string> = {}): AttemptResult => ({
  kind: "status",
  status: code,
  headers: response(code, headers).headers,
});
const decide = (result: AttemptResult, attempt = 1, s = spec) =>
  decideRetry({ attempt, result, spec: s, nowMs: NOW, random: () => 0.5 });

describe("retry decision", () => {
  it("accepts 2xx and statuses that are not retryable", () => {
    expect(decide(status(200))).toEqual({ action: "accept" });
    expect(decide(status(404))).toEqual({ action: "accept" });
    expect(decide(status(501))).toEqual({ action: "accept" });
  });

  it("backs off on retryable statuses while attempts remain, max_attempts counting the first", () => {
    expect(decide(status(500), 1)).toEqual({ action: "retry", delayMs: 1000, basis: "backoff" });
    expect(decide(status(503), 2)).toEqual({ action: "retry", delayMs: 2000, basis: "backoff" });
    expect(decide(status(500), 3)).toEqual({ action: "give_up", exhausted: true });
    const once = resilience({ retries: { maxAttempts: 1 } });
    expect(decide(status(500), 1, once)).toEqual({ action: "give_up", exhausted: true });
  });

  it("waits what Retry-After says on a 429 instead of backing off (even 0)", () => {
    expect(decide(status(429, { "retry-after": "4" }))).toMatchObject({
      action: "retry",
      delayMs: 4000,
      basis: "header",
    });
    expect(decide(status(429, { "retry-after": "0" }))).toMatchObject({
      action: "retry",
      delayMs: 0,
      basis: "header",
    });
    expect(decide(status(429))).toEqual({ action: "retry", delayMs: 1000, basis: "backoff" });
  });

  it("reads a 503 with Retry-After as a rate limit", () => {
    expect(decide(status(503, { "retry-after": "9" }))).toMatchObject({ delayMs: 9000, basis: "header" });
  });

  it("treats GitHub's 403 with remaining 0 as a rate limit only when declared", () => {
    const github = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 42) };
    expect(decide(status(403, github))).toEqual({ action: "accept" });
    const declared = resilience({ rateLimit: { forbiddenMeansRateLimited: true } });
    expect(decide(status(403, github), 1, declared)).toMatchObject({
      action: "retry",
      delayMs: 42_000,
      basis: "header",
    });
    expect(decide(status(403, { "retry-after": "60" }), 1, declared)).toMatchObject({ delayMs: 60_000 });
    expect(decide(status(403, { "x-ratelimit-remaining": "12" }), 1, declared)).toEqual({ action: "accept" });
  });

  it("does not retry a 429 left out of retryable_status_codes", () => {
    const no429 = resilience({ retries: { retryableStatusCodes: [500] } });
    expect(decide(status(429, { "retry-after": "1" }), 1, no429)).toEqual({ action: "accept" });
  });

  it("retries transport errors and timeouts, never aborts", () => {
    expect(decide({ kind: "error", code: "HELR_HTTP_TRANSPORT" })).toMatchObject({
      action: "retry",
      basis: "backoff",
    });
    expect(decide({ kind: "error", code: "HELR_HTTP_TIMEOUT" }, 3)).toEqual({
      action: "give_up",
      exhausted: true,
    });
    expect(decide({ kind: "error", code: "HELR_HTTP_ABORTED" })).toEqual({
      action: "give_up",
      exhausted: false,
    });
    expect(isRetryableError("HELR_INTERNAL")).toBe(false);
  });
});

describe("breaker classification", () => {
  it("counts 5xx, 408, 429 and rate-limited 403s; not other 4xx", () => {
    expect([500, 503, 408, 429].map((s) => isBreakerFailure(s, false))).toEqual([true, true, true, true]);
    expect([200, 400, 401, 403, 404].map((s) => isBreakerFailure(s, false))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isBreakerFailure(403, true)).toBe(true);
  });
});
