/**
 * A (the Helr bundle) against B (bench/baseline.mjs) on the same backfill, alternating
 * A,B then B,A so drift in machine load falls on both. Every run starts from nothing: a fresh
 * state file and output file. Output line counts are checked, so a fast wrong run cannot pass.
 */
import { createReadStream, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { measure, median } from "./proc.mjs";

const BASELINE = fileURLToPath(new URL("./baseline.mjs", import.meta.url));
export const TOKEN = "bench-token";

/** Runs the comparison; returns per-run figures and the summary. */
export async function throughput(options, log) {
  const dir = join(TMP, "throughput");
  const bundle = await build(writeText(join(dir, "helr.yaml"), backfillConfig()), join(dir, "helr.js"));
  const mock = await startMock(options);
  log(
    `mock: ${mock.events} events, ${mock.pages} pages, ${(mock.bytes / 1e6).toFixed(1)} MB, ${mock.eventBytes.toFixed(0)} B/event`,
  );
  const runs = { A: [], B: [] };
  try {
    for (let round = 0; round < options.runs; round++) {
      const order = round % 2 === 0 ? ["A", "B"] : ["B", "A"];
      for (const which of order) {
        const run =
          which === "A"
            ? await runHelr(bundle, mock, dir, mock.events)
            : await runBaseline(
                `${mock.url}/api/v1/logs?limit=${options.pageSize}`,
                dir,
                mock.events,
                mock.bytes,
              );
        runs[which].push(run);
        log(`  ${which} #${round + 1}: ${describe(run)}`);
      }
    }
  } finally {
    await mock.stop();
  }
  return summarise(runs, mock);
}

/** One Helr run from nothing (no state, no output file); checks it wrote `events` lines. */
export async function runHelr(bundle, mock, dir, events) {
  const state = join(dir, "state.db");
  const output = join(dir, "out-a.ndjson");
  for (const f of [state, `${state}-wal`, `${state}-shm`, output]) rmSync(f, { force: true });
  const env = { ...process.env, HELR_BENCH_URL: mock.url, HELR_BENCH_TOKEN: TOKEN, HELR_BENCH_STATE: state };
  const run = await measure(process.execPath, [bundle, "run", "--once", "--output", output], {
    env,
    cwd: dir,
  });
  return finish(run, output, { events, bytes: mock.bytes || mock.bigBytes }, "A");
}

/** One baseline run from `url`; checks it wrote `events` lines. */
export async function runBaseline(url, dir, events, bytes) {
  const output = join(dir, "out-b.ndjson");
  rmSync(output, { force: true });
  const run = await measure(process.execPath, [BASELINE, url, TOKEN, output]);
  return finish(run, output, { events, bytes }, "B");
}

async function finish(run, output, input, which) {
  if (run.code !== 0) throw new Error(`${which} failed (exit ${run.code}):\n${run.stderr}`);
  const lines = await countLines(output);
  if (lines !== input.events) throw new Error(`${which} wrote ${lines} lines, expected ${input.events}`);
  const outputBytes = statSync(output).size;
  rmSync(output, { force: true });
  return {
    ...rates(run, input.events, input.bytes),
    eventsPerCpuSec: round(input.events / (run.cpuMs / 1000)),
    outputBytes,
  };
}

function summarise(runs, mock) {
  const ratios = runs.A.map((a, i) => a.eventsPerSec / runs.B[i].eventsPerSec);
  const cpuRatios = runs.A.map((a, i) => a.eventsPerCpuSec / runs.B[i].eventsPerCpuSec);
  const side = (list) => ({
    eventsPerSec: median(list.map((r) => r.eventsPerSec)),
    mbPerSec: median(list.map((r) => r.mbPerSec)),
    eventsPerCpuSec: median(list.map((r) => r.eventsPerCpuSec)),
    peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
    wallMs: median(list.map((r) => r.wallMs)),
    cpuMs: median(list.map((r) => r.cpuMs)),
  });
  return {
    input: { events: mock.events, pages: mock.pages, bytes: mock.bytes, eventBytes: round(mock.eventBytes) },
    runs,
    A: side(runs.A),
    B: side(runs.B),
    ratio: round(median(ratios), 3),
    ratios: ratios.map((r) => round(r, 3)),
    cpuRatio: round(median(cpuRatios), 3),
  };
}

export function describe(run) {
  return (
    `${run.eventsPerSec.toLocaleString("en")} events/s, ${run.mbPerSec} MB/s, ` +
    `wall ${run.wallMs} ms, cpu ${run.cpuMs} ms, peak RSS ${run.peakRssMb} MB`
  );
}

async function countLines(path) {
  let count = 0;
  for await (const chunk of createReadStream(path)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
  }
  return count;
}

/** Wall and CPU time, peak RSS and throughput of one measured run that moved `events` (`bytes`). */
export function rates(run, events, bytes) {
  const seconds = run.wallMs / 1000;
  return {
    wallMs: round(run.wallMs),
    cpuMs: round(run.cpuMs),
    peakRssMb: round(run.peakRssKb / 1024),
    eventsPerSec: round(events / seconds),
    mbPerSec: round(bytes / 1e6 / seconds),
  };
}

export function round(value, digits = 1) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
