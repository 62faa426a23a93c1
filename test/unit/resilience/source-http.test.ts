import { describe, expect, it } from "vitest";
import type { HttpResponse } from "../../../runtime/http/client.ts";
import { HttpError } from "../../../runtime/http/errors.ts";
import { createBudgetRegistry } from "../../../runtime/resilience/budget.ts";
import { createSourceHttp } from "../../../runtime/resilience/source-http.ts";
import { GET, harness, response, scripted } from "../../support/resilience-harness.ts";
import { resilientSource } from "../../support/resilience-spec.ts";

const transport = (msg = "ECONNRESET: socket hang up") => new HttpError("HELR_HTTP_TRANSPORT", msg);

describe("resilient sender: events for metrics", () => {
  it("publishes each retry's cause and one request event per logical request, with its final outcome", async () => {
    const h = harness();
    const base = scripted([
      response(500),
      new HttpError("HELR_HTTP_TIMEOUT", "timed out"),
      transport(),
      async () => {
        h.advance(250);
        return response(200, {}, "[]");
      },
      response(503),
    ]);
    const http = createSourceHttp(resilientSource({ retries: { maxAttempts: 4 } }), base.send, h.deps);
    await http.send(GET);
    await http.send({ ...GET, url: "http://api.test/logs?page=2" }).catch(() => undefined);
    const retries = h.events.filter((e) => e.type === "retry").map((e) => e.cause);
    expect(retries.slice(0, 3)).toEqual(["status", "timeout", "network"]);
    const requests = h.events.filter((e) => e.type === "request");
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ sourceId: "flaky", status: 200 });
    expect(requests[0]?.durationMs).toBeGreaterThanOrEqual(250);
    expect(requests[1]).toMatchObject({ status: 503, code: "HELR_HTTP_503" });
    expect(JSON.stringify(h.events)).not.toContain("api.test");
  });

  it("publishes no request event for a request cut short by shutdown", async () => {
    const h = harness();
    const base = scripted([new HttpError("HELR_HTTP_ABORTED", "request aborted")]);
    const http = createSourceHttp(resilientSource({}), base.send, h.deps);
    await http.send(GET).catch(() => undefined);
    expect(h.events.filter((e) => e.type === "request")).toEqual([]);
  });
});

describe("resilient sender: retries", () => {
  it("retries three 500s with growing backoff, then returns the 200", async () => {
    const h = harness();
    const base = scripted([response(500), response(500), response(500), response(200, {}, "[]")]);
    const http = createSourceHttp(resilientSource({ retries: { maxAttempts: 4 } }), base.send, h.deps);
    const res = await http.send(GET);
    expect(res.status).toBe(200);
    expect(base.requests).toHaveLength(4);
    expect(h.sleeps).toEqual([10, 20, 40]);
    const warns = h.lines.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warns).toEqual([
      "HTTP 500: retrying in 0.01 s (attempt 2 of 4)",
      "HTTP 500: retrying in 0.02 s (attempt 3 of 4)",
      "HTTP 500: retrying in 0.04 s (attempt 4 of 4)",
    ]);
    expect(http.stats()).toMatchObject({ requests: 1, attempts: 4, retries: 3, failures: 0 });
  });

  it("gives up after max_attempts with HELR_HTTP_<status>, the source, a redacted URL and what was tried", async () => {
    const h = harness();
    const base = scripted([
      async () => {
        h.advance(1000);
        return response(503, {}, '{"error": "down for maintenance"}');
      },
    ]);
    const http = createSourceHttp(resilientSource({}, "okta"), base.send, h.deps);
    const req = { ...GET, url: "http://api.test/logs?api_token=hunter22", secrets: ["hunter22"] };
    const error = await http.send(req).catch((e: unknown) => e);
    expect(base.requests).toHaveLength(3);
    expect(error).toMatchObject({
      code: "HELR_HTTP_503",
      status: 503,
      tried: { sourceId: "okta", attempts: 3 },
      message:
        'source "okta": GET http://api.test/logs?api_token=REDACTED returned HTTP 503 after 3 attempts over 3 s: {"error": "down for maintenance"}',
    });
    expect(JSON.stringify(h.lines)).not.toContain("hunter22");
  });

  it("redacts secrets in the body excerpt before cutting it, so none leaks at the cut", async () => {
    const h = harness();
    const secret = "tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const body = `${"x".repeat(290)}${secret}`;
    const http = createSourceHttp(
      resilientSource({ retries: { maxAttempts: 1 } }),
      scripted([response(500, {}, body)]).send,
      h.deps,
    );
    const error = (await http.send({ ...GET, secrets: [secret] }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("x".repeat(290));
    expect(error.message).not.toContain(secret.slice(0, 6));
  });

  it("retries transport errors and reports HELR_HTTP_TRANSPORT when they persist", async () => {
    const h = harness();
    const base = scripted([transport(), transport(), transport()]);
    const http = createSourceHttp(resilientSource(), base.send, h.deps);
    await expect(http.send(GET)).rejects.toMatchObject({
      code: "HELR_HTTP_TRANSPORT",
      message: expect.stringMatching(/failed after 3 attempts over .* s: ECONNRESET: socket hang up$/),
    });
    const timeouts = scripted([
      new HttpError("HELR_HTTP_TIMEOUT", "response body stalled for more than 5 s (read_secs)"),
    ]);
    const http2 = createSourceHttp(resilientSource({ retries: { maxAttempts: 1 } }), timeouts.send, h.deps);
    await expect(http2.send(GET)).rejects.toMatchObject({
      code: "HELR_HTTP_TIMEOUT",
      message:
        'source "flaky": GET http://api.test/logs?limit=2 timed out after 1 attempt over 0 s: response body stalled for more than 5 s (read_secs)',
    });
  });

  it("returns non-retryable statuses as they are, for the engine to judge", async () => {
    const h = harness();
    const base = scripted([response(404, {}, "nope")]);
    const http = createSourceHttp(resilientSource(), base.send, h.deps);
    expect((await http.send(GET)).status).toBe(404);
    expect(base.requests).toHaveLength(1);
  });

  it("stops at once, without retrying, when the caller aborts", async () => {
    const h = harness();
    const controller = new AbortController();
    const base = scripted([
      async () => {
        controller.abort();
        throw new HttpError("HELR_HTTP_ABORTED", "request aborted");
      },
    ]);
    const http = createSourceHttp(resilientSource(), base.send, h.deps);
    await expect(http.send({ ...GET, signal: controller.signal })).rejects.toMatchObject({
      code: "HELR_HTTP_ABORTED",
    });
    expect(base.requests).toHaveLength(1);
    expect(http.breakerState().consecutiveFailures).toBe(0);
  });
});

describe("resilient sender: rate limits", () => {
  it("waits exactly what Retry-After says before retrying a 429 (not a backoff)", async () => {
    const h = harness();
    const base = scripted([response(429, { "retry-after": "7" }), response(200)]);
    const http = createSourceHttp(resilientSource(), base.send, h.deps);
    const started = h.now();
    await http.send(GET);
    expect(h.now() - started).toBe(7000);
    expect(h.lines.find((l) => l.level === "warn")?.message).toBe(
      "HTTP 429 (rate limited): waiting 7 s as Retry-After asks (attempt 2 of 3)",
    );
    expect(http.stats()).toMatchObject({ rateLimited: 1, throttledMs: 7000 });
  });

  it("caps a long Retry-After at max_wait_secs and says so", async () => {
    const h = harness();
    const base = scripted([response(429, { "retry-after": "3600" }), response(200)]);
    const http = createSourceHttp(resilientSource({ rateLimit: { maxWaitSecs: 30 } }), base.send, h.deps);
    await http.send(GET);
    expect(h.sleeps).toEqual([30_000]);
    expect(h.lines.find((l) => l.level === "warn")?.message).toContain(
      "Retry-After asks for 3600 s; waiting max_wait_secs 30 s",
    );
  });

  it("waits for an Okta-style reset header when there is no Retry-After", async () => {
    const h = harness();
    const reset = String(h.now() / 1000 + 4);
    const base = scripted([
      response(429, { "x-rate-limit-reset": reset, "x-rate-limit-remaining": "0" }),
      response(200),
    ]);
    const http = createSourceHttp(resilientSource(), base.send, h.deps);
    await http.send(GET);
    expect(h.sleeps).toEqual([4000]);
  });

  it("makes every source on the same budget key wait out one source's 429", async () => {
    const h = harness();
    const budgets = createBudgetRegistry();
    const shared = { rateLimit: { budgetKey: "okta-org-token" } };
    const shutdown = new AbortController();
    const a = createSourceHttp(
      resilientSource(shared, "a"),
      scripted([
        async () => {
          shutdown.abort();
          return response(429, { "retry-after": "5" });
        },
      ]).send,
      { ...h.deps, budgets },
    );
    const b = createSourceHttp(resilientSource(shared, "b"), scripted([response(200)]).send, {
      ...h.deps,
      budgets,
    });
    const c = createSourceHttp(resilientSource({}, "c"), scripted([response(200)]).send, {
      ...h.deps,
      budgets,
    });
    await expect(a.send({ ...GET, signal: shutdown.signal })).rejects.toMatchObject({
      code: "HELR_HTTP_ABORTED",
    });
    const before = h.now();
    await c.send(GET);
    expect(h.now()).toBe(before);
    await b.send(GET);
    expect(h.now() - before).toBe(5000);
  });

  it("keeps the token bucket across calls (polls) and shares it by budget key", async () => {
    const h = harness();
    const budgets = createBudgetRegistry();
    const limited = { rateLimit: { maxRequestsPerSecond: 2, burstSize: 1, budgetKey: "gh" } };
    const a = createSourceHttp(resilientSource(limited, "a"), scripted([response(200)]).send, {
      ...h.deps,
      budgets,
    });
    const b = createSourceHttp(resilientSource(limited, "b"), scripted([response(200)]).send, {
      ...h.deps,
      budgets,
    });
    const started = h.now();
    for (const http of [a, b, a, b]) await http.send(GET);
    expect(h.now() - started).toBe(1500);
  });

  it("pauses until the reset when remaining is low (adaptive)", async () => {
    const h = harness();
    const low = { "x-ratelimit-remaining": "1", "x-ratelimit-reset": "12" };
    const base = scripted([response(200, low), response(200)]);
    const http = createSourceHttp(
      resilientSource({ rateLimit: { adaptiveRemaining: 1 } }),
      base.send,
      h.deps,
    );
    await http.send(GET);
    const before = h.now();
    await http.send(GET);
    expect(h.now() - before).toBe(12_000);
    expect(h.lines.find((l) => l.level === "info")?.message).toBe(
      "rate-limit budget low (remaining 1 ≤ 1): pausing requests 12 s until the reset",
    );
  });

  it("spaces logical requests by page_delay_secs, not retries", async () => {
    const h = harness();
    const base = scripted([response(200), response(500), response(200)]);
    const http = createSourceHttp(resilientSource({ rateLimit: { pageDelaySecs: 2 } }), base.send, h.deps);
    await http.send(GET);
    await http.send(GET);
    expect(h.sleeps).toEqual([2000, 10]);
  });
});

describe("resilient sender: circuit breaker and bulkhead", () => {
  const breaker = {
    retries: { maxAttempts: 1 },
    circuitBreaker: { failureThreshold: 2, successThreshold: 1, halfOpenTimeoutSecs: 30 },
  };

  it("opens after the threshold, fails fast with HELR_CIRCUIT_OPEN, probes once and closes", async () => {
    const h = harness();
    const base = scripted([response(500), response(500), response(200)]);
    const http = createSourceHttp(resilientSource(breaker, "okta"), base.send, h.deps);
    const failed = () => http.send(GET).catch((e: { code?: string }) => e.code);
    expect([await failed(), await failed()]).toEqual(["HELR_HTTP_500", "HELR_HTTP_500"]);
    expect(http.breakerState()).toMatchObject({ phase: "open", openReason: "2 consecutive failures" });
    const rejected = await http.send(GET).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: "HELR_CIRCUIT_OPEN", sourceId: "okta" });
    expect((rejected as Error).message).toMatch(
      /^source "okta": circuit open \(2 consecutive failures\); GET http:\/\/api.test\/logs\?limit=2 not sent; next probe at .*Z \(in 30 s\)$/,
    );
    expect(base.requests).toHaveLength(2);
    h.advance(30_000);
    expect((await http.send(GET)).status).toBe(200);
    expect(http.breakerState().phase).toBe("closed");
    expect(
      h.lines.filter((l) => l.fields.breaker !== undefined).map((l) => [l.level, l.fields.breaker]),
    ).toEqual([
      ["warn", "open"],
      ["info", "half_open"],
      ["info", "closed"],
    ]);
    expect(http.stats()).toMatchObject({ breakerOpens: 1, breakerRejections: 1 });
  });

  it("records one outcome per logical request, after its retries", async () => {
    const h = harness();
    const base = scripted([response(500), response(500), response(200)]);
    const http = createSourceHttp(
      resilientSource({ circuitBreaker: { failureThreshold: 2 } }),
      base.send,
      h.deps,
    );
    await http.send(GET);
    expect(http.breakerState()).toMatchObject({ phase: "closed", consecutiveFailures: 0 });
  });

  it("does not count a 404 or 401 against the breaker", async () => {
    const h = harness();
    const base = scripted([response(404), response(401), response(404)]);
    const http = createSourceHttp(resilientSource(breaker), base.send, h.deps);
    for (let i = 0; i < 3; i++) await http.send(GET);
    expect(http.breakerState()).toMatchObject({ phase: "closed", consecutiveFailures: 0 });
  });

  it("lets only one probe out while half-open", async () => {
    const h = harness();
    let releaseProbe: (r: HttpResponse) => void = () => {};
    const base = scripted([
      response(500),
      response(500),
      () => new Promise<HttpResponse>((r) => (releaseProbe = r)),
    ]);
    const http = createSourceHttp(resilientSource(breaker), base.send, h.deps);
    await http.send(GET).catch(() => undefined);
    await http.send(GET).catch(() => undefined);
    h.advance(30_000);
    const probe = http.send(GET);
    await expect(http.send(GET)).rejects.toMatchObject({
      code: "HELR_CIRCUIT_OPEN",
      message: expect.stringContaining("probe request is still in flight"),
    });
    releaseProbe(response(200));
    await probe;
    expect(http.breakerState().phase).toBe("closed");
  });

  it("never has more than max_concurrent_requests in flight, across calls", async () => {
    const h = harness();
    let inFlight = 0;
    let peak = 0;
    const base = scripted([
      async () => {
        peak = Math.max(peak, ++inFlight);
        // In flight for one event-loop turn: every call not held back by the limit starts first.
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return response(200);
      },
    ]);
    const http = createSourceHttp(resilientSource({ maxConcurrentRequests: 2 }), base.send, h.deps);
    await Promise.all(Array.from({ length: 6 }, () => http.send(GET)));
    expect(peak).toBe(2);
    expect(base.requests).toHaveLength(6);
  });
});
