/**
 * The cost of `global.metrics`: the same backfill with metrics off and on (the registry fed by
 * every request, page and checkpoint, and the server listening), alternating off,on then on,off
 * so drift in machine load falls on both. The bound: on is within 3 % of off.
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { median } from "./proc.mjs";
import { describe, runHelr } from "./throughput.mjs";

/** Runs the comparison; returns per-run figures, medians and the on/off throughput ratio. */
export async function metrics(options, log) {
  const dir = join(TMP, "metrics");
  const off = await build(writeText(join(dir, "off.yaml"), backfillConfig()), join(dir, "off.js"));
  const port = await freePort();
  const withMetrics = backfillConfig().replace(
    "global:\n",
    `global:\n  metrics:\n    enabled: true\n    port: ${port}\n`,
  );
  const on = await build(writeText(join(dir, "on.yaml"), withMetrics), join(dir, "on.js"));
  const mock = await startMock(options);
  const runs = { off: [], on: [] };
  try {
    for (let round = 0; round < options.runs; round++) {
      const order = round % 2 === 0 ? ["off", "on"] : ["on", "off"];
      for (const which of order) {
        const run = await runHelr(which === "on" ? on : off, mock, dir, mock.events);
        runs[which].push(run);
        log(`  metrics ${which} #${round + 1}: ${describe(run)}`);
      }
    }
  } finally {
    await mock.stop();
  }
  const ratios = runs.on.map((r, i) => r.eventsPerSec / runs.off[i].eventsPerSec);
  const side = (list) => ({
    eventsPerSec: median(list.map((r) => r.eventsPerSec)),
    cpuMs: median(list.map((r) => r.cpuMs)),
    peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
  });
  const ratio = Math.round(median(ratios) * 1000) / 1000;
  log(`  metrics on / off: ${ratio} (runs: ${ratios.map((r) => r.toFixed(3)).join(", ")})`);
  return {
    off: side(runs.off),
    on: side(runs.on),
    ratio,
    ratios: ratios.map((r) => Math.round(r * 1000) / 1000),
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
