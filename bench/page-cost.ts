/**
 * CPU per page of the engine's page processing, in-process: one Okta-style page turned into
 * NDJSON bytes (extract, then `PageLines` blocks, as the engine does) by the byte path (what link-header
 * sources take) and by the text path (decode, `JSON.parse`, scan), alternating, and the
 * extraction steps alone. No I/O, so the figures are the code's own.
 *
 * Usage: node --import tsx bench/page-cost.ts [EVENTS_PER_PAGE] [EVENT_BYTES]
 */
import { DedupeWindow } from "../runtime/engine/dedupe.ts";
import { PageLines } from "../runtime/engine/page-lines.ts";
import { scanDocument } from "../runtime/extract/byte-scan.ts";
import { extractEvents } from "../runtime/extract/events.ts";
import { extractPage, extractText } from "../runtime/extract/response.ts";
import type { HttpResponse } from "../runtime/http/client.ts";
import type { SourceSpec } from "../runtime/spec.ts";
import { EVENT_KEYS, sourceSpec, transform } from "../test/support/source-spec.ts";
import { pageBody } from "./events.ts";

const count = Number(process.argv[2] ?? 1000);
const eventBytes = Number(process.argv[3] ?? 700);
const body = pageBody(count, eventBytes);
const text = body.toString("utf8");
const spec = sourceSpec(
  { strategy: "link_header", rel: "next", maxPages: 100, stop: { onEmptyPage: true, onShortPage: false } },
  { id: "okta", transform: transform({ timeFields: ["published"], idField: "uuid" }) },
) as SourceSpec;
const dedupeSpec = { ...spec, dedupe: { idPath: "uuid", capacity: 100_000 } };
const response: HttpResponse = {
  status: 200,
  headers: new Map([["x-okta-request-id", ["req-1"]]]),
  body,
  url: "http://127.0.0.1/api/v1/logs?limit=1000",
};
const context = () => ({
  spec: dedupeSpec,
  include: [],
  exclude: [],
  dedupe: new DedupeWindow(100_000),
  now: () => new Date(0),
});

/** The page's NDJSON bytes, as the engine writes them; returns their length. */
function render(path: "bytes" | "text"): number {
  let bytes = 0;
  const extraction =
    path === "text"
      ? extractText(response, dedupeSpec)
      : extractPage({ response }, { spec: dedupeSpec, readsBody: false });
  for (const block of new PageLines(context(), extraction, response).blocks()) bytes += block.bytes.length;
  return bytes;
}

const cases: Record<string, () => unknown> = {
  "page to NDJSON, byte path": () => render("bytes"),
  "page to NDJSON, text path": () => render("text"),
  "JSON.parse of the page": () => JSON.parse(text),
  "text path extraction": () => extractEvents(body.toString("utf8"), { eventKeys: EVENT_KEYS }),
  "byte scan (validate, ranges, picks)": () =>
    scanDocument(body, { arrayKeys: [], topKeys: ["ok", "error"], fields: ["uuid", "published"] }),
};

const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < 10; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const started = process.cpuUsage();
    for (let i = 0; i < 20; i++) run();
    const used = process.cpuUsage(started);
    if (round >= 2) samples.get(name)?.push((used.user + used.system) / 1000 / 20);
  }
}
console.log(
  `one page: ${count} events, ${(body.length / 1000).toFixed(0)} KB; CPU ms per page, median of 8 rounds`,
);
for (const [name, values] of samples) {
  const sorted = values.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(38)} ${(sorted[sorted.length >> 1] ?? 0).toFixed(2)}`);
}
