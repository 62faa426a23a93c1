/**
 * Proof against the real thing, end to end: a real Prometheus scrapes a running bundle that polls
 * the Okta mock; through Prometheus's query API, `helr_events_emitted_total` equals the events the
 * mock served, and the lag and last-success series exist.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildBundle, oktaConfig } from "../e2e/cli-support.ts";
import { cleanEnv, ROOT, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import {
  describeWithBinary,
  PROMETHEUS_BIN,
  type PrometheusServer,
  startPrometheus,
} from "../support/prometheus.ts";
import { freePort, type RunningBundle, startBundle, waitUntil } from "../support/running-bundle.ts";

const TOKEN = "okta-prometheus-0a1b2c3d";
const SERVED = 340;

describeWithBinary(PROMETHEUS_BIN, "a real Prometheus scraping a running bundle", () => {
  let mock: OktaMock;
  let run: RunningBundle;
  let prometheus: PrometheusServer;
  let port: number;

  beforeAll(async () => {
    mock = await startOktaMock({ token: TOKEN, events: SERVED, seed: 61 });
    port = await freePort();
    const config = oktaConfig(100).replace(
      "global:\n",
      `global:\n  metrics:\n    enabled: true\n    port: ${port}\n`,
    );
    const { bundle } = await buildBundle(config);
    run = startBundle(
      bundle,
      ["run"],
      tempDir(),
      cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, HELR_LOG_LEVEL: "warn" }),
    );
    await waitUntil("the mock's events on stdout", () =>
      run.stdout().trim().split("\n").length === SERVED ? true : undefined,
    );
    prometheus = await startPrometheus({
      targets: [`127.0.0.1:${port}`],
      ruleFiles: [join(ROOT, "docs/operations/alerts.yml")],
    });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await run?.stop();
    await mock?.close();
  });

  it("reads the bundle's counters back through the query API after two scrapes", async () => {
    await prometheus.waitForScrapes(2);
    const emitted = await prometheus.query('helr_events_emitted_total{source="okta"}');
    expect(emitted.map((s) => s.value)).toEqual([SERVED]);
    expect(emitted[0]?.metric).toMatchObject({ job: "helr", instance: `127.0.0.1:${port}` });
    const lastSuccess = await prometheus.query('helr_last_successful_poll_timestamp_seconds{source="okta"}');
    expect(lastSuccess).toHaveLength(1);
    expect(Math.abs((lastSuccess[0]?.value ?? 0) - Date.now() / 1000)).toBeLessThan(120);
    const lag = await prometheus.query('helr_ingest_lag_seconds{source="okta"}');
    expect(lag).toHaveLength(1);
    expect(lag[0]?.value).toBeGreaterThan(0);
    const ok = await prometheus.query('helr_requests_total{source="okta",status="2xx"}');
    expect(ok[0]?.value).toBeGreaterThanOrEqual(Math.ceil(SERVED / 100));
    const build = await prometheus.query("helr_build_info");
    expect(build.map((s) => s.metric.bundle_hash)).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/)]);
  });

  it("evaluates the alert rules against the bundle's series without errors, none firing", async () => {
    await prometheus.waitFor("every rule evaluated", async () => {
      const rules = await prometheus.rules();
      return rules.length > 0 && rules.every((r) => r.health !== "unknown");
    });
    const rules = await prometheus.rules();
    expect(rules.map((r) => [r.name, r.health, r.lastError ?? ""])).toEqual(
      rules.map((r) => [r.name, "ok", ""]),
    );
    const firing = await prometheus.query('ALERTS{alertstate="firing", alertname!="HelrIngestLagHigh"}');
    expect(firing).toEqual([]);
  });
});
