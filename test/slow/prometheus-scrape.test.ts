/**
 * Proof against the real thing: a real Prometheus scrapes the metrics server (fed by synthetic
 * run events on the bus) and reads the values back through its query API; the alert rules load,
 * evaluate without errors, and one fires. (The test with a real bundle polling a vendor mock is
 * the integration's.)
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRunEvents, type RunEvents } from "../../runtime/observe/events.ts";
import { createMetrics } from "../../runtime/observe/metrics.ts";
import { type HttpServer, startHttpServer } from "../../runtime/server/http-server.ts";
import { metricsRoute } from "../../runtime/server/probe-routes.ts";
import { ROOT } from "../support/bundle.ts";
import {
  describeWithBinary,
  PROMETHEUS_BIN,
  type PrometheusServer,
  startPrometheus,
} from "../support/prometheus.ts";
import { recordingLog } from "../support/server-log.ts";

describeWithBinary(PROMETHEUS_BIN, "a real Prometheus scraping the metrics server", () => {
  let events: RunEvents;
  let server: HttpServer;
  let prometheus: PrometheusServer;
  const now = Date.now();

  beforeAll(async () => {
    events = createRunEvents();
    const metrics = createMetrics({
      version: "0.1.0",
      bundleHash: "cafe",
      sources: [
        { id: "okta", intervalSecs: 60 },
        { id: "github", intervalSecs: 300 },
      ],
      now: Date.now,
    });
    events.subscribe(metrics.observe);
    server = await startHttpServer({
      bind: { key: "global.metrics", address: "127.0.0.1", port: 0 },
      routes: [metricsRoute(metrics)],
      log: recordingLog(),
    });
    for (const emitted of [400, 200, 31]) {
      events.publish({ type: "page", sourceId: "okta", bytes: emitted * 500, received: emitted });
      events.publish({
        type: "written",
        sourceId: "okta",
        emitted,
        filtered: 0,
        duplicates: 0,
        oversized: 0,
        newestEventMs: now - 30_000,
      });
    }
    events.publish({
      type: "poll_ended",
      sourceId: "okta",
      atMs: now,
      durationMs: 900,
      pages: 3,
      events: 631,
    });
    prometheus = await startPrometheus({
      targets: [`127.0.0.1:${server.port}`],
      ruleFiles: [join(ROOT, "docs/operations/alerts.yml")],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it("reads the counters back through the query API after two scrapes", async () => {
    await prometheus.waitForScrapes(2);
    const emitted = await prometheus.query("helr_events_emitted_total");
    expect(Object.fromEntries(emitted.map((s) => [s.metric.source, s.value]))).toEqual({
      okta: 631,
      github: 0,
    });
    expect(emitted[0]?.metric).toMatchObject({ job: "helr", instance: `127.0.0.1:${server.port}` });
    const lastSuccess = await prometheus.query('helr_last_successful_poll_timestamp_seconds{source="okta"}');
    expect(lastSuccess.map((s) => s.value)).toEqual([now / 1000]);
    const lag = await prometheus.query('helr_ingest_lag_seconds{source="okta"}');
    expect(lag).toHaveLength(1);
    expect(lag[0]?.value).toBeGreaterThanOrEqual(30);
    const build = await prometheus.query("helr_build_info");
    expect(build.map((s) => s.metric)).toMatchObject([{ version: "0.1.0", bundle_hash: "cafe" }]);
  });

  it("loads the alert rules, which evaluate without errors against the real series", async () => {
    await prometheus.waitFor("every rule evaluated", async () => {
      const rules = await prometheus.rules();
      return rules.length === 6 && rules.every((r) => r.health !== "unknown");
    });
    const rules = await prometheus.rules();
    expect(rules.map((r) => [r.name, r.health, r.lastError ?? ""])).toEqual(
      rules.map((r) => [r.name, "ok", ""]),
    );
  });

  it("fires HelrOutputErrors once an output error is scraped", async () => {
    await prometheus.waitForScrapes(2);
    events.publish({ type: "output_error", sourceId: "okta", code: "HELR_OUTPUT_EPIPE" });
    await prometheus.waitFor("HelrOutputErrors to fire", async () => {
      const alerts = await prometheus.query('ALERTS{alertname="HelrOutputErrors", alertstate="firing"}');
      return alerts.some((a) => a.metric.source === "okta");
    });
    const quiet = await prometheus.query('ALERTS{alertname="HelrOutputErrors", source="github"}');
    expect(quiet).toEqual([]);
  });
});
