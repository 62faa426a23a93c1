import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isRetryableTokenStatus,
  parseRetryAfter,
  TOKEN_ATTEMPTS,
  TOKEN_BASE_DELAY_MS,
  TOKEN_MAX_WAIT_MS,
  tokenRetryDecision,
} from "../../../runtime/auth/token-retry.ts";

describe("token endpoint retry policy", () => {
  it("retries at most TOKEN_ATTEMPTS - 1 times, waiting the backoff or a longer Retry-After within the cap", () => {
    fc.assert(
      fc.property(fc.nat(10), fc.option(fc.nat(200_000), { nil: undefined }), (attempt, retryAfter) => {
        const decision = tokenRetryDecision(attempt, retryAfter);
        const mayRetry =
          attempt + 1 < TOKEN_ATTEMPTS && (retryAfter === undefined || retryAfter <= TOKEN_MAX_WAIT_MS);
        expect(decision.retry).toBe(mayRetry);
        if (decision.retry) {
          const backoff = TOKEN_BASE_DELAY_MS * 2 ** attempt;
          expect(decision.delayMs).toBe(Math.max(backoff, retryAfter ?? 0));
          expect(decision.delayMs).toBeLessThanOrEqual(Math.max(backoff, TOKEN_MAX_WAIT_MS));
        }
      }),
    );
  });

  it("reads Retry-After as delta seconds or an HTTP date, and ignores garbage", () => {
    const now = Date.parse("2024-05-21T13:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Tue, 21 May 2024 13:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 21 May 2024 12:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const value = parseRetryAfter(text, now);
        expect(value === undefined || (Number.isFinite(value) && value >= 0)).toBe(true);
      }),
    );
  });

  it("treats 408, 429 and transient 5xx as retryable, client errors and 501 not", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableTokenStatus)).toBe(true);
    expect([400, 401, 403, 404, 501, 505].some(isRetryableTokenStatus)).toBe(false);
  });
});
