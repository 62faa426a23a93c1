import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { scanThreadProgram } from "../../../compiler/bundle/scan-thread.ts";
import { defineSource } from "../../../runtime/app.ts";
import { bearerAuth } from "../../../runtime/auth/bearer.ts";
import { pollSource } from "../../../runtime/engine/poll.ts";
import { type DocumentScan, scanDocument } from "../../../runtime/extract/byte-scan.ts";
import { ScanThread, ScanThreadError, useScanThread } from "../../../runtime/extract/scan-thread.ts";
import { linkHeaderPagination } from "../../../runtime/paginate/link-header-paginator.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { OktaEventGenerator } from "../../support/okta-events.ts";
import { pollDeps, textSink } from "../../support/poll-deps.ts";
import { STOP, sourceSpec, transform } from "../../support/source-spec.ts";

/**
 * The page scan thread (runtime/extract/scan-thread.ts) with the very program a bundle embeds
 * (compiler/bundle/scan-thread.ts): same scan as inline, bodies back whole, and a thread that
 * dies fails the pass without losing a page.
 */

const PLAN = { arrayKeys: [], topKeys: ["ok", "error"], fields: ["uuid", "published"] };
let program = "";
beforeAll(async () => {
  program = await scanThreadProgram();
});
afterAll(() => useScanThread(undefined));

/** A scan as plain arrays (the thread's offsets come back as typed arrays). */
function plain(scan: DocumentScan | undefined) {
  if (scan === undefined) return undefined;
  return {
    arrays: [...scan.arrays].map(([k, v]) => [
      k,
      v && { elements: [...Array.from(v.elements)], picks: [...Array.from(v.picks)] },
    ]),
    top: [...scan.top],
  };
}

const events = new OktaEventGenerator(7, Date.parse("2024-05-21T13:00:00Z")).generate(900);
const pageOf = (from: number, to: number) => Buffer.from(JSON.stringify(events.slice(from, to)));

describe("ScanThread", () => {
  it("scans exactly as inline and gives the body back whole; the caller's view is moved", async () => {
    const thread = new ScanThread(program);
    try {
      const body = pageOf(0, 300);
      const copy = Buffer.from(body);
      const result = await thread.scan(body, PLAN);
      expect(body.length).toBe(0);
      expect(result.body.equals(copy)).toBe(true);
      expect(plain(result.scan)).toEqual(plain(scanDocument(copy, PLAN)));
      const bad = Buffer.from(`${copy.toString("utf8").slice(0, -1)},]`);
      expect((await thread.scan(bad, PLAN)).scan).toBeUndefined();
    } finally {
      await thread.close();
    }
  });

  it("rejects pending scans with HELR_SCAN_THREAD when its thread dies, and is not used again", async () => {
    const thread = new ScanThread("process.exit(3)");
    const failure = await thread.scan(pageOf(0, 10), PLAN).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ScanThreadError);
    expect(failure).toMatchObject({ code: "HELR_SCAN_THREAD", message: expect.stringContaining("code 3") });
    expect(thread.usable).toBe(false);
    await expect(thread.scan(pageOf(0, 10), PLAN)).rejects.toBeInstanceOf(ScanThreadError);
  });
});

describe("pollSource with the scan thread", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  /** Pages of 300 Okta events (~200 KB each, above the thread's 64 KiB threshold). */
  async function api(): Promise<string> {
    server = createServer((req, res) => {
      const after = Number(new URL(req.url ?? "/", "http://x").searchParams.get("after") ?? "0");
      const next = Math.min(after + 300, events.length);
      res.setHeader("link", `<${base}/api/v1/logs?after=${next}>; rel="next"`);
      res.writeHead(200, { "content-type": "application/json" }).end(pageOf(after, next));
    });
    const listening = server;
    await new Promise<void>((r) => listening.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    return base;
  }

  async function pass(base: string, store: StateStore) {
    const spec = sourceSpec(
      { strategy: "link_header", rel: "next", maxPages: 100, stop: STOP },
      {
        id: "okta",
        url: `${base}/api/v1/logs`,
        auth: { type: "bearer", token: { env: "OKTA_TOKEN" }, prefix: "SSWS" } as const,
        transform: transform({ idField: "uuid", timeFields: ["published"] }),
        dedupe: { idPath: "uuid", capacity: 10_000 },
      },
    );
    const source = defineSource(spec, { auth: bearerAuth, pagination: linkHeaderPagination });
    const sink = textSink();
    const summary = await pollSource(source, pollDeps({ store, sink, env: { OKTA_TOKEN: "t" } }));
    return { summary, text: sink.text };
  }

  it("writes the same lines as scanning inline", async () => {
    const base = await api();
    useScanThread(undefined);
    const inline = await pass(base, await memoryStore({ path: "" }));
    useScanThread(program);
    const threaded = await pass(base, await memoryStore({ path: "" }));
    expect(threaded.summary).toMatchObject({ events: 900, stopReason: "empty_page" });
    expect(threaded.text).toBe(inline.text);
    // The bodies came back: the tallies read them after the scan.
    expect(threaded.summary.bytes).toBe(inline.summary.bytes);
    expect(threaded.text.split("\n")).toHaveLength(901);
  });

  it("fails the pass when the thread dies, and the next pass, scanning inline, loses nothing", async () => {
    const base = await api();
    const store = await memoryStore({ path: "" });
    useScanThread("process.exit(3)");
    await expect(pass(base, store)).rejects.toMatchObject({ code: "HELR_SCAN_THREAD" });
    const again = await pass(base, store);
    const uuids = again.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).event.uuid);
    expect(new Set(uuids)).toEqual(new Set(events.map((e) => e.uuid)));
  });
});
