import { describe, expect, it } from "vitest";
import type { SourceHealth } from "../../../runtime/observe/health.ts";
import {
  circuitStateJson,
  healthzAnswer,
  type ProcessInfo,
  readyzAnswer,
  startupzAnswer,
} from "../../../runtime/observe/health-json.ts";

const NOW = Date.parse("2026-06-16T12:00:00.000Z");
const info: ProcessInfo = { version: "0.1.0", uptimeSecs: 12.5, fallbackActive: false, nowMs: NOW };

function source(id: string, extra: Partial<SourceHealth> = {}): SourceHealth {
  return {
    id,
    status: "ok",
    circuit: { phase: "closed", consecutiveFailures: 0 },
    consecutiveFailures: 0,
    polling: false,
    backingOff: false,
    eventsLastHour: 0,
    lagHistory: [],
    ...extra,
  };
}

describe("circuit_state in the Rust Helr's three shapes", () => {
  it("closed {state, failures}; open {state, open_until_secs} (remaining, never negative); half_open {state, successes}", () => {
    expect(circuitStateJson({ phase: "closed", consecutiveFailures: 2 }, NOW)).toEqual({
      state: "closed",
      failures: 2,
    });
    expect(
      circuitStateJson({ phase: "open", consecutiveFailures: 0, openUntilMs: NOW + 7_500 }, NOW),
    ).toEqual({
      state: "open",
      open_until_secs: 7.5,
    });
    expect(circuitStateJson({ phase: "open", consecutiveFailures: 0, openUntilMs: NOW - 1 }, NOW)).toEqual({
      state: "open",
      open_until_secs: 0,
    });
    expect(circuitStateJson({ phase: "half_open", consecutiveFailures: 0, probeSuccesses: 1 }, NOW)).toEqual({
      state: "half_open",
      successes: 1,
    });
  });
});

describe("/healthz", () => {
  it("has exactly Helr's fields, in its order, plus the additive ones; always 200", () => {
    const answer = healthzAnswer(info, [
      source("github"),
      source("okta", {
        status: "degraded",
        lastError: { code: "HELR_HTTP_503", message: "HTTP 503", atMs: NOW - 1000 },
        lastErrorAtMs: NOW - 1000,
        lastSuccessMs: NOW - 61_000,
        consecutiveFailures: 1,
        eventsLastHour: 42,
      }),
    ]);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toBe(
      JSON.stringify({
        version: "0.1.0",
        uptime_secs: 12.5,
        sources: {
          github: {
            status: "ok",
            circuit_state: { state: "closed", failures: 0 },
            consecutive_failures: 0,
            events_last_hour: 0,
          },
          okta: {
            status: "degraded",
            circuit_state: { state: "closed", failures: 0 },
            last_error: "HTTP 503",
            last_error_at: "2026-06-16T11:59:59.000Z",
            last_success_at: "2026-06-16T11:58:59.000Z",
            consecutive_failures: 1,
            events_last_hour: 42,
          },
        },
      }),
    );
  });

  it("omits last_error after a success (no null) but keeps last_error_at", () => {
    const body = healthzAnswer(info, [source("okta", { lastErrorAtMs: NOW })]).body as {
      sources: { okta: Record<string, unknown> };
    };
    expect(Object.hasOwn(body.sources.okta, "last_error")).toBe(false);
    expect(body.sources.okta.last_error_at).toBe("2026-06-16T12:00:00.000Z");
  });

  it("adds state_store_fallback_active only when it is true", () => {
    expect(healthzAnswer(info, []).body).not.toHaveProperty("state_store_fallback_active");
    expect(healthzAnswer({ ...info, fallbackActive: true }, []).body).toMatchObject({
      state_store_fallback_active: true,
    });
  });
});

describe("/readyz", () => {
  const all = { outputWritable: true, stateStoreConnected: true };
  const healthy = [source("okta"), source("github", { status: "unhealthy" })];

  it("is 200 with Helr's fields when output, store and at least one source are fine", () => {
    const answer = readyzAnswer(info, healthy, all);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toBe(
      JSON.stringify({
        version: "0.1.0",
        uptime_secs: 12.5,
        ready: true,
        output_writable: true,
        state_store_connected: true,
        at_least_one_source_healthy: true,
      }),
    );
  });

  it("is 503 naming the failed condition: output, store, or every source unhealthy", () => {
    const cases = [
      { inputs: { ...all, outputWritable: false }, sources: healthy, field: "output_writable" },
      { inputs: { ...all, stateStoreConnected: false }, sources: healthy, field: "state_store_connected" },
      {
        inputs: all,
        sources: [source("okta", { status: "unhealthy" }), source("github", { status: "unhealthy" })],
        field: "at_least_one_source_healthy",
      },
      { inputs: all, sources: [], field: "at_least_one_source_healthy" },
    ];
    for (const { inputs, sources, field } of cases) {
      const answer = readyzAnswer(info, sources, inputs);
      expect(answer.status, field).toBe(503);
      expect(answer.body, field).toMatchObject({ ready: false, [field]: false });
    }
  });

  it("a degraded source still counts as healthy", () => {
    expect(readyzAnswer(info, [source("okta", { status: "degraded" })], all).status).toBe(200);
  });

  it("reports the memory fallback when active", () => {
    expect(readyzAnswer({ ...info, fallbackActive: true }, healthy, all).body).toMatchObject({
      state_store_fallback_active: true,
    });
  });
});

describe("/startupz", () => {
  it("is 503 started:false until started, then 200 started:true", () => {
    expect(startupzAnswer(info, false)).toEqual({
      status: 503,
      body: { version: "0.1.0", uptime_secs: 12.5, started: false },
    });
    expect(startupzAnswer(info, true)).toEqual({
      status: 200,
      body: { version: "0.1.0", uptime_secs: 12.5, started: true },
    });
  });
});
