/**
 * The benchmark's vendor: an Okta-like System Log backfill on 127.0.0.1, run in its own process
 * (`node --import tsx bench/mock-server.ts`) so the collector under test has a core to itself.
 *
 * Every page is rendered once at start-up from the test suite's event generator
 * (test/support/okta-events.ts) and served from memory, so the mock costs almost nothing per
 * request and the measurement is the collector's, not the mock's. Paging follows Okta: `limit`,
 * an opaque `after` cursor (the last uuid of the previous page), `self` and `next` as two
 * separate absolute `link` header lines, and a polling backfill ends with an empty page that
 * still carries a next link.
 *
 * Other routes: `/empty` answers `[]` with no next link (idle sources); `/big` answers one page
 * of about `--big-mb` MB (the streaming test); `/stats` counts requests. Prints
 * `{"url": …, "pages": …, "bytes": …}` on stdout when listening.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { OktaEventGenerator } from "../test/support/okta-events.ts";
import { START_MS, sizer } from "./events.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    "page-size": { type: "string", default: "1000" },
    "big-mb": { type: "string", default: "0" },
    "event-bytes": { type: "string", default: "700" },
    seed: { type: "string", default: "1" },
    token: { type: "string", default: "bench-token" },
  },
});
const EVENTS = Number(values.events);
const PAGE_SIZE = Number(values["page-size"]);
const BIG_MB = Number(values["big-mb"]);
const EVENT_BYTES = Number(values["event-bytes"]);
const AUTH = `SSWS ${values.token}`;
const LOGS = "/api/v1/logs";

interface Page {
  readonly body: Buffer;
  /** uuid of the last event, the cursor of the page after this one. */
  readonly last: string;
}

/** Renders the backfill in pages; the generator's objects are dropped page by page. */
function renderPages(seed: number): { pages: Page[]; byCursor: Map<string, number>; bytes: number } {
  const generator = new OktaEventGenerator(seed, START_MS);
  const shape = sizer(new OktaEventGenerator(seed, START_MS).generate(1000), EVENT_BYTES);
  const pages: Page[] = [];
  const byCursor = new Map<string, number>();
  let bytes = 0;
  for (let made = 0; made < EVENTS; made += PAGE_SIZE) {
    const events = generator.generate(Math.min(PAGE_SIZE, EVENTS - made)).map(shape);
    const body = Buffer.from(JSON.stringify(events));
    const last = String(events.at(-1)?.uuid ?? "");
    byCursor.set(last, pages.length + 1);
    pages.push({ body, last });
    bytes += body.length;
  }
  return { pages, byCursor, bytes };
}

/** One array of about `mb` MB of events (same generator, another seed), and its event count. */
function renderBig(mb: number, seed: number): { body: Buffer; events: number } {
  if (mb <= 0) return { body: Buffer.from("[]"), events: 0 };
  const generator = new OktaEventGenerator(seed, START_MS);
  const shape = sizer(new OktaEventGenerator(seed, START_MS).generate(1000), EVENT_BYTES);
  const parts: Buffer[] = [Buffer.from("[")];
  let size = 2;
  let events = 0;
  while (size < mb * 1_000_000) {
    const chunk = JSON.stringify(generator.generate(1000).map(shape)).slice(1, -1);
    const part = Buffer.from(parts.length > 1 ? `,${chunk}` : chunk);
    parts.push(part);
    size += part.length;
    events += 1000;
  }
  parts.push(Buffer.from("]"));
  return { body: Buffer.concat(parts), events };
}

const seed = Number(values.seed);
const { pages, byCursor, bytes } = renderPages(seed);
const big = renderBig(BIG_MB, seed + 1);
const EMPTY = Buffer.from("[]");
let origin = "";
let requestCount = 0;
let emptyCount = 0;

function send(res: ServerResponse, status: number, body: Buffer, link?: string[]): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(body.length),
    "x-okta-request-id": `bench${(requestCount++).toString(36).padStart(10, "0")}`,
    "x-rate-limit-limit": "600",
    "x-rate-limit-remaining": "599",
    ...(link ? { link } : {}),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", origin);
  if (url.pathname === "/empty") {
    emptyCount++;
    return send(res, 200, EMPTY);
  }
  if (url.pathname === "/stats")
    return send(res, 200, Buffer.from(JSON.stringify({ requests: requestCount, empty: emptyCount })));
  if (url.pathname === "/big") return send(res, 200, big.body);
  if (url.pathname !== LOGS) return send(res, 404, Buffer.from('{"errorCode":"E0000007"}'));
  if (req.headers.authorization !== AUTH) return send(res, 401, Buffer.from('{"errorCode":"E0000011"}'));
  const after = url.searchParams.get("after");
  const index = after === null ? 0 : byCursor.get(after);
  if (index === undefined) return send(res, 400, Buffer.from('{"errorCode":"E0000031"}'));
  const page = pages[index];
  const self = `<${origin}${url.pathname}${url.search}>; rel="self"`;
  // Okta polling: past the end, an empty page whose next link repeats the same cursor.
  const cursor = page?.last ?? after ?? "";
  const next = new URLSearchParams(url.searchParams);
  next.delete("after");
  next.append("after", cursor);
  send(res, 200, page?.body ?? EMPTY, [self, `<${origin}${url.pathname}?${next}>; rel="next"`]);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const info = {
    url: origin,
    pages: pages.length,
    events: EVENTS,
    bytes,
    eventBytes: EVENTS > 0 ? bytes / EVENTS : 0,
    bigBytes: big.body.length,
    bigEvents: big.events,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
