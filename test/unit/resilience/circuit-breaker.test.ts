import { describe, expect, it } from "vitest";
import {
  type BreakerPermit,
  type BreakerState,
  breakerAllow,
  breakerRecord,
  initialBreaker,
  openDurationMs,
} from "../../../runtime/resilience/circuit-breaker.ts";
import type { CircuitBreakerSpec } from "../../../runtime/spec.ts";

const spec: CircuitBreakerSpec = {
  enabled: true,
  failureThreshold: 3,
  successThreshold: 2,
  halfOpenTimeoutSecs: 10,
};

/** Drives a breaker like the sender does: allow, then record. */
function drive(s: CircuitBreakerSpec) {
  let state: BreakerState = initialBreaker();
  return {
    get state() {
      return state;
    },
    allow(now: number) {
      const r = breakerAllow(s, state, now);
      state = r.state;
      return r;
    },
    record(permit: BreakerPermit, outcome: "success" | "failure" | "cancel", now: number) {
      const r = breakerRecord(s, state, permit, outcome, now);
      state = r.state;
      return r;
    },
    request(outcome: "success" | "failure", now: number) {
      const r = this.allow(now);
      if (!r.allowed) return r;
      this.record(r.permit, outcome, now);
      return r;
    },
  };
}

describe("circuit breaker", () => {
  it("opens after failure_threshold consecutive failures; a success resets the count", () => {
    const b = drive(spec);
    b.request("failure", 0);
    b.request("failure", 1);
    b.request("success", 2);
    b.request("failure", 3);
    b.request("failure", 4);
    expect(b.state.phase).toBe("closed");
    b.request("failure", 5);
    expect(b.state).toMatchObject({
      phase: "open",
      openUntilMs: 10_005,
      openReason: "3 consecutive failures",
    });
  });

  it("fails fast while open and names when it will probe", () => {
    const b = drive(spec);
    for (let i = 0; i < 3; i++) b.request("failure", 0);
    expect(b.allow(9_999)).toMatchObject({ allowed: false, reason: "open", retryAtMs: 10_000 });
  });

  it("half-opens after min(half_open_timeout, reset_timeout) with exactly one probe at a time", () => {
    expect(openDurationMs({ ...spec, resetTimeoutSecs: 4 })).toBe(4000);
    const b = drive(spec);
    for (let i = 0; i < 3; i++) b.request("failure", 0);
    const probe = b.allow(10_000);
    expect(probe).toMatchObject({
      allowed: true,
      permit: { probe: true },
      transition: { from: "open", to: "half_open" },
    });
    expect(b.allow(10_001)).toMatchObject({ allowed: false, reason: "probe_in_flight" });
    if (!probe.allowed) throw new Error("unreachable");
    b.record(probe.permit, "success", 10_002);
    expect(b.state).toMatchObject({ phase: "half_open", probeSuccesses: 1, probeInFlight: false });
    const second = b.allow(10_003);
    if (!second.allowed) throw new Error("second probe refused");
    expect(b.record(second.permit, "success", 10_004).transition).toEqual({
      from: "half_open",
      to: "closed",
      reason: "2 successful probes",
    });
    expect(b.state).toMatchObject({ phase: "closed", consecutiveFailures: 0, window: [] });
  });

  it("re-opens when a probe fails, and a cancelled probe frees the slot", () => {
    const b = drive(spec);
    for (let i = 0; i < 3; i++) b.request("failure", 0);
    const cancelled = b.allow(10_000);
    if (!cancelled.allowed) throw new Error("probe refused");
    b.record(cancelled.permit, "cancel", 10_000);
    expect(b.state).toMatchObject({ phase: "half_open", probeInFlight: false });
    b.request("failure", 10_500);
    expect(b.state).toMatchObject({ phase: "open", openUntilMs: 20_500, openReason: "probe failed" });
  });

  it("opens on the failure rate over the last minimum_requests outcomes", () => {
    const rate = { ...spec, failureThreshold: 100, failureRateThreshold: 0.5, minimumRequests: 4 };
    const b = drive(rate);
    for (const o of ["failure", "success", "success", "success", "failure"] as const) b.request(o, 0);
    expect(b.state).toMatchObject({ phase: "closed", window: [false, false, false, true] });
    b.request("failure", 1);
    expect(b.state).toMatchObject({ phase: "open", openReason: "2 of the last 4 requests failed" });
  });

  it("ignores outcomes of requests admitted before a transition", () => {
    const b = drive(spec);
    const early = b.allow(0);
    for (let i = 0; i < 3; i++) b.request("failure", 0);
    if (!early.allowed) throw new Error("refused");
    const before = b.state;
    b.record(early.permit, "success", 1);
    expect(b.state).toBe(before);
  });

  it("admits everything when disabled", () => {
    const b = drive({ ...spec, enabled: false });
    for (let i = 0; i < 10; i++) expect(b.request("failure", i).allowed).toBe(true);
    expect(b.state.phase).toBe("closed");
  });
});
