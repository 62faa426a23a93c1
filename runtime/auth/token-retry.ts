/**
 * When to retry a token-endpoint request: pure policy, no I/O (property-tested).
 *
 * Token endpoints are retried by the authenticator itself, independent of the source's `retries`
 * block: three attempts in all, 0.5 s × 2ⁿ between them, and a longer `Retry-After` is honoured up to
 * one minute; beyond that the request fails at once with the server's wait in the message.
 */

/** Attempts per token request, the first included. */
export const TOKEN_ATTEMPTS = 3;
/** Delay before the first retry; doubled for each further one. */
export const TOKEN_BASE_DELAY_MS = 500;
/** A `Retry-After` longer than this is not waited for. */
export const TOKEN_MAX_WAIT_MS = 60_000;

/** Statuses worth another attempt: rate limiting and transient server errors (not 501/505). */
export function isRetryableTokenStatus(status: number): boolean {
  return (
    status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504
  );
}

/** `Retry-After` as milliseconds from `nowMs`: delta seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowMs);
}

/** What to do after failed attempt `attempt` (0-based). */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: string };

/**
 * Decides whether attempt `attempt + 1` happens and after how long: the backoff, or the server's
 * `Retry-After` when that is longer.
 */
export function tokenRetryDecision(attempt: number, retryAfterMs: number | undefined): RetryDecision {
  if (attempt + 1 >= TOKEN_ATTEMPTS) return { retry: false, reason: `after ${TOKEN_ATTEMPTS} attempts` };
  if (retryAfterMs !== undefined && retryAfterMs > TOKEN_MAX_WAIT_MS) {
    return { retry: false, reason: `the server asked to retry after ${Math.ceil(retryAfterMs / 1000)} s` };
  }
  const backoff = TOKEN_BASE_DELAY_MS * 2 ** attempt;
  return { retry: true, delayMs: Math.max(backoff, retryAfterMs ?? 0) };
}
