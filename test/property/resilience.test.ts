import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HttpRequest } from "../../runtime/http/client.ts";
import { HttpError } from "../../runtime/http/errors.ts";
import { backoffMs, baseBackoffMs } from "../../runtime/resilience/backoff.ts";
import {
  type BreakerPermit,
  type BreakerState,
  breakerAllow,
  breakerRecord,
  initialBreaker,
} from "../../runtime/resilience/circuit-breaker.ts";
import { decideRetry } from "../../runtime/resilience/retry-policy.ts";
import { createSourceHttp } from "../../runtime/resilience/source-http.ts";
import { fullBucket, reserve } from "../../runtime/resilience/token-bucket.ts";
import type { CircuitBreakerSpec, RetrySpec } from "../../runtime/spec.ts";
import { GET, harness, response, scripted } from "../support/resilience-harness.ts";
import { resilience, resilientSource } from "../support/resilience-spec.ts";

const NOW = Date.UTC(2024, 4, 21, 13, 0, 0);

const retrySpec: fc.Arbitrary<RetrySpec> = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 8 }),
  initialBackoffSecs: fc.double({ min: 0, max: 60, noNaN: true }),
  maxBackoffSecs: fc.double({ min: 0, max: 600, noNaN: true }),
  multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  retryableStatusCodes: fc.constant([408, 429, 500, 502, 503, 504]),
});
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("backoff properties", () => {
  it("each delay lies within base × [1 − jitter, 1 + jitter], and base within [0, max_backoff]", () => {
    fc.assert(
      fc.property(retrySpec, fc.integer({ min: 1, max: 60 }), unit, (spec, retry, r) => {
        const base = baseBackoffMs(spec, retry);
        const delay = backoffMs(spec, retry, () => r);
        expect(base).toBeGreaterThanOrEqual(0);
        expect(base).toBeLessThanOrEqual(spec.maxBackoffSecs * 1000);
        expect(delay).toBeGreaterThanOrEqual(base * (1 - spec.jitter) - 1e-6);
        expect(delay).toBeLessThanOrEqual(base * (1 + spec.jitter) + 1e-6);
      }),
    );
  });

  it("delays before jitter never decrease from one retry to the next", () => {
    fc.assert(
      fc.property(retrySpec, fc.integer({ min: 1, max: 60 }), (spec, retry) => {
        expect(baseBackoffMs(spec, retry + 1)).toBeGreaterThanOrEqual(baseBackoffMs(spec, retry));
      }),
    );
  });
});

/** One scripted attempt: a status (with or without Retry-After), or a transport error. */
const attemptStep = fc.oneof(
  fc.constantFrom(200, 204, 404, 408, 429, 500, 502, 503, 504).map((s) => response(s)),
  fc.integer({ min: 0, max: 5 }).map((s) => response(429, { "retry-after": String(s) })),
  fc.constant(new HttpError("HELR_HTTP_TRANSPORT", "ECONNRESET")),
  fc.constant(new HttpError("HELR_HTTP_TIMEOUT", "stalled")),
);

describe("retry properties", () => {
  it("a logical request never makes more than max_attempts attempts, and uses them all on persistent failure", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(attemptStep, { minLength: 1, maxLength: 10 }),
        async (maxAttempts, script) => {
          const h = harness();
          const base = scripted(script);
          const spec = resilientSource({ retries: { maxAttempts }, circuitBreaker: { enabled: false } });
          const http = createSourceHttp(spec, base.send, h.deps);
          await http.send(GET).catch(() => undefined);
          expect(base.requests.length).toBeLessThanOrEqual(maxAttempts);
          expect(http.stats().attempts).toBe(base.requests.length);
          const retryable = (step: (typeof script)[number]) =>
            step instanceof Error || [408, 429, 500, 502, 503, 504].includes(step.status);
          const played = script.slice(0, maxAttempts);
          if (played.length === maxAttempts && played.every(retryable)) {
            expect(base.requests.length).toBe(maxAttempts);
          }
        },
      ),
    );
  });

  it("Retry-After is honoured exactly, up to max_wait_secs, in seconds or as an HTTP date", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.boolean(),
        (secs, cap, asDate) => {
          const spec = resilience({ rateLimit: { maxWaitSecs: cap } });
          const value = asDate ? new Date(NOW + secs * 1000).toUTCString() : String(secs);
          const headers = response(429, { "retry-after": value, date: new Date(NOW).toUTCString() }).headers;
          const decision = decideRetry({
            attempt: 1,
            result: { kind: "status", status: 429, headers },
            spec,
            nowMs: NOW + 1234,
            random: () => 0.5,
          });
          expect(decision).toMatchObject({
            action: "retry",
            basis: "header",
            delayMs: Math.min(secs, cap) * 1000,
          });
        },
      ),
    );
  });

  it("the sender waits what Retry-After says (capped) before the retry, whatever the backoff settings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 7200 }),
        fc.integer({ min: 0, max: 600 }),
        retrySpec,
        async (secs, cap, retries) => {
          const h = harness();
          const base = scripted([response(429, { "retry-after": String(secs) }), response(200)]);
          const times: number[] = [];
          const timed = async (req: HttpRequest) => {
            times.push(h.now());
            return base.send(req);
          };
          const spec = resilientSource({
            retries: { ...retries, maxAttempts: 2 },
            rateLimit: { maxWaitSecs: cap },
          });
          await createSourceHttp(spec, timed, h.deps).send(GET);
          const [first = 0, second = 0] = times;
          expect(second - first).toBe(Math.min(secs, cap) * 1000);
        },
      ),
    );
  });
});

describe("token bucket properties", () => {
  it("never grants more than rate × window + burst in any window, and never grants early", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 120 }),
        (rate, burst, gaps) => {
          const config = { ratePerSec: rate, burst };
          let clock = 0;
          let state = fullBucket(config, 0);
          const grants: number[] = [];
          for (const gap of gaps) {
            clock += gap;
            const r = reserve(config, state, clock);
            state = r.state;
            expect(r.waitMs).toBeGreaterThanOrEqual(0);
            grants.push(clock + r.waitMs);
          }
          const sorted = [...grants].sort((a, b) => a - b);
          for (let i = 0; i < sorted.length; i++) {
            for (let j = i; j < sorted.length; j++) {
              const window = ((sorted[j] ?? 0) - (sorted[i] ?? 0)) / 1000;
              expect(j - i + 1).toBeLessThanOrEqual(rate * window + burst + 1e-6);
            }
          }
        },
      ),
    );
  });

  it("does not delay requests that keep to the rate", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.double({ min: 1.001, max: 5, noNaN: true }), { maxLength: 50 }),
        (rate, burst, spacings) => {
          const config = { ratePerSec: rate, burst };
          let clock = 0;
          let r = reserve(config, fullBucket(config, 0), 0);
          for (const s of spacings) {
            clock += (s * 1000) / rate;
            r = reserve(config, r.state, clock);
            expect(r.waitMs).toBe(0);
          }
        },
      ),
    );
  });
});

// ── Circuit breaker against a reference model ───────────────────────────────────────────────

/** A deliberately naive breaker: full outcome history, trailing failures counted from it. */
class ModelBreaker {
  phase: "closed" | "open" | "half_open" = "closed";
  epoch = 0;
  history: boolean[] = [];
  openUntil = 0;
  probeOut = false;
  probeSuccesses = 0;
  constructor(private readonly spec: CircuitBreakerSpec) {}

  allow(now: number): { allowed: boolean; probe: boolean; epoch: number; retryAt?: number } {
    if (!this.spec.enabled || this.phase === "closed")
      return { allowed: true, probe: false, epoch: this.epoch };
    if (this.phase === "open") {
      if (now < this.openUntil)
        return { allowed: false, probe: false, epoch: this.epoch, retryAt: this.openUntil };
      this.phase = "half_open";
      this.epoch++;
      this.probeSuccesses = 0;
    } else if (this.probeOut) return { allowed: false, probe: false, epoch: this.epoch, retryAt: now };
    this.probeOut = true;
    return { allowed: true, probe: true, epoch: this.epoch };
  }

  complete(epoch: number, outcome: "success" | "failure" | "cancel", now: number): void {
    if (!this.spec.enabled || epoch !== this.epoch) return;
    if (this.phase === "closed" && outcome !== "cancel") {
      this.history.push(outcome === "failure");
      if (outcome === "failure" && this.shouldOpen()) this.open(now);
    } else if (this.phase === "half_open" && this.probeOut) {
      this.probeOut = false;
      if (outcome === "failure") this.open(now);
      else if (outcome === "success" && ++this.probeSuccesses >= this.spec.successThreshold) {
        this.phase = "closed";
        this.epoch++;
        this.history = [];
      }
    }
  }

  private shouldOpen(): boolean {
    let trailing = 0;
    for (let i = this.history.length - 1; i >= 0 && this.history[i]; i--) trailing++;
    if (trailing >= this.spec.failureThreshold) return true;
    const { failureRateThreshold: rate, minimumRequests: min } = this.spec;
    if (rate === undefined || min === undefined) return false;
    const last = this.history.slice(-min);
    return last.length >= min && last.filter(Boolean).length / last.length >= rate;
  }

  private open(now: number): void {
    this.phase = "open";
    this.epoch++;
    this.history = [];
    this.probeOut = false;
    this.openUntil =
      now + Math.min(this.spec.halfOpenTimeoutSecs, this.spec.resetTimeoutSecs ?? Infinity) * 1000;
  }
}

const breakerSpec: fc.Arbitrary<CircuitBreakerSpec> = fc
  .record({
    enabled: fc.oneof(
      { arbitrary: fc.constant(true), weight: 9 },
      { arbitrary: fc.constant(false), weight: 1 },
    ),
    failureThreshold: fc.integer({ min: 1, max: 8 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    halfOpenTimeoutSecs: fc.integer({ min: 0, max: 30 }),
    resetTimeoutSecs: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    failureRateThreshold: fc.option(fc.constantFrom(0.2, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1), {
      nil: undefined,
    }),
    minimumRequests: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  })
  .map(
    (s) =>
      Object.fromEntries(
        Object.entries(s).filter(([, v]) => v !== undefined),
      ) as unknown as CircuitBreakerSpec,
  );

const breakerOp = fc.oneof(
  fc.record({
    kind: fc.constant("allow" as const),
    dt: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40_000 })),
  }),
  fc.record({
    kind: fc.constant("complete" as const),
    pick: fc.nat(),
    outcome: fc.oneof(
      { arbitrary: fc.constant("failure" as const), weight: 5 },
      { arbitrary: fc.constant("success" as const), weight: 4 },
      { arbitrary: fc.constant("cancel" as const), weight: 1 },
    ),
  }),
);

describe("circuit breaker properties", () => {
  it("matches the reference state machine under random request, outcome and time sequences", () => {
    fc.assert(
      fc.property(breakerSpec, fc.array(breakerOp, { maxLength: 300 }), (spec, ops) => {
        const model = new ModelBreaker(spec);
        let state: BreakerState = initialBreaker();
        let now = 0;
        const inFlight: Array<{ permit: BreakerPermit; epoch: number }> = [];
        for (const op of ops) {
          if (op.kind === "allow") {
            now += op.dt;
            const expected = model.allow(now);
            const actual = breakerAllow(spec, state, now);
            state = actual.state;
            expect(actual.allowed).toBe(expected.allowed);
            if (actual.allowed) {
              expect(actual.permit.probe).toBe(expected.probe);
              inFlight.push({ permit: actual.permit, epoch: expected.epoch });
            } else expect(actual.retryAtMs).toBe(expected.retryAt);
          } else if (inFlight.length > 0) {
            const [done] = inFlight.splice(op.pick % inFlight.length, 1);
            if (!done) continue;
            model.complete(done.epoch, op.outcome, now);
            state = breakerRecord(spec, state, done.permit, op.outcome, now).state;
          }
          expect(state.phase).toBe(spec.enabled ? model.phase : "closed");
          const probesOut = inFlight.filter(
            (f) => f.permit.probe && f.permit.generation === state.generation,
          ).length;
          expect(probesOut).toBeLessThanOrEqual(1);
          if (state.phase === "open") expect(state.openUntilMs).toBe(model.openUntil);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
