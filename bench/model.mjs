/**
 * The cost model's measurements (docs/performance.md): one knob at a time, everything else at
 * its default, A only (B where it has the same knob), median of `modelRuns` runs per point.
 *   - page size: per-page costs (a request, an fsync of the output, a SQLite commit);
 *   - event size: per-byte costs (validation scan, copying the text out);
 *   - dedupe capacity: per-id costs and the memory the window keeps;
 *   - sources: the idle cost of scheduled sources.
 */
import { join } from "node:path";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { idle } from "./idle.mjs";
import { startMock } from "./mock.mjs";
import { median } from "./proc.mjs";
import { round, runBaseline, runHelr } from "./throughput.mjs";

const PAGE_SIZES = [100, 1000, 5000];
const EVENT_BYTES = [350, 700, 1400, 4000];
const CAPACITIES = ["off", 1000, 10_000, 100_000, 1_000_000];
const SOURCES = [100, 500, 1000];

export async function model(options, log) {
  const dir = join(TMP, "model");
  const bundles = new Map();
  const bundleFor = async (dedupe, backend = "sqlite", checkpoint = "per_page") => {
    const name = `helr-${dedupe}-${backend}-${checkpoint}`;
    if (!bundles.has(name)) {
      const yaml = writeText(join(dir, `${name}.yaml`), backfillConfig({ dedupe, backend, checkpoint }));
      bundles.set(name, await build(yaml, join(dir, `${name}.js`)));
    }
    return bundles.get(name);
  };
  const events = options.modelEvents;
  const point = async (mockOptions, dedupe, withBaseline) => {
    const mock = await startMock({ ...options, events, ...mockOptions });
    try {
      const a = [];
      const b = [];
      for (let i = 0; i < options.modelRuns; i++) {
        a.push(await runHelr(await bundleFor(dedupe), mock, dir, mock.events));
        if (withBaseline) b.push(await runBaseline(`${mock.url}/api/v1/logs`, dir, mock.events, mock.bytes));
      }
      return {
        eventBytes: round(mock.eventBytes),
        pages: mock.pages,
        A: summary(a, mock),
        ...(withBaseline ? { B: summary(b, mock) } : {}),
      };
    } finally {
      await mock.stop();
    }
  };
  const result = {
    events,
    runs: options.modelRuns,
    durability: [],
    pageSize: [],
    eventBytes: [],
    dedupe: [],
    sources: [],
  };
  result.durability = await durability(options, bundleFor, dir, log);
  for (const pageSize of PAGE_SIZES) {
    const r = { pageSize, ...(await point({ pageSize }, "uuid", true)) };
    result.pageSize.push(r);
    log(`  page size ${pageSize}: ${line(r)}`);
  }
  for (const eventBytes of EVENT_BYTES) {
    const r = { targetBytes: eventBytes, ...(await point({ eventBytes }, "uuid", true)) };
    result.eventBytes.push(r);
    log(`  event ~${r.eventBytes} B: ${line(r)}`);
  }
  for (const capacity of CAPACITIES) {
    const r = { capacity, ...(await point({}, capacity === 100_000 ? "uuid" : capacity, false)) };
    result.dedupe.push(r);
    log(`  dedupe ${capacity}: ${line(r)}`);
  }
  for (const sources of SOURCES) {
    const r = await idle({ ...options, idleSources: sources, idleSecs: Math.min(options.idleSecs, 10) }, log);
    result.sources.push(r);
  }
  return result;
}

/**
 * What the per-page durability costs: the same backfill written with `--output` (fsync before
 * every checkpoint) and SQLite state (a WAL fsync per commit); with one checkpoint per pass
 * (`checkpoint: end_of_tick`); to stdout (no fsync); to stdout with memory state. B, which
 * syncs nothing, for reference.
 */
async function durability(options, bundleFor, dir, log) {
  const mock = await startMock({ ...options, events: options.modelEvents });
  const variants = [
    ["file + sqlite", "sqlite", false, "per_page"],
    ["file + sqlite, end_of_tick", "sqlite", false, "end_of_tick"],
    ["stdout + sqlite", "sqlite", true, "per_page"],
    ["stdout + memory", "memory", true, "per_page"],
  ];
  try {
    const out = [];
    const runs = new Map(variants.map(([name]) => [name, []]));
    const baseline = [];
    for (let i = 0; i < options.modelRuns; i++) {
      for (const [name, backend, stdout] of variants)
        runs
          .get(name)
          .push(await runHelr(await bundleFor("uuid", backend), mock, dir, mock.events, { stdout }));
      baseline.push(await runBaseline(`${mock.url}/api/v1/logs`, dir, mock.events, mock.bytes));
    }
    for (const [name] of variants) out.push({ variant: name, A: summary(runs.get(name), mock) });
    out.push({ variant: "B (no state, no fsync)", A: summary(baseline, mock) });
    for (const r of out) log(`  ${r.variant}: ${line(r)}`);
    return out;
  } finally {
    await mock.stop();
  }
}

function summary(runs, mock) {
  const wallMs = median(runs.map((r) => r.wallMs));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  return {
    wallMs: round(wallMs),
    cpuMs: round(cpuMs),
    peakRssMb: round(median(runs.map((r) => r.peakRssMb))),
    eventsPerSec: round(mock.events / (wallMs / 1000)),
    cpuUsPerEvent: round((cpuMs * 1000) / mock.events, 2),
    cpuNsPerByte: round((cpuMs * 1e6) / mock.bytes, 2),
  };
}

function line(r) {
  const a = `A ${r.A.eventsPerSec} events/s, ${r.A.cpuUsPerEvent} µs CPU/event, ${r.A.peakRssMb} MB`;
  return r.B
    ? `${a}; B ${r.B.eventsPerSec} events/s, ${r.B.cpuUsPerEvent} µs CPU/event, ${r.B.peakRssMb} MB`
    : a;
}
