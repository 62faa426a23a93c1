/**
 * The resilience layer against real sockets on 127.0.0.1 (port 0), with its real undici pool and
 * timers; times are shortened through small configured values, not faked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSourceRuntime, type SourceRuntimeOptions } from "../../runtime/engine/source-runtime.ts";
import { createBudgetRegistry } from "../../runtime/resilience/budget.ts";
import type { ResilienceLog } from "../../runtime/resilience/events.ts";
import { type FlakyStep, startFlakyServer } from "../support/flaky-server.ts";
import type { LogLine } from "../support/resilience-harness.ts";
import { type ResilienceOverrides, resilientSource } from "../support/resilience-spec.ts";

const EVENTS = JSON.stringify([{ id: 1, published: "2024-05-21T13:00:00.000Z", padding: "x".repeat(2000) }]);
const ok: FlakyStep = { status: 200, body: EVENTS };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(
  script: readonly FlakyStep[],
  overrides: ResilienceOverrides = {},
  clock?: SourceRuntimeOptions["clock"],
) {
  const server = await startFlakyServer(script);
  const lines: LogLine[] = [];
  const log: ResilienceLog = {
    warn: (fields, message) => void lines.push({ level: "warn", fields, message }),
    info: (fields, message) => void lines.push({ level: "info", fields, message }),
    debug: (fields, message) => void lines.push({ level: "debug", fields, message }),
  };
  const runtime = createSourceRuntime(resilientSource(overrides, "flaky", server.url), {
    env: {},
    log,
    budgets: createBudgetRegistry(),
    ...(clock ? { clock } : {}),
  });
  cleanups.push(
    () => runtime.close(),
    () => server.close(),
  );
  const get = () => runtime.send({ method: "GET", url: server.url, headers: {} });
  return { server, runtime, lines, get };
}

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );

describe("resilience against a flaky loopback server", () => {
  it("three 500s then 200: retried with backoff over pooled connections", async () => {
    const { server, get, lines } = await setup([{ status: 500 }, { status: 500 }, { status: 500 }, ok], {
      retries: { maxAttempts: 4 },
    });
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(EVENTS);
    expect(server.hits).toHaveLength(4);
    expect(lines.filter((l) => l.level === "warn").map((l) => l.fields.attempt)).toEqual([2, 3, 4]);
    await get();
    // The source's pool outlives a request ("poll"): connections are reused, not one per request.
    expect(new Set(server.hits.map((h) => h.remotePort)).size).toBeLessThan(server.hits.length);
  });

  it("a connection reset mid-body is a transport error: retried, and named when it persists", async () => {
    const { server, get, lines } = await setup([{ kind: "reset_mid_body", body: EVENTS }, ok], {
      retries: { maxAttempts: 2 },
    });
    expect((await get()).body.toString()).toBe(EVENTS);
    expect(server.hits).toHaveLength(2);
    expect(lines.find((l) => l.level === "warn")?.message).toMatch(
      /: retrying in 0\.01 s \(attempt 2 of 2\)$/,
    );
    const again = await setup([{ kind: "reset_mid_body", body: EVENTS }], { retries: { maxAttempts: 2 } });
    const error = await fail(again.get());
    expect(error?.code).toBe("HELR_HTTP_TRANSPORT");
    expect(error?.message).toMatch(
      /^source "flaky": GET http:\/\/127\.0\.0\.1:\d+\/logs failed after 2 attempts over .* s: /,
    );
  });

  it("a body that stalls past read_secs fails with HELR_HTTP_TIMEOUT, then the retry succeeds", async () => {
    const { server, get } = await setup([{ kind: "stall", body: EVENTS, stallMs: 5000 }, ok], {
      timeouts: { readSecs: 0.2 },
      retries: { maxAttempts: 2 },
    });
    expect((await get()).status).toBe(200);
    expect(server.hits).toHaveLength(2);
    const { get: once } = await setup([{ kind: "stall", body: EVENTS, stallMs: 5000 }], {
      timeouts: { readSecs: 0.2 },
      retries: { maxAttempts: 1 },
    });
    const error = await fail(once());
    expect(error?.code).toBe("HELR_HTTP_TIMEOUT");
    expect(error?.message).toContain("timed out after 1 attempt over");
    expect(error?.message).toContain("response body stalled for more than 0.2 s (read_secs)");
  });

  it("a body that trickles forever hits the whole-request timeout (request_secs)", async () => {
    const { get } = await setup([{ kind: "trickle", everyMs: 50 }], {
      timeouts: { requestSecs: 0.4, readSecs: 0.3 },
      retries: { maxAttempts: 1 },
    });
    const error = await fail(get());
    expect(error?.code).toBe("HELR_HTTP_TIMEOUT");
    expect(error?.message).toContain("no complete response within 0.4 s (request_secs)");
  });

  it("an abort (shutdown, poll tick) stops the request at once and is not retried", async () => {
    const { server, runtime } = await setup([{ kind: "trickle", everyMs: 50 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await fail(
      runtime.send({ method: "GET", url: server.url, headers: {}, signal: controller.signal }),
    );
    expect(error?.code).toBe("HELR_HTTP_ABORTED");
    expect(server.hits).toHaveLength(1);
    expect(runtime.http.breakerState().consecutiveFailures).toBe(0);
  });

  it("429 with Retry-After: 1 waits one second before the retry", async () => {
    const { server, get, lines } = await setup([{ status: 429, headers: { "retry-after": "1" } }, ok]);
    expect((await get()).status).toBe(200);
    const [first, second] = server.hits.map((h) => h.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(990);
    expect(lines.find((l) => l.level === "warn")?.message).toBe(
      "HTTP 429 (rate limited): waiting 1 s as Retry-After asks (attempt 2 of 3)",
    );
  });

  it("an Okta-style 429 with only X-Rate-Limit-Reset waits for the reset", async () => {
    let resetAt = 0;
    const okta: FlakyStep = {
      kind: "dynamic",
      step: () => {
        resetAt = Math.floor(Date.now() / 1000) + 1;
        return {
          status: 429,
          headers: {
            "x-rate-limit-limit": "600",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": String(resetAt),
          },
          body: '{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}',
        };
      },
    };
    const { server, get, lines } = await setup([okta, ok]);
    expect((await get()).status).toBe(200);
    expect(server.hits[1]?.at).toBeGreaterThanOrEqual(resetAt * 1000 - 20);
    expect(lines.find((l) => l.level === "warn")?.fields).toMatchObject({ basis: "reset", attempt: 2 });
  });

  it("a breaker opens, fails fast without touching the server, probes and closes", async () => {
    // Fake time: the half-open timeout passes when the test moves the clock, not by sleeping.
    let nowMs = Date.parse("2026-01-01T00:00:00Z");
    const { server, get, runtime, lines } = await setup(
      [{ status: 500 }, { status: 502 }, ok],
      {
        retries: { maxAttempts: 1 },
        circuitBreaker: { failureThreshold: 2, successThreshold: 1, halfOpenTimeoutSecs: 0.3 },
      },
      { now: () => nowMs },
    );
    expect((await fail(get()))?.code).toBe("HELR_HTTP_500");
    expect((await fail(get()))?.code).toBe("HELR_HTTP_502");
    expect(runtime.http.breakerState().phase).toBe("open");
    const fast = await fail(get());
    expect(fast?.code).toBe("HELR_CIRCUIT_OPEN");
    expect(fast?.message).toMatch(
      /^source "flaky": circuit open \(2 consecutive failures\); GET .* not sent; next probe at /,
    );
    expect(server.hits).toHaveLength(2);
    nowMs += 299;
    expect((await fail(get()))?.code).toBe("HELR_CIRCUIT_OPEN");
    expect(server.hits).toHaveLength(2);
    nowMs += 21;
    expect((await get()).status).toBe(200);
    expect(server.hits).toHaveLength(3);
    expect(runtime.http.breakerState().phase).toBe("closed");
    const transitions = lines.filter((l) => l.fields.breaker);
    expect(transitions.map((l) => [l.level, l.fields.breaker])).toEqual([
      ["warn", "open"],
      ["info", "half_open"],
      ["info", "closed"],
    ]);
    expect(transitions[0]?.message).toMatch(
      /^circuit opened \(2 consecutive failures\): requests fail fast for 0\.\d+ s, then one probe$/,
    );
  });
});
