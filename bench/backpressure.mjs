/**
 * `global.backpressure` costs (issue 18): the same backfill with backpressure off and on
 * (`strategy: block`) into a file, a reader that keeps up, alternating, for the ratio of wall
 * times (target ≤ 1.05); then one run whose stdout is read through a pipe at 5 MB/s, its RSS
 * sampled every 100 ms from /proc (start, peak, end: flat means the queue stays bounded).
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { median, procSample } from "./proc.mjs";
import { describe, round, runHelr, TOKEN } from "./throughput.mjs";

const BACKPRESSURE = `  backpressure:
    enabled: true
    detection:
      event_queue_size: 10000
      memory_threshold_mb: 512
    strategy: block
`;
const SLOW_RATE = 5e6;

export async function backpressure(options, log) {
  const dir = join(TMP, "backpressure");
  const off = await build(writeText(join(dir, "off.yaml"), backfillConfig()), join(dir, "off.js"));
  const withBp = backfillConfig().replace("global:\n", `global:\n${BACKPRESSURE}`);
  const on = await build(writeText(join(dir, "on.yaml"), withBp), join(dir, "on.js"));
  const mock = await startMock(options);
  const runs = { off: [], on: [] };
  let slow;
  try {
    for (let round = 0; round < options.runs; round++) {
      for (const which of round % 2 === 0 ? ["off", "on"] : ["on", "off"]) {
        runs[which].push(await runHelr(which === "on" ? on : off, mock, dir, mock.events));
        log(`  backpressure ${which} #${round + 1}: ${describe(runs[which].at(-1))}`);
      }
    }
    slow = await slowConsumer(on, mock, dir);
    log(
      `  slow consumer at 5 MB/s: ${slow.lines} lines in ${slow.wallSecs} s; RSS start ${slow.rss.startMb} MB, peak ${slow.rss.peakMb} MB, end ${slow.rss.endMb} MB`,
    );
  } finally {
    await mock.stop();
  }
  const wall = (list) => median(list.map((r) => r.wallMs));
  return {
    events: mock.events,
    off: { wallMs: wall(runs.off), eventsPerSec: median(runs.off.map((r) => r.eventsPerSec)) },
    on: { wallMs: wall(runs.on), eventsPerSec: median(runs.on.map((r) => r.eventsPerSec)) },
    /** Wall time with backpressure on ÷ off (≤ 1.05 is the target). */
    ratio: round(wall(runs.on) / wall(runs.off), 3),
    met: wall(runs.on) / wall(runs.off) <= 1.05,
    slow,
  };
}

/** The `on` bundle to stdout, read at {@link SLOW_RATE} bytes/s; RSS sampled every 100 ms. */
function slowConsumer(bundle, mock, dir) {
  const state = join(dir, "slow-state.db");
  // From nothing, like every other run: a state file an earlier bench run left would resume
  // past the events it had (a 20,000-event run left 80,000 of 100,000 to write).
  for (const f of [state, `${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
  const env = { ...process.env, HELR_BENCH_URL: mock.url, HELR_BENCH_TOKEN: TOKEN, HELR_BENCH_STATE: state };
  const started = performance.now();
  const child = spawn(process.execPath, [bundle, "run", "--once"], {
    env,
    cwd: dir,
    stdio: ["ignore", "pipe", "ignore"],
  });
  let lines = 0;
  let due = performance.now();
  child.stdout.on("data", (d) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    due = Math.max(due, performance.now()) + (d.length / SLOW_RATE) * 1000;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), Math.max(0, due - performance.now()));
  });
  const samples = [];
  let peakKb = 0;
  const timer = setInterval(() => {
    const s = procSample(child.pid);
    // A process on its way out reads 0: not a sample of the run.
    if (!s || s.rssKb === 0) return;
    samples.push(s.rssKb);
    peakKb = Math.max(peakKb, s.peakRssKb);
  }, 100);
  const mb = (kb) => round(kb / 1024);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`slow consumer run failed (exit ${code})`));
      if (lines !== mock.events)
        return reject(new Error(`slow consumer: ${lines} lines, expected ${mock.events}`));
      resolve({
        lines,
        wallSecs: round((performance.now() - started) / 1000),
        rss: {
          startMb: mb(samples[0] ?? 0),
          peakMb: mb(peakKb),
          endMb: mb(samples.at(-1) ?? 0),
          samples: samples.length,
        },
      });
    });
  });
}
