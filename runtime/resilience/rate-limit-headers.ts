import type { RateLimitHeadersSpec, RateLimitSpec } from "../spec.ts";

/** Response headers as the HTTP client returns them: lower-case name → every value received. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

/** What the rate-limit headers of one response say; times are relative to the response. */
export interface RateLimitInfo {
  readonly limit?: number;
  readonly remaining?: number;
  /** Milliseconds until the window resets (≥ 0). */
  readonly resetInMs?: number;
}

/** A wait requested by the server, already capped by `maxWaitSecs`. */
export interface HeaderWait {
  /** What to wait, in ms: `min(requestedMs, maxWaitSecs)`. */
  readonly waitMs: number;
  /** What the server asked for, in ms. */
  readonly requestedMs: number;
  readonly from: "retry-after" | "reset";
  readonly capped: boolean;
}

/** Used when the configured header is absent (read with `auto`): GitHub, Okta and the IETF draft names. */
const FALLBACK = {
  remaining: ["x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"],
  reset: ["x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"],
  limit: ["x-ratelimit-limit", "x-rate-limit-limit", "ratelimit-limit"],
} as const;

const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;
/** IMF-fixdate, RFC 850 and asctime all have a month name and hh:mm:ss (Date.parse alone takes "-5" as a year). */
const HTTP_DATE = /[A-Za-z]{3}.*\b\d{1,2}:\d{2}:\d{2}\b/;

/** Every value of a header, comma-separated lists split (a duplicated header arrives either way). */
function numbers(headers: HeaderMap, name: string): number[] {
  const values = headers.get(name.toLowerCase()) ?? [];
  return values
    .flatMap((v) => v.split(","))
    .filter((v) => NUMBER.test(v))
    .map(Number);
}

/** The server's clock from its `Date` header, so epoch values survive clock skew; else `nowMs`. */
export function serverNowMs(headers: HeaderMap, nowMs: number): number {
  const value = headers.get("date")?.[0];
  const parsed = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(parsed) ? parsed : nowMs;
}

/**
 * `Retry-After` as a wait in ms: delta seconds or an HTTP date (relative to `serverNow`, which
 * should come from the response's `Date` header). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string, serverNow: number): number | undefined {
  if (NUMBER.test(value)) return Number(value) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - serverNow) : undefined;
}

/**
 * A reset header as a wait in ms. `epoch`: Unix seconds; `delta`: seconds from now; `auto`:
 * values above 1e9 are epoch seconds, smaller ones a delta. Never negative.
 */
export function resetWaitMs(
  seconds: number,
  format: RateLimitHeadersSpec["resetFormat"],
  serverNow: number,
): number {
  const epoch = format === "epoch" || (format === "auto" && seconds > 1e9);
  return Math.max(0, epoch ? seconds * 1000 - serverNow : seconds * 1000);
}

/** Reads limit, remaining and reset: the configured names first, then the well-known ones. */
export function readRateLimit(headers: HeaderMap, spec: RateLimitHeadersSpec, nowMs: number): RateLimitInfo {
  const pick = (
    configured: string,
    fallback: readonly string[],
  ): { values: number[]; configured: boolean } => {
    const own = numbers(headers, configured);
    if (own.length > 0) return { values: own, configured: true };
    for (const name of fallback) {
      const values = numbers(headers, name);
      if (values.length > 0) return { values, configured: false };
    }
    return { values: [], configured: false };
  };
  const limit = pick(spec.limit, FALLBACK.limit).values;
  const remaining = pick(spec.remaining, FALLBACK.remaining).values;
  const reset = pick(spec.reset, FALLBACK.reset);
  const serverNow = serverNowMs(headers, nowMs);
  const format = reset.configured ? spec.resetFormat : "auto";
  // Duplicated headers (okta-sdk-java#259): believe the most conservative value.
  return {
    ...(limit.length > 0 ? { limit: Math.min(...limit) } : {}),
    ...(remaining.length > 0 ? { remaining: Math.min(...remaining) } : {}),
    ...(reset.values.length > 0
      ? { resetInMs: Math.max(...reset.values.map((s) => resetWaitMs(s, format, serverNow))) }
      : {}),
  };
}

/**
 * The wait a rate-limited response asks for: `Retry-After` if present, else the reset header;
 * capped at `maxWaitSecs`. Undefined when neither is readable or `respectHeaders` is off.
 */
export function headerWait(headers: HeaderMap, spec: RateLimitSpec, nowMs: number): HeaderWait | undefined {
  if (!spec.respectHeaders) return undefined;
  const serverNow = serverNowMs(headers, nowMs);
  const retryAfter = (headers.get("retry-after") ?? [])
    .map((v) => parseRetryAfter(v.trim(), serverNow))
    .filter((v): v is number => v !== undefined);
  const requested =
    retryAfter.length > 0
      ? { ms: Math.max(...retryAfter), from: "retry-after" as const }
      : resetRequest(headers, spec, nowMs);
  if (requested === undefined) return undefined;
  const capMs = Math.max(0, spec.maxWaitSecs * 1000);
  return {
    waitMs: Math.min(requested.ms, capMs),
    requestedMs: requested.ms,
    from: requested.from,
    capped: requested.ms > capMs,
  };
}

function resetRequest(
  headers: HeaderMap,
  spec: RateLimitSpec,
  nowMs: number,
): { ms: number; from: "reset" } | undefined {
  const { resetInMs } = readRateLimit(headers, spec.headers, nowMs);
  return resetInMs === undefined ? undefined : { ms: resetInMs, from: "reset" };
}

/**
 * Adaptive mode: when `remaining` is at or below `adaptiveRemaining` and a reset lies ahead,
 * the wait (capped at `maxWaitSecs`) before the next request; otherwise undefined.
 */
export function adaptiveWait(headers: HeaderMap, spec: RateLimitSpec, nowMs: number): HeaderWait | undefined {
  if (spec.adaptiveRemaining === undefined) return undefined;
  const info = readRateLimit(headers, spec.headers, nowMs);
  if (info.remaining === undefined || info.resetInMs === undefined) return undefined;
  if (info.remaining > spec.adaptiveRemaining || info.resetInMs <= 0) return undefined;
  const capMs = Math.max(0, spec.maxWaitSecs * 1000);
  return {
    waitMs: Math.min(info.resetInMs, capMs),
    requestedMs: info.resetInMs,
    from: "reset",
    capped: info.resetInMs > capMs,
  };
}
