/**
 * The cost of a hook-parsed page (docs/hooks.md): the same backfill read by the declarative
 * source of the throughput section and by the same source whose hook script's
 * `parseResponse(ctx, response)` returns every event of the page (`ts`, `event`, `meta.id`).
 * Paging stays the declarative `Link` header in both. A third bundle, `loaded`, has a script
 * whose only hook is a `getAuth` returning null (called once per poll): it pays QuickJS's
 * loading and the script's evaluation but parses declaratively, which separates that fixed cost
 * from the per-page one. Runs rotate (declarative, loaded, hook, then the reverse, …) so drift
 * in machine load falls on all three.
 *
 * The hook's overhead per parseResponse call is (hook run − declarative run) / calls, paired
 * round by round and the median taken, in wall and CPU time; `perCallNoStartup` subtracts the
 * loaded run instead. The calls are the requests the mock counted during the hook run (every
 * page, the last empty one included).
 */
import { join } from "node:path";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { median } from "./proc.mjs";
import { describe, round, runHelr } from "./throughput.mjs";

/** The hook script: every event of the page, with the fields the declarative source picks. */
export const PARSE_SCRIPT = `// Written by npm run bench: parseResponse returns every event of the page.
function parseResponse(ctx, response) {
  return response.body.map((e) => ({ ts: e.published, event: e, meta: { id: e.uuid } }));
}
`;

/** A script that loads QuickJS and is called once per poll, leaving every page declarative. */
export const LOADED_SCRIPT = `// Written by npm run bench: a hook that changes nothing (the declarative auth applies).
function getAuth(ctx) {
  return null;
}
`;

/** The throughput section's collector with `global.hooks` on and the source's `hooks.script`. */
export function hookConfig(script = "./parse.js") {
  return `${backfillConfig().replace("global:\n", "global:\n  hooks:\n    enabled: true\n")}    hooks:\n      script: ${script}\n`;
}

/** Runs the comparison; returns per-run figures, medians, the ratio and the per-call overhead. */
export async function hooks(options, log) {
  const dir = join(TMP, "hooks");
  const declarative = await build(
    writeText(join(dir, "declarative.yaml"), backfillConfig()),
    join(dir, "declarative-helr.js"),
  );
  writeText(join(dir, "parse.js"), PARSE_SCRIPT);
  writeText(join(dir, "loaded.js"), LOADED_SCRIPT);
  const bundles = {
    declarative,
    loaded: await build(
      writeText(join(dir, "loaded.yaml"), hookConfig("./loaded.js")),
      join(dir, "loaded-helr.js"),
    ),
    hook: await build(writeText(join(dir, "hook.yaml"), hookConfig()), join(dir, "hook-helr.js")),
  };
  const mock = await startMock(options);
  log(
    `mock: ${mock.events} events, ${mock.pages} pages of ${options.pageSize}, ${(mock.bytes / 1e6).toFixed(1)} MB`,
  );
  const runs = { declarative: [], loaded: [], hook: [] };
  const sides = Object.keys(runs);
  try {
    for (let round = 0; round < options.runs; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const which of order) {
        const before = await requests(mock);
        const run = await runHelr(bundles[which], mock, dir, mock.events);
        // The first /stats answer is counted too (the mock counts every response it sends).
        const calls = (await requests(mock)) - before - 1;
        runs[which].push({ ...run, requests: calls });
        log(`  hooks ${which} #${round + 1}: ${describe(run)}, ${calls} requests`);
      }
    }
  } finally {
    await mock.stop();
  }
  const result = summarise(runs, mock, options);
  log(
    `  hook / declarative: ${result.ratio}× events/s; +${result.perCall.wallMs} ms wall, ` +
      `+${result.perCall.cpuMs} ms CPU per parseResponse call (${result.perEvent.wallUs} µs wall per event); ` +
      `without QuickJS's start-up +${result.perCallNoStartup.wallMs} ms wall, +${result.perCallNoStartup.cpuMs} ms CPU per call; ` +
      `start-up +${result.startup.wallMs} ms wall`,
  );
  return result;
}

function summarise(runs, mock, options) {
  const calls = median(runs.hook.map((r) => r.requests));
  const ratios = runs.hook.map((h, i) => h.eventsPerSec / runs.declarative[i].eventsPerSec);
  /** Median over rounds of `a`'s run minus `b`'s in `field`. */
  const extra = (a, b, field) => median(runs[a].map((r, i) => r[field] - runs[b][i][field]));
  const extraWall = extra("hook", "declarative", "wallMs");
  const extraCpu = extra("hook", "declarative", "cpuMs");
  const perCall = (wall, cpu) => ({ wallMs: round(wall / calls, 2), cpuMs: round(cpu / calls, 2) });
  const side = (list) => ({
    eventsPerSec: round(median(list.map((r) => r.eventsPerSec))),
    wallMs: round(median(list.map((r) => r.wallMs))),
    cpuMs: round(median(list.map((r) => r.cpuMs))),
    peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
  });
  return {
    input: { events: mock.events, pages: mock.pages, pageSize: options.pageSize },
    calls,
    runs,
    declarative: side(runs.declarative),
    loaded: side(runs.loaded),
    hook: side(runs.hook),
    ratio: round(median(ratios), 3),
    ratios: ratios.map((r) => round(r, 3)),
    perCall: perCall(extraWall, extraCpu),
    perCallNoStartup: perCall(extra("hook", "loaded", "wallMs"), extra("hook", "loaded", "cpuMs")),
    startup: {
      wallMs: round(extra("loaded", "declarative", "wallMs")),
      cpuMs: round(extra("loaded", "declarative", "cpuMs")),
    },
    perEvent: {
      wallUs: round((extraWall * 1000) / mock.events, 2),
      cpuUs: round((extraCpu * 1000) / mock.events, 2),
    },
  };
}

/** Responses the mock has sent before this one (its `/stats` route). */
async function requests(mock) {
  const response = await fetch(`${mock.url}/stats`);
  const { requests } = await response.json();
  return requests;
}
