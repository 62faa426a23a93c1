/**
 * Metrics and health probes through the built bundle (issue: observability): a continuous run
 * against the Okta mock, watched from outside over HTTP — the counters match what the mock
 * served, the probes follow a failure (breaker open → /readyz 503, source unhealthy) and the
 * recovery (200, last_error gone), and a bind error stops the run before any poll.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runProcess, tempDir } from "../support/bundle.ts";
import { call } from "../support/http-call.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { freePort, type RunningBundle, sample, startBundle, waitUntil } from "../support/running-bundle.ts";
import { buildBundle, oktaConfig, runBundle } from "./cli-support.ts";

const TOKEN = "okta-observe-5e6f7a8b9c0d";
const served = 120;
let mock: OktaMock;
let metricsPort: number;
let apiPort: number;
let bundle: string;

/** The cli tests' Okta source, with metrics and the API on the given ports and a quick breaker. */
function observedConfig(metrics: number, api: number): string {
  return oktaConfig(50)
    .replace(
      "global:\n",
      `global:\n  metrics:\n    enabled: true\n    port: ${metrics}\n  api:\n    enabled: true\n    port: ${api}\n`,
    )
    .replace(
      "    schedule:\n",
      "    resilience:\n      retries:\n        max_attempts: 1\n      circuit_breaker:\n        failure_threshold: 2\n        success_threshold: 1\n        half_open_timeout_secs: 1\n    schedule:\n",
    );
}

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: served, seed: 16 });
  metricsPort = await freePort();
  apiPort = await freePort();
  bundle = (await buildBundle(observedConfig(metricsPort, apiPort))).bundle;
}, 120_000);
afterAll(async () => mock?.close());

const env = () => cleanEnv({ OKTA_URL: mock.url, OKTA_TOKEN: TOKEN, HELR_LOG_LEVEL: "info" });
const scrape = async () => (await call(`http://127.0.0.1:${metricsPort}/metrics`)).text;
const probe = (path: string) => call(`http://127.0.0.1:${apiPort}${path}`);

describe("a running bundle, watched over HTTP", () => {
  let run: RunningBundle;
  beforeAll(() => {
    run = startBundle(bundle, ["run"], tempDir(), env());
  });
  afterAll(async () => {
    await run?.stop();
  });

  it("serves /metrics with what the mock served, the Rust Helr's series and the lag series", async () => {
    const text = await waitUntil("the first poll's events in /metrics", async () => {
      const t = await scrape();
      return sample(t, 'helr_events_emitted_total{source="okta"}') === served &&
        sample(t, 'helr_polls_total{source="okta",outcome="ok"}') !== 0
        ? t
        : undefined;
    });
    expect(run.stdout().trim().split("\n")).toHaveLength(served);
    // 120 events in pages of 50: three pages, then the empty poll of the next interval.
    expect(sample(text, 'helr_pages_received_total{source="okta"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'helr_requests_total{source="okta",status="2xx"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'helr_requests_total{source="okta",status="5xx"}')).toBe(0);
    expect(sample(text, 'helr_received_bytes_total{source="okta"}')).toBeGreaterThan(served * 100);
    expect(sample(text, 'helr_errors_total{source="okta"}')).toBe(0);
    expect(sample(text, 'hel_errors_total{source="okta"}')).toBe(0);
    expect(sample(text, 'helr_circuit_breaker_state{source="okta"}')).toBe(0);
    expect(sample(text, 'helr_poll_interval_seconds{source="okta"}')).toBe(1);
    const lastSuccess = sample(text, 'helr_last_successful_poll_timestamp_seconds{source="okta"}');
    expect(Math.abs((lastSuccess ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    // The mock's events are from 2024: the lag is large, and it is there.
    expect(sample(text, 'helr_ingest_lag_seconds{source="okta"}')).toBeGreaterThan(86_400);
    expect(sample(text, 'helr_checkpoint_age_seconds{source="okta"}')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^helr_build_info\{version="[^"]+",bundle_hash="[0-9a-f]{16}"\} 1$/m);
    expect(text).toMatch(/^helr_request_duration_seconds_count\{source="okta"\} [1-9]/m);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(mock.url);
  });

  it("answers the probes: ok, ready, started", async () => {
    const healthz = await probe("/healthz");
    expect(healthz.status).toBe(200);
    // The Rust Helr's shape (helr.md §5.2): last_error omitted when there is none.
    expect(healthz.json).toMatchObject({
      sources: { okta: { status: "ok", circuit_state: { state: "closed", failures: 0 } } },
    });
    expect((healthz.json as { sources: { okta: object } }).sources.okta).not.toHaveProperty("last_error");
    expect((healthz.json as { uptime_secs: number }).uptime_secs).toBeGreaterThanOrEqual(0);
    const readyz = await probe("/readyz");
    expect(readyz.status).toBe(200);
    expect(readyz.json).toMatchObject({
      ready: true,
      output_writable: true,
      state_store_connected: true,
      at_least_one_source_healthy: true,
    });
    expect((await probe("/startupz")).json).toMatchObject({ started: true });
    expect((await probe("/nope")).status).toBe(404);
    expect((await probe("/metrics")).status).toBe(404);
    expect((await call(`http://127.0.0.1:${apiPort}/healthz`, { method: "POST" })).status).toBe(405);
  });

  it("follows a failure: breaker open → /readyz 503 and unhealthy; recovery → 200, last_error gone", async () => {
    mock.failNext(1_000_000);
    const failing = await waitUntil("/readyz 503 with the breaker open", async () => {
      const r = await probe("/readyz");
      return r.status === 503 ? r : undefined;
    });
    expect(failing.json).toMatchObject({ ready: false, at_least_one_source_healthy: false });
    const down = (await probe("/healthz")).json as {
      sources: { okta: { status: string; circuit_state: object; last_error?: string } };
    };
    expect(down.sources.okta.status).toBe("unhealthy");
    expect(down.sources.okta.circuit_state).toMatchObject({ state: "open" });
    expect(down.sources.okta.last_error).toMatch(/500/);
    const text = await scrape();
    expect(sample(text, 'helr_errors_total{source="okta"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hel_errors_total{source="okta"}')).toBe(
      sample(text, 'helr_errors_total{source="okta"}'),
    );
    expect(sample(text, 'helr_requests_total{source="okta",status="5xx"}')).toBeGreaterThanOrEqual(2);

    mock.failNext(0);
    mock.addEvents(7);
    const healthy = await waitUntil("/readyz 200 after the recovery", async () => {
      const r = await probe("/readyz");
      return r.status === 200 ? r : undefined;
    });
    expect(healthy.json).toMatchObject({ ready: true });
    const up = (await probe("/healthz")).json as {
      sources: { okta: { status: string; last_error: unknown; last_error_at: unknown } };
    };
    expect(up.sources.okta.status).toBe("ok");
    expect(up.sources.okta).not.toHaveProperty("last_error");
    expect(up.sources.okta.last_error_at).toEqual(expect.any(String));
    await waitUntil("the new events written", () =>
      run.stdout().trim().split("\n").length === served + 7 ? true : undefined,
    );
  });
});

describe("/readyz and a file output", () => {
  it("answers 503 with output_writable false once the output file cannot be opened for append", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "out"));
    const run = startBundle(bundle, ["run", "--output", "out/events.ndjson"], dir, env());
    try {
      const ready = await waitUntil("/readyz 200", async () => {
        const r = await probe("/readyz");
        return r.status === 200 ? r : undefined;
      });
      expect(ready.json).toMatchObject({ output_writable: true });
      rmSync(join(dir, "out"), { recursive: true });
      const gone = await probe("/readyz");
      expect(gone.status).toBe(503);
      expect(gone.json).toMatchObject({ ready: false, output_writable: false, state_store_connected: true });
    } finally {
      await run.stop();
    }
  });
});

describe("the progress line of run --once", () => {
  // `script` gives the bundle a pseudo-terminal; NDJSON goes to a file so only stderr is on it.
  const onTerminal = (format: string) => {
    const dir = tempDir();
    const command = `${process.execPath} ${bundle} run --once --output out.ndjson --log-format ${format}`;
    return runProcess("script", ["-qec", command, "/dev/null"], { cwd: dir, env: env() });
  };

  it.skipIf(!existsSync("/usr/bin/script"))(
    "shows on a terminal with pretty logs, drawn in place",
    async () => {
      const run = await onTerminal("pretty");
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain("\r\x1b[K");
      expect(run.stdout).toMatch(/okta \d+ pages [\d,]+ ev [\d,]+ ev\/s /);
      expect(run.stdout).toMatch(/okta: ok — \d+ requests, \d+ events/);
    },
  );

  it.skipIf(!existsSync("/usr/bin/script"))("not with JSON logs, not on a pipe", async () => {
    const json = await onTerminal("json");
    expect(json.code, json.stdout).toBe(0);
    expect(json.stdout).not.toContain("ev/s");
    const piped = await runBundle(bundle, ["run", "--once", "--log-format", "pretty"], tempDir(), env());
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain("ev/s");
  });
});

describe("servers that cannot listen stop the run before any poll", () => {
  let holder: Server;
  let held: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    held = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it("a port in use: exit 1 naming the key and the port, nothing polled", async () => {
    const { bundle: taken } = await buildBundle(observedConfig(held, await freePort()));
    const before = mock.requests.length;
    const result = await runBundle(taken, ["run", "--once"], tempDir(), env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("global.metrics");
    expect(result.stderr).toContain(String(held));
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(mock.requests.length).toBe(before);
  }, 60_000);

  it("metrics and API on one port: exit 1 naming both keys", async () => {
    const port = await freePort();
    const { bundle: same } = await buildBundle(observedConfig(port, port));
    const before = mock.requests.length;
    const result = await runBundle(same, ["run", "--once"], tempDir(), env());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/global\.metrics[\s\S]*global\.api|global\.api[\s\S]*global\.metrics/);
    expect(mock.requests.length).toBe(before);
  }, 60_000);
});
