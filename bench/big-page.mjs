/**
 * One very large page (default 200 MB): peak RSS of A and B against the streaming target
 * (at most 2× the page plus 100 MB). It shows whether a collector holds the whole body, and
 * how many copies of it.
 */
import { join } from "node:path";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { describe, round, runBaseline, runHelr } from "./throughput.mjs";

export async function bigPage(options, log) {
  const dir = join(TMP, "big");
  const bundle = await build(
    // The page is far over the default max_response_bytes (64 MiB): measuring it needs a higher one.
    writeText(join(dir, "helr.yaml"), backfillConfig({ path: "/big", maxResponseBytes: 2 ** 30 })),
    join(dir, "helr.js"),
  );
  const mock = await startMock({ ...options, events: 0, bigMb: options.bigMb });
  const pageMb = mock.bigBytes / 2 ** 20;
  log(`mock: one page of ${mock.bigEvents} events, ${pageMb.toFixed(1)} MiB`);
  try {
    const a = await runHelr(bundle, { ...mock, bytes: mock.bigBytes }, dir, mock.bigEvents);
    log(`  A: ${describe(a)}`);
    const b = await runBaseline(`${mock.url}/big`, dir, mock.bigEvents, mock.bigBytes);
    log(`  B: ${describe(b)}`);
    const targetMb = 2 * pageMb + 100;
    return {
      pageMb: round(pageMb),
      events: mock.bigEvents,
      targetMb: round(targetMb),
      A: a,
      B: b,
      met: a.peakRssMb <= targetMb,
    };
  } finally {
    await mock.stop();
  }
}
