import fc from "fast-check";
import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../../runtime/observe/events.ts";
import { REQUEST_DURATION_BUCKETS } from "../../../runtime/observe/metric-series.ts";
import {
  createMetrics,
  type Metrics,
  OVERFLOW_LABEL,
  statusClass,
} from "../../../runtime/observe/metrics.ts";

const T0 = 1_750_000_000_000;

function setup(maxExtraLabels?: number) {
  let now = T0;
  const metrics = createMetrics({
    version: "0.1.0",
    bundleHash: "deadbeef",
    sources: [
      { id: "okta", intervalSecs: 60 },
      { id: "github", intervalSecs: 300 },
    ],
    now: () => now,
    ...(maxExtraLabels !== undefined ? { maxExtraLabels } : {}),
  });
  return {
    metrics,
    feed: (...events: RunEvent[]) => {
      for (const e of events) metrics.observe(e);
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

type Labels = Record<string, string | number>;

/** The value of one sample (undefined when absent). */
async function value(metrics: Metrics, name: string, labels: Labels = {}): Promise<number | undefined> {
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const sampleName = (v as { metricName?: string }).metricName ?? metric.name;
      if (sampleName !== name) continue;
      const have = v.labels as Labels;
      if (
        Object.keys(labels).length === Object.keys(have).length &&
        Object.entries(labels).every(([k, x]) => have[k] === x)
      ) {
        return v.value;
      }
    }
  }
  return undefined;
}

const written = (
  sourceId: string,
  extra: Partial<Extract<RunEvent, { type: "written" }>> = {},
): RunEvent => ({
  type: "written",
  sourceId,
  emitted: 0,
  filtered: 0,
  duplicates: 0,
  oversized: 0,
  ...extra,
});
const pollEnded = (atMs: number, error?: string): RunEvent => ({
  type: "poll_ended",
  sourceId: "okta",
  atMs,
  durationMs: 1500,
  pages: 2,
  events: 10,
  ...(error ? { error: { code: "HELR_HTTP_503", message: error } } : {}),
});

describe("the Rust Helr's series", () => {
  it("have its exact names, types and label names", async () => {
    const { metrics } = setup();
    const byName = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    const want: [string, string, string[]][] = [
      ["helr_requests_total", "counter", ["source", "status"]],
      ["helr_request_duration_seconds", "histogram", ["source"]],
      ["helr_events_emitted_total", "counter", ["source"]],
      ["helr_errors_total", "counter", ["source"]],
      ["hel_errors_total", "counter", ["source"]],
      ["helr_output_errors_total", "counter", ["source"]],
      ["helr_events_dropped_total", "counter", ["source", "reason"]],
      ["helr_pending_events", "gauge", ["source"]],
      ["helr_circuit_breaker_state", "gauge", ["source"]],
    ];
    for (const [name, type, labels] of want) {
      const metric = byName.get(name);
      expect(metric?.type, name).toBe(type);
      const seen = new Set(metric?.values.flatMap((v) => Object.keys(v.labels)).filter((k) => k !== "le"));
      expect([...seen].sort(), name).toEqual([...labels].sort());
    }
  });

  it("request durations use buckets 0.05 s × 2^k for k = 0..9", async () => {
    expect(REQUEST_DURATION_BUCKETS).toEqual([0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6]);
    const { metrics, feed } = setup();
    feed({ type: "request", sourceId: "okta", status: 200, durationMs: 300 });
    const text = await metrics.render();
    const les = [
      ...text.matchAll(/helr_request_duration_seconds_bucket\{le="([^"]+)",source="okta"\} (\d+)/g),
    ];
    expect(les.map((m) => m[1])).toEqual([
      "0.05",
      "0.1",
      "0.2",
      "0.4",
      "0.8",
      "1.6",
      "3.2",
      "6.4",
      "12.8",
      "25.6",
      "+Inf",
    ]);
    expect(les.map((m) => Number(m[2]))).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("count requests by status class, with `error` when no response came", async () => {
    expect([200, 299, 302, 404, 429, 500, 503, 101, 600, undefined].map(statusClass)).toEqual([
      "2xx",
      "2xx",
      "3xx",
      "4xx",
      "4xx",
      "5xx",
      "5xx",
      "other",
      "other",
      "error",
    ]);
    const { metrics, feed } = setup();
    feed(
      { type: "request", sourceId: "okta", status: 200, durationMs: 10 },
      { type: "request", sourceId: "okta", status: 200, durationMs: 10 },
      { type: "request", sourceId: "okta", code: "HELR_CIRCUIT_OPEN", durationMs: 0 },
    );
    expect(await value(metrics, "helr_requests_total", { source: "okta", status: "2xx" })).toBe(2);
    expect(await value(metrics, "helr_requests_total", { source: "okta", status: "error" })).toBe(1);
    expect(await value(metrics, "helr_request_duration_seconds_count", { source: "okta" })).toBe(3);
  });

  it("count a failed poll once in helr_errors_total and its alias hel_errors_total, HTTP error or not", async () => {
    const { metrics, feed } = setup();
    feed({ type: "request", sourceId: "okta", status: 503, durationMs: 10 }, pollEnded(T0, "HTTP 503"));
    expect(await value(metrics, "helr_errors_total", { source: "okta" })).toBe(1);
    expect(await value(metrics, "hel_errors_total", { source: "okta" })).toBe(1);
    expect(await value(metrics, "helr_errors_total", { source: "github" })).toBe(0);
  });

  it("follow emitted lines, output errors, drops, pending events and the breaker", async () => {
    const { metrics, feed } = setup();
    feed(
      written("okta", { emitted: 7, duplicates: 2, filtered: 1, oversized: 3 }),
      written("okta", { emitted: 5 }),
      { type: "output_error", sourceId: "okta", code: "HELR_OUTPUT_EPIPE" },
      { type: "output_error", sourceId: "http_sink", code: "HELR_SINK_REJECTED" },
      { type: "dropped", sourceId: "okta", reason: "backpressure", count: 4 },
      { type: "pending", sourceId: "okta", count: 9 },
      { type: "pending", sourceId: "okta", count: 2 },
      { type: "breaker", sourceId: "okta", from: "closed", to: "open", reason: "x" },
      { type: "breaker", sourceId: "github", from: "open", to: "half_open", reason: "x" },
    );
    expect(await value(metrics, "helr_events_emitted_total", { source: "okta" })).toBe(12);
    expect(await value(metrics, "helr_dedupe_hits_total", { source: "okta" })).toBe(2);
    expect(await value(metrics, "helr_events_filtered_total", { source: "okta" })).toBe(1);
    expect(
      await value(metrics, "helr_events_dropped_total", { source: "okta", reason: "max_line_bytes" }),
    ).toBe(3);
    expect(
      await value(metrics, "helr_events_dropped_total", { source: "okta", reason: "backpressure" }),
    ).toBe(4);
    expect(await value(metrics, "helr_output_errors_total", { source: "okta" })).toBe(1);
    expect(await value(metrics, "helr_output_errors_total", { source: "http_sink" })).toBe(1);
    expect(await value(metrics, "helr_pending_events", { source: "okta" })).toBe(2);
    expect(await value(metrics, "helr_circuit_breaker_state", { source: "okta" })).toBe(1);
    expect(await value(metrics, "helr_circuit_breaker_state", { source: "github" })).toBe(2);
  });

  it("show which sources this replica holds (helr_lease_held), absent without lease events", async () => {
    const { metrics, feed } = setup();
    expect(await value(metrics, "helr_lease_held", { source: "okta" })).toBeUndefined();
    feed(
      { type: "lease", sourceId: "okta", held: true },
      { type: "lease", sourceId: "github", held: true },
      { type: "lease", sourceId: "github", held: false },
    );
    expect(await value(metrics, "helr_lease_held", { source: "okta" })).toBe(1);
    expect(await value(metrics, "helr_lease_held", { source: "github" })).toBe(0);
  });

  it("exist at zero for every configured source before any event", async () => {
    const { metrics } = setup();
    for (const source of ["okta", "github"]) {
      expect(await value(metrics, "helr_events_emitted_total", { source })).toBe(0);
      expect(await value(metrics, "helr_circuit_breaker_state", { source })).toBe(0);
      for (const reason of ["backpressure", "max_queue_age", "max_line_bytes"]) {
        expect(await value(metrics, "helr_events_dropped_total", { source, reason })).toBe(0);
      }
      expect(await value(metrics, "helr_requests_total", { source, status: "5xx" })).toBe(0);
    }
    expect(
      await value(metrics, "helr_last_successful_poll_timestamp_seconds", { source: "okta" }),
    ).toBeUndefined();
  });
});

describe("the series operators alert on", () => {
  it("polls by outcome, last success time, poll interval, pages and bytes", async () => {
    const { metrics, feed } = setup();
    feed(
      pollEnded(T0),
      pollEnded(T0 + 60_000, "boom"),
      { type: "page", sourceId: "okta", bytes: 1000, received: 5 },
      { type: "page", sourceId: "okta", bytes: 24, received: 0 },
    );
    expect(await value(metrics, "helr_polls_total", { source: "okta", outcome: "ok" })).toBe(1);
    expect(await value(metrics, "helr_polls_total", { source: "okta", outcome: "error" })).toBe(1);
    expect(await value(metrics, "helr_poll_duration_seconds_sum", { source: "okta" })).toBe(3);
    expect(await value(metrics, "helr_last_successful_poll_timestamp_seconds", { source: "okta" })).toBe(
      T0 / 1000,
    );
    expect(await value(metrics, "helr_poll_interval_seconds", { source: "github" })).toBe(300);
    expect(await value(metrics, "helr_pages_received_total", { source: "okta" })).toBe(2);
    expect(await value(metrics, "helr_received_bytes_total", { source: "okta" })).toBe(1024);
  });

  it("retries by the event's cause (never its reason text), rate-limit waits by cause", async () => {
    const { metrics, feed } = setup();
    const retry = (reason: string, cause: "status" | "timeout" | "network"): RunEvent => ({
      type: "retry",
      sourceId: "okta",
      attempt: 2,
      delayMs: 100,
      basis: "backoff",
      reason,
      cause,
    });
    feed(
      retry("HTTP 503", "status"),
      retry("HTTP 429 (rate limited)", "status"),
      retry("request timed out after 30 s", "timeout"),
      retry("HTTP 500", "timeout"),
      retry("connect ECONNREFUSED 127.0.0.1:1", "network"),
      { type: "throttle", sourceId: "okta", waitMs: 1500, cause: "rate_limit_block" },
      { type: "throttle", sourceId: "okta", waitMs: 500, cause: "rate_limit_block" },
      { type: "throttle", sourceId: "okta", waitMs: 250, cause: "page_delay" },
      { type: "adaptive", sourceId: "okta", waitMs: 9999, remaining: 1 },
    );
    expect(await value(metrics, "helr_retries_total", { source: "okta", reason: "status" })).toBe(2);
    expect(await value(metrics, "helr_retries_total", { source: "okta", reason: "timeout" })).toBe(2);
    expect(await value(metrics, "helr_retries_total", { source: "okta", reason: "network" })).toBe(1);
    expect(
      await value(metrics, "helr_rate_limit_wait_seconds_total", {
        source: "okta",
        cause: "rate_limit_block",
      }),
    ).toBe(2);
    expect(
      await value(metrics, "helr_rate_limit_wait_seconds_total", { source: "okta", cause: "page_delay" }),
    ).toBe(0.25);
    expect(
      await value(metrics, "helr_rate_limit_wait_seconds_total", { source: "okta", cause: "token_bucket" }),
    ).toBe(0);
  });

  it("ingest lag, watermark age and checkpoint age are computed when scraped, so they grow while a source stalls", async () => {
    const { metrics, feed, advance } = setup();
    expect(await value(metrics, "helr_ingest_lag_seconds", { source: "okta" })).toBeUndefined();
    feed(
      written("okta", { emitted: 2, newestEventMs: T0 - 90_000 }),
      written("okta", { emitted: 1, newestEventMs: T0 - 120_000 }),
      { type: "checkpoint", sourceId: "okta", durationMs: 4, atMs: T0, watermarkMs: T0 - 100_000 },
      { type: "checkpoint", sourceId: "github", durationMs: 2, atMs: T0 - 5_000 },
    );
    expect(await value(metrics, "helr_ingest_lag_seconds", { source: "okta" })).toBe(90);
    expect(await value(metrics, "helr_watermark_age_seconds", { source: "okta" })).toBe(100);
    expect(await value(metrics, "helr_checkpoint_age_seconds", { source: "github" })).toBe(5);
    expect(await value(metrics, "helr_watermark_age_seconds", { source: "github" })).toBeUndefined();
    advance(600_000);
    expect(await value(metrics, "helr_ingest_lag_seconds", { source: "okta" })).toBe(690);
    expect(await value(metrics, "helr_watermark_age_seconds", { source: "okta" })).toBe(700);
    expect(await value(metrics, "helr_checkpoint_age_seconds", { source: "okta" })).toBe(600);
    expect(await value(metrics, "helr_checkpoint_duration_seconds_sum", { source: "okta" })).toBe(0.004);
  });

  it("helr_build_info is 1 with the version and bundle hash; process series are there", async () => {
    const { metrics } = setup();
    expect(await value(metrics, "helr_build_info", { version: "0.1.0", bundle_hash: "deadbeef" })).toBe(1);
    expect(await value(metrics, "process_start_time_seconds")).toBeGreaterThan(1_600_000_000);
    expect(await value(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(await value(metrics, "process_cpu_seconds_total")).toBeGreaterThan(0);
  });
});

describe("flow control", () => {
  it("helr_state_store_fallback_active is 0, 1 while the memory fallback holds the state, 0 again after", async () => {
    const { metrics, feed } = setup();
    expect(await value(metrics, "helr_state_store_fallback_active")).toBe(0);
    feed({ type: "store_fallback", active: true });
    expect(await value(metrics, "helr_state_store_fallback_active")).toBe(1);
    feed({ type: "store_fallback", active: false });
    expect(await value(metrics, "helr_state_store_fallback_active")).toBe(0);
  });

  it("helr_polls_skipped_total counts each load-shedding skip per source, from 0", async () => {
    const { metrics, feed } = setup();
    expect(
      await value(metrics, "helr_polls_skipped_total", { source: "okta", reason: "load_shedding" }),
    ).toBe(0);
    feed(
      { type: "poll_skipped", sourceId: "okta", reason: "load_shedding" },
      { type: "poll_skipped", sourceId: "okta", reason: "load_shedding" },
    );
    expect(
      await value(metrics, "helr_polls_skipped_total", { source: "okta", reason: "load_shedding" }),
    ).toBe(2);
    expect(
      await value(metrics, "helr_polls_skipped_total", { source: "github", reason: "load_shedding" }),
    ).toBe(0);
  });
});

describe("label hygiene", () => {
  it("folds source labels beyond the allowance into one overflow label", async () => {
    const { metrics, feed } = setup(2);
    for (const id of ["sink_a", "sink_b", "sink_c", "sink_d"])
      feed({ type: "output_error", sourceId: id, code: "X" });
    feed({ type: "output_error", sourceId: "sink_a", code: "X" });
    expect(await value(metrics, "helr_output_errors_total", { source: "sink_a" })).toBe(2);
    expect(await value(metrics, "helr_output_errors_total", { source: "sink_c" })).toBeUndefined();
    expect(await value(metrics, "helr_output_errors_total", { source: OVERFLOW_LABEL })).toBe(2);
    // Configured sources never fold.
    feed(written("github", { emitted: 1 }));
    expect(await value(metrics, "helr_events_emitted_total", { source: "github" })).toBe(1);
  });

  it("no label value comes from an event's free text (messages, reasons, codes)", () => {
    const text = fc.string({ minLength: 1, maxLength: 30 });
    const event: fc.Arbitrary<RunEvent> = fc.oneof(
      text.map((message) => pollEnded(T0, `GET https://h.example/?token=${message}`)),
      text.map(
        (reason) =>
          ({
            type: "retry",
            sourceId: "okta",
            attempt: 2,
            delayMs: 1,
            basis: "header",
            reason,
            cause: "network",
          }) as RunEvent,
      ),
      text.map((code) => ({ type: "output_error", sourceId: "okta", code }) as RunEvent),
      fc
        .integer({ min: 0, max: 999 })
        .map((status) => ({ type: "request", sourceId: "okta", status, durationMs: 1 }) as RunEvent),
    );
    const allowed = new Set([
      "okta",
      "github",
      "0.1.0",
      "deadbeef",
      "2xx",
      "3xx",
      "4xx",
      "5xx",
      "other",
      "error",
      "ok",
      "backpressure",
      "max_queue_age",
      "max_line_bytes",
      "status",
      "timeout",
      "network",
      "rate_limit_block",
      "token_bucket",
      "page_delay",
      "load_shedding",
    ]);
    // One collector for every run: label values only accumulate, so each check covers all runs so far.
    const { metrics, feed } = setup();
    return fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 20 }), async (events) => {
        feed(...events);
        const rendered = await metrics.render();
        expect(rendered).not.toContain("https://");
        const labels = [...rendered.matchAll(/(\w+)="([^"]*)"/g)].filter(([, name]) => name !== "le");
        expect(labels.filter(([, , v]) => !allowed.has(v ?? "")).map(([label]) => label)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("uses a registry of its own: two collectors never share series, the global registry stays empty", async () => {
    const a = setup();
    const b = setup();
    a.feed(written("okta", { emitted: 5 }));
    expect(await value(a.metrics, "helr_events_emitted_total", { source: "okta" })).toBe(5);
    expect(await value(b.metrics, "helr_events_emitted_total", { source: "okta" })).toBe(0);
    expect(globalRegistry.getMetricsAsArray().filter((m) => String(m.name).startsWith("helr_"))).toEqual([]);
  });
});
