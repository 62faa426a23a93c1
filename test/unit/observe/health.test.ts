import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunEvent, SourceEvent } from "../../../runtime/observe/events.ts";
import { type BreakerView, createHealth, type HealthStatus } from "../../../runtime/observe/health.ts";
import { RING_MINUTES } from "../../../runtime/observe/minute-ring.ts";
import type { BreakerPhase } from "../../../runtime/resilience/circuit-breaker.ts";

const HOUR = 3_600_000;

/** A model of one source "okta" on a clock the test moves. */
function model(
  options: { unhealthyAfter?: number; breakers?: (id: string) => BreakerView | undefined } = {},
) {
  let now = 1_750_000_000_000;
  const health = createHealth({ sources: ["okta", "github"], now: () => now, ...options });
  return {
    health,
    at: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    feed: (...events: RunEvent[]) => {
      for (const event of events) health.observe(event);
    },
    okta: () => health.source("okta"),
  };
}

const started = (atMs: number): RunEvent => ({ type: "poll_started", sourceId: "okta", atMs });
const ended = (atMs: number, error?: string): SourceEvent => ({
  type: "poll_ended",
  sourceId: "okta",
  atMs,
  durationMs: 10,
  pages: 1,
  events: 0,
  ...(error ? { error: { code: "HELR_HTTP_503", message: error } } : {}),
});
const retry: RunEvent = {
  type: "retry",
  sourceId: "okta",
  attempt: 2,
  delayMs: 100,
  basis: "backoff",
  reason: "HTTP 503",
  cause: "status",
};
const breaker = (from: BreakerPhase, to: BreakerPhase): RunEvent => ({
  type: "breaker",
  sourceId: "okta",
  from,
  to,
  reason: "test",
});

describe("source health", () => {
  it("starts ok with a closed circuit and nothing recorded", () => {
    const m = model();
    expect(m.okta()).toMatchObject({
      id: "okta",
      status: "ok",
      circuit: { phase: "closed", consecutiveFailures: 0 },
      consecutiveFailures: 0,
      eventsLastHour: 0,
    });
    expect(m.okta()?.lastError).toBeUndefined();
    expect(m.health.sources().map((s) => s.id)).toEqual(["github", "okta"]);
  });

  it("a failed poll degrades; a successful one clears last_error but keeps last_error_at", () => {
    const m = model();
    m.feed(started(1), ended(2, "HTTP 503 from GET https://x.example/logs"));
    expect(m.okta()).toMatchObject({
      status: "degraded",
      lastError: { code: "HELR_HTTP_503", message: "HTTP 503 from GET https://x.example/logs", atMs: 2 },
      lastErrorAtMs: 2,
    });
    m.feed(started(3), ended(4));
    const after = m.okta();
    expect(after?.status).toBe("ok");
    expect(after?.lastError).toBeUndefined();
    expect(after).toMatchObject({ lastErrorAtMs: 2, lastSuccessMs: 4, consecutiveFailures: 0 });
  });

  it("three failed polls in a row make a source unhealthy even with its breaker closed", () => {
    const m = model();
    for (const t of [1, 2, 3]) m.feed(started(t), ended(t, "boom"));
    expect(m.okta()).toMatchObject({
      status: "unhealthy",
      consecutiveFailures: 3,
      circuit: { phase: "closed" },
    });
    m.feed(started(4), ended(4));
    expect(m.okta()?.status).toBe("ok");
  });

  it("an open circuit is unhealthy, half-open degraded, closed again ok", () => {
    const m = model();
    m.feed(breaker("closed", "open"));
    expect(m.okta()?.status).toBe("unhealthy");
    m.feed(breaker("open", "half_open"));
    expect(m.okta()?.status).toBe("degraded");
    m.feed(breaker("half_open", "closed"));
    expect(m.okta()?.status).toBe("ok");
  });

  it("a poll that is backing off is degraded until it ends", () => {
    const m = model();
    m.feed(started(1), retry);
    expect(m.okta()).toMatchObject({ status: "degraded", backingOff: true, polling: true });
    m.feed(ended(2));
    expect(m.okta()).toMatchObject({ status: "ok", backingOff: false, polling: false });
  });

  it("ignores events of ids that are not configured sources (sinks)", () => {
    const m = model();
    m.health.observe({ type: "output_error", sourceId: "http_sink", code: "HELR_OUTPUT" });
    m.health.observe({ ...ended(1, "x"), sourceId: "http_sink" });
    expect(m.health.source("http_sink")).toBeUndefined();
    expect(m.health.sources()).toHaveLength(2);
  });

  it("reads the exact breaker from the probe when one is given", () => {
    const view: BreakerView = { phase: "open", consecutiveFailures: 0, openUntilMs: 99 };
    const m = model({ breakers: (id) => (id === "okta" ? view : undefined) });
    expect(m.okta()).toMatchObject({ status: "unhealthy", circuit: view });
    expect(m.health.source("github")?.circuit.phase).toBe("closed");
  });

  it("without a probe, follows failures, open-until and probe successes from events", () => {
    const m = model();
    const request = (status?: number): RunEvent => ({
      type: "request",
      sourceId: "okta",
      durationMs: 1,
      ...(status === undefined ? { code: "HELR_HTTP_TIMEOUT" } : { status }),
    });
    m.feed(request(500), request(), request(429));
    expect(m.okta()?.circuit).toMatchObject({ phase: "closed", consecutiveFailures: 3 });
    m.feed(request(404));
    expect(m.okta()?.circuit.consecutiveFailures).toBe(0);
    m.feed(breaker("closed", "open"), { type: "breaker_reject", sourceId: "okta", retryAtMs: 12_345 });
    expect(m.okta()?.circuit).toMatchObject({ phase: "open", openUntilMs: 12_345 });
    m.feed(breaker("open", "half_open"), request(200), request(200));
    expect(m.okta()?.circuit).toMatchObject({ phase: "half_open", probeSuccesses: 2 });
  });

  it("counts events written in the last hour only", () => {
    const m = model();
    const written = (emitted: number): RunEvent => ({
      type: "written",
      sourceId: "okta",
      emitted,
      filtered: 0,
      duplicates: 0,
      oversized: 0,
    });
    m.feed(written(5));
    m.advance(HOUR / 2);
    m.feed(written(7));
    expect(m.okta()?.eventsLastHour).toBe(12);
    m.advance(HOUR / 2 + 60_000);
    expect(m.okta()?.eventsLastHour).toBe(7);
    m.advance(HOUR);
    expect(m.okta()?.eventsLastHour).toBe(0);
  });

  it("samples the ingest lag at each poll end, one point per minute for the last hour", () => {
    const m = model();
    const t0 = m.at();
    m.feed({
      type: "written",
      sourceId: "okta",
      emitted: 1,
      filtered: 0,
      duplicates: 0,
      oversized: 0,
      newestEventMs: t0 - 30_000,
    });
    m.feed(ended(t0));
    m.advance(120_000);
    m.feed(ended(m.at()));
    const history = m.okta()?.lagHistory ?? [];
    expect(history).toHaveLength(RING_MINUTES);
    expect(history.at(-1)).toBe(150);
    expect(history.at(-3)).toBe(30);
    expect(history.at(-2)).toBeNull();
    expect(m.okta()?.newestEventMs).toBe(t0 - 30_000);
  });

  it("reports started only once told, and uptime from its creation", () => {
    const m = model();
    expect(m.health.started).toBe(false);
    m.advance(1_500);
    m.health.markStarted();
    expect(m.health.started).toBe(true);
    expect(m.health.uptimeSecs()).toBe(1.5);
  });
});

type Step =
  | { readonly kind: "start" }
  | { readonly kind: "end"; readonly ok: boolean }
  | { readonly kind: "retry" }
  | { readonly kind: "breaker"; readonly to: BreakerPhase };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: "start" }),
  fc.boolean().map<Step>((ok) => ({ kind: "end", ok })),
  fc.constant<Step>({ kind: "retry" }),
  fc.constantFrom<BreakerPhase>("closed", "open", "half_open").map<Step>((to) => ({ kind: "breaker", to })),
);

/** The rules, read off the whole history (not incrementally, as the model does). */
function expected(steps: readonly Step[], unhealthyAfter: number) {
  const ends = steps.flatMap((s, i) => (s.kind === "end" ? [{ ok: s.ok, at: i }] : []));
  const lastOk = ends.findLast((e) => e.ok);
  const trailingFailures = ends.filter((e) => !e.ok && e.at > (lastOk?.at ?? -1)).length;
  const lastBoundary = steps.findLastIndex((s) => s.kind === "start" || s.kind === "end");
  const backingOff = steps.slice(lastBoundary + 1).some((s) => s.kind === "retry");
  const phase = steps.findLast((s) => s.kind === "breaker")?.to ?? "closed";
  const lastEnd = ends.at(-1);
  const status: HealthStatus =
    phase === "open" || trailingFailures >= unhealthyAfter
      ? "unhealthy"
      : trailingFailures > 0 || backingOff || phase === "half_open"
        ? "degraded"
        : "ok";
  return {
    status,
    trailingFailures,
    lastErrorAt: ends.findLast((e) => !e.ok)?.at,
    lastErrorPresent: lastEnd !== undefined && !lastEnd.ok,
    lastSuccessAt: lastOk?.at,
  };
}

describe("source health over any sequence of polls, retries and breaker moves", () => {
  it("matches the rules read off the whole history", () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, unhealthyAfter) => {
          const health = createHealth({ sources: ["okta"], now: () => 0, unhealthyAfter });
          steps.forEach((s, i) => {
            if (s.kind === "start") health.observe(started(i));
            else if (s.kind === "end") health.observe(ended(i, s.ok ? undefined : `failure ${i}`));
            else if (s.kind === "retry") health.observe(retry);
            else health.observe(breaker("closed", s.to));
          });
          const want = expected(steps, unhealthyAfter);
          const got = health.source("okta");
          expect(got?.status).toBe(want.status);
          expect(got?.consecutiveFailures).toBe(want.trailingFailures);
          expect(got?.lastErrorAtMs).toBe(want.lastErrorAt);
          expect(got?.lastSuccessMs).toBe(want.lastSuccessAt);
          expect(got?.lastError?.message).toBe(
            want.lastErrorPresent ? `failure ${want.lastErrorAt}` : undefined,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
