import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, oktaConfig, uuids } from "../e2e/cli-support.ts";
import { cleanEnv, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import { runAtFixedRate } from "../support/slow-reader.ts";

/**
 * Issue 18's proof with real parts: the built bundle's stdout read through a pipe at a fixed
 * rate (far below what the collector can produce), one run per strategy. The process's resident
 * memory is sampled from /proc all along: its peak (VmHWM) stays under the configured
 * `memory_threshold_mb`; `block` and `disk_buffer` deliver every served event exactly once (ids
 * counted, not just lines); `drop` delivers exactly served − counted as dropped. The figures go
 * to the test's output (docs/backpressure.md quotes them).
 */
const TOKEN = "okta-rss-a1b2c3d4e5f6";
const EVENTS = 20_000;
/** Bytes per second the reader takes. */
const RATE = 4 * 1024 * 1024;
const THRESHOLD_MB = 160;

const detection = (queue: number, bytes: number) =>
  `    detection:\n      event_queue_size: ${queue}\n      memory_threshold_mb: ${THRESHOLD_MB}\n      stdout_buffer_size: ${bytes}\n`;
const STRATEGIES = {
  block: `  backpressure:\n    enabled: true\n${detection(2000, 2 * 1024 * 1024)}    strategy: block\n`,
  disk_buffer: `  backpressure:\n    enabled: true\n${detection(500, 512 * 1024)}    strategy: disk_buffer\n    disk_buffer:\n      path: "\${SPILL}"\n      max_size_mb: 64\n      segment_size_mb: 1\n`,
  drop: `  backpressure:\n    enabled: true\n${detection(500, 0)}    strategy: drop\n    drop_policy: oldest_first\n`,
} as const;
type Strategy = keyof typeof STRATEGIES;
const bundles: Partial<Record<Strategy, string>> = {};
let mock: OktaMock;

beforeAll(async () => {
  mock = await startOktaMock({ token: TOKEN, events: EVENTS, seed: 18 });
  for (const [name, block] of Object.entries(STRATEGIES)) {
    bundles[name as Strategy] = (
      await buildBundle(oktaConfig(1000).replace("global:\n", `global:\n${block}`))
    ).bundle;
  }
}, 240_000);
afterAll(async () => mock?.close());

async function run(strategy: Strategy) {
  const dir = tempDir();
  const result = await runAtFixedRate(bundles[strategy] as string, ["run", "--once"], {
    cwd: dir,
    env: cleanEnv({
      OKTA_URL: mock.url,
      OKTA_TOKEN: TOKEN,
      SPILL: join(dir, "spill"),
      HELR_LOG_LEVEL: "info",
    }),
    bytesPerSec: RATE,
  });
  const { rss } = result;
  const servedBytes = mock.events.reduce((n, e) => n + JSON.stringify(e).length, 0);
  // The figures of the closing note: printed, never asserted beyond the configured bound.
  console.log(
    `${strategy}: ${EVENTS} events (~${(servedBytes / 2 ** 20).toFixed(1)} MiB) read at ${RATE / 2 ** 20} MiB/s in ${(result.wallMs / 1000).toFixed(1)} s; RSS start ${rss.startMb} MB, peak ${rss.peakMb} MB, end ${rss.endMb} MB (${rss.samples} samples; bound ${THRESHOLD_MB} MB)`,
  );
  return { dir, ...result };
}

describe("backpressure with a reader at a fixed rate, through the built bundle", () => {
  it("block: peak RSS under memory_threshold_mb, every event exactly once, in order", async () => {
    const r = await run("block");
    expect(r.code, r.stderr).toBe(0);
    const got = uuids(r.stdout);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(mock.events.map((e) => e.uuid));
    expect(r.rss.samples).toBeGreaterThan(10);
    expect(r.rss.peakMb).toBeLessThan(THRESHOLD_MB);
  }, 120_000);

  it("disk_buffer: peak RSS under the bound, every event exactly once, in order, the buffer empty after", async () => {
    const r = await run("disk_buffer");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("spilling to the disk buffer");
    const got = uuids(r.stdout);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(mock.events.map((e) => e.uuid));
    expect(readdirSync(r.dir).filter((f) => f.startsWith("spill."))).toEqual([]);
    expect(r.rss.peakMb).toBeLessThan(THRESHOLD_MB);
  }, 120_000);

  it("drop: peak RSS under the bound; delivered = served − counted as dropped, no event twice", async () => {
    const r = await run("drop");
    expect(r.code, r.stderr).toBe(0);
    const got = uuids(r.stdout);
    expect(new Set(got).size).toBe(got.length);
    const served = mock.events.map((e) => e.uuid);
    const arrived = new Set(got);
    expect(got).toEqual(served.filter((id) => arrived.has(id)));
    // The exit summary's count, which is the sum of the `dropped` run events (the metric's source).
    const summary = /"dropped":\{"okta":\{"backpressure":(\d+)\}\}/.exec(r.stderr);
    const dropped = Number(summary?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(r.stderr).toMatch(
      /backpressure: \d+ events dropped \(the output is not keeping up; strategy drop\)/,
    );
    console.log(`drop: served ${served.length}, delivered ${got.length}, counted dropped ${dropped}`);
    expect(got.length).toBe(served.length - dropped);
    expect(r.rss.peakMb).toBeLessThan(THRESHOLD_MB);
  }, 120_000);
});
