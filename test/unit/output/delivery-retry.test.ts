import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildOutput } from "../../../compiler/ir/build-output.ts";
import {
  type AttemptOutcome,
  deliverWithRetries,
  failureReport,
  mayRetry,
  type RetryRun,
  retryDelayMs,
} from "../../../runtime/output/delivery-retry.ts";
import type { DeliveryRetrySpec } from "../../../runtime/spec.ts";

const DELIVERY_RETRY_DEFAULTS = buildOutput(undefined).http.retry;

import { recordingLog } from "../../support/recording-log.ts";

const specs = fc.record({
  maxRetries: fc.integer({ min: 0, max: 8 }),
  initialBackoffSecs: fc.double({ min: 0, max: 5, noNaN: true }),
  maxBackoffSecs: fc.double({ min: 0, max: 60, noNaN: true }),
  multiplier: fc.double({ min: 0, max: 4, noNaN: true }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  maxRetryAfterSecs: fc.double({ min: 0, max: 600, noNaN: true }),
});
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("retryDelayMs", () => {
  it("stays within the jittered backoff cap without Retry-After", () => {
    fc.assert(
      fc.property(specs, fc.integer({ min: 1, max: 30 }), unit, (spec, retry, r) => {
        const delay = retryDelayMs(spec, retry, undefined, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(spec.maxBackoffSecs * 1000 * (1 + spec.jitter) + 1e-6);
      }),
    );
  });

  it("waits exactly what Retry-After asks, up to max_retry_after_secs", () => {
    fc.assert(
      fc.property(
        specs,
        fc.integer({ min: 1, max: 30 }),
        fc.nat(1_000_000),
        unit,
        (spec, retry, asked, r) => {
          const delay = retryDelayMs(spec, retry, asked, () => r);
          expect(delay).toBe(Math.min(asked, spec.maxRetryAfterSecs * 1000));
        },
      ),
    );
  });
});

describe("mayRetry", () => {
  it("never gives up while unbounded, and gives up after exactly maxRetries when bounded", () => {
    fc.assert(
      fc.property(specs, fc.nat(100), (spec, done) => {
        expect(mayRetry(spec, done, false)).toBe(true);
        expect(mayRetry(spec, done, true)).toBe(done < spec.maxRetries);
      }),
    );
  });
});

/** A run with recorded waits and a bound that a test can switch on. */
function run(spec: DeliveryRetrySpec, bounded = false) {
  const waits: Array<{ ms: number; interruptible: boolean }> = [];
  const wake = new AbortController();
  const failing: number[] = [];
  const state = { bounded };
  const retryRun: RetryRun = {
    spec,
    bounded: () => state.bounded,
    wake: wake.signal,
    sleep: async (ms, signal) => void waits.push({ ms, interruptible: signal !== undefined }),
    random: () => 0.5,
    onFailing: (retries) => failing.push(retries),
  };
  return { retryRun, waits, failing, state, wake };
}

const spec: DeliveryRetrySpec = { ...DELIVERY_RETRY_DEFAULTS, maxRetries: 2, jitter: 0 };

describe("deliverWithRetries", () => {
  it("gives up when bounded, after maxRetries + 1 attempts, with the last reason", async () => {
    const { retryRun, waits } = run(spec, true);
    let attempts = 0;
    const result = await deliverWithRetries(async () => {
      attempts += 1;
      return { kind: "retry", reason: `HTTP 50${attempts}` };
    }, retryRun);
    expect(result).toEqual({ kind: "gave_up", reason: "HTTP 503", attempts: 3 });
    expect(waits.map((w) => w.ms)).toEqual([200, 400]);
    expect(waits.every((w) => !w.interruptible)).toBe(true);
  });

  it("keeps retrying past maxRetries while unbounded, reporting failing once, until acked", async () => {
    const { retryRun, waits, failing } = run(spec);
    const script: AttemptOutcome[] = [
      ...Array.from({ length: 6 }, (): AttemptOutcome => ({ kind: "retry", reason: "ECONNREFUSED" })),
      { kind: "acked" },
    ];
    const result = await deliverWithRetries(async () => script.shift() as AttemptOutcome, retryRun);
    expect(result).toEqual({ kind: "acked", retries: 6 });
    expect(waits).toHaveLength(6);
    expect(waits.every((w) => w.interruptible)).toBe(true);
    expect(failing).toEqual([2]);
  });

  it("gives up at the first failure after the run became bounded once retries are used up", async () => {
    const { retryRun, state } = run(spec);
    let attempts = 0;
    const result = await deliverWithRetries(async () => {
      attempts += 1;
      // Shutdown begins during the fifth attempt.
      if (attempts === 5) state.bounded = true;
      return { kind: "retry", reason: "timeout" };
    }, retryRun);
    expect(result).toEqual({ kind: "gave_up", reason: "timeout", attempts: 5 });
  });

  it("honours Retry-After instead of the backoff", async () => {
    const { retryRun, waits } = run(spec);
    const script: AttemptOutcome[] = [
      { kind: "retry", reason: "HTTP 429", retryAfterMs: 7000 },
      { kind: "acked" },
    ];
    await deliverWithRetries(async () => script.shift() as AttemptOutcome, retryRun);
    expect(waits.map((w) => w.ms)).toEqual([7000]);
  });

  it("throws a permanent failure at once", async () => {
    const { retryRun, waits } = run(spec);
    const error = new Error("HTTP 400");
    await expect(deliverWithRetries(async () => ({ kind: "permanent", error }), retryRun)).rejects.toBe(
      error,
    );
    expect(waits).toHaveLength(0);
  });
});

describe("failureReport", () => {
  it("says failing once however many deliveries fail, still failing once a minute, recovered once", () => {
    const { lines, log } = recordingLog();
    let now = 0;
    const report = failureReport("https://siem/ingest", log, () => now);
    for (let i = 0; i < 100; i++) report.onFailing(3, "HTTP 503");
    for (now = 1000; now < 150_000; now += 1000) report.onStillFailing(4, "HTTP 503");
    report.acked();
    report.acked();
    expect(lines.map((l) => l.level)).toEqual(["error", "warn", "warn", "info"]);
    expect(lines[0]?.msg).toBe(
      "output https://siem/ingest: not acknowledged after 3 retries (HTTP 503); still retrying, polling is paused until the receiver accepts it",
    );
    expect(lines[3]?.msg).toBe("output https://siem/ingest: recovered");
  });
});
