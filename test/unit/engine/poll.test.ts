import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { defineSource } from "../../../runtime/app.ts";
import { bearerAuth } from "../../../runtime/auth/bearer.ts";
import { type PollDeps, pollSource } from "../../../runtime/engine/poll.ts";
import { type HttpSend, sendHttp } from "../../../runtime/http/client.ts";
import type { Sink } from "../../../runtime/output/sink.ts";
import { linkHeaderPagination } from "../../../runtime/paginate/link-header-paginator.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { pollDeps } from "../../support/poll-deps.ts";
import { sinkText } from "../../support/sink-text.ts";
import { STOP, sourceSpec, transform } from "../../support/source-spec.ts";

const TOKEN = "s3cr3t-token-value-XYZ";
let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A paged API: 5 events, pages of 2, Okta-style absolute next links on separate lines. */
async function pagedApi(
  events: Array<Record<string, unknown>>,
): Promise<{ base: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  server = createServer((req, res) => {
    seen.push(req);
    if (req.headers.authorization !== `SSWS ${TOKEN}`) {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"errorCode":"E0000011","errorSummary":"Invalid token provided"}');
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const after = Number(url.searchParams.get("after") ?? "0");
    const page = events.slice(after, after + 2);
    const next = `${base}/api/v1/logs?after=${Math.min(after + 2, events.length)}`;
    res.setHeader("link", [`<${base}${req.url}>; rel="self"`, `<${next}>; rel="next"`]);
    res.setHeader("x-okta-request-id", `req-${after}`);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(page));
  });
  const listening = server;
  await new Promise<void>((r) => listening.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  return { base, seen };
}

function spec(url: string, extra: { maxPages?: number } = {}) {
  return sourceSpec(
    { strategy: "link_header", rel: "next", maxPages: extra.maxPages ?? 100, stop: STOP },
    {
      id: "okta",
      url,
      headers: { Accept: "application/json" },
      queryParams: { limit: "2" },
      auth: { type: "bearer", token: { env: "OKTA_TOKEN" }, prefix: "SSWS" } as const,
      transform: transform({ idField: "uuid" }),
    },
  );
}

function recordingSink(log: string[]): Sink & { text: string } {
  const sink = {
    text: "",
    async write(data: string | Uint8Array) {
      const t = sinkText(data);
      sink.text += t;
      log.push(`write:${t.split("\n").length - 1}`);
    },
    async flush() {
      log.push("flush");
    },
    async close() {},
  };
  return sink;
}

function deps(store: StateStore, sink: Sink): PollDeps {
  return pollDeps({ store, sink, env: { OKTA_TOKEN: TOKEN } });
}

/** The Okta-style source of these tests, polling `url`. */
function oktaSource(url: string, extra: { maxPages?: number } = {}) {
  return defineSource(spec(url, extra), { auth: bearerAuth, pagination: linkHeaderPagination });
}

/** A memory store whose commits go through `commit` (which calls `inner` itself). */
async function storeCommitting(
  commit: (inner: StateStore, id: string, changes: Record<string, string | null>) => Promise<void>,
): Promise<{ inner: StateStore; store: StateStore }> {
  const inner = await memoryStore({ path: "" });
  return { inner, store: { ...inner, commit: (id, changes) => commit(inner, id, changes) } };
}

/**
 * The real HTTP client, counting the responses it has handed back. `received(n)` settles once
 * n responses have arrived and the engine has then run on until it waits for I/O (a
 * setImmediate turn: every pending promise continuation runs first) — no clock involved.
 */
function countingHttp(): { send: HttpSend; received: (n: number) => Promise<void> } {
  let count = 0;
  const waiting: Array<{ n: number; done: () => void }> = [];
  const send: HttpSend = async (req) => {
    const response = await sendHttp(req);
    count += 1;
    for (const w of waiting.filter((w) => count >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.done();
    }
    return response;
  };
  const received = async (n: number) => {
    if (count < n) await new Promise<void>((done) => waiting.push({ n, done }));
    await new Promise<void>((done) => setImmediate(done));
  };
  return { send, received };
}

const events = [1, 2, 3, 4, 5].map((n) => ({ uuid: `u${n}`, published: `2024-05-21T13:0${n}:00.000Z`, n }));

describe("pollSource with link_header", () => {
  it("follows every page, stops on the empty polling page, and keeps that next link", async () => {
    const { base, seen } = await pagedApi(events);
    const store = await memoryStore({ path: "" });
    const sink = recordingSink([]);
    const source = oktaSource(`${base}/api/v1/logs`);
    const summary = await pollSource(source, deps(store, sink));
    const lines = sink.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event.uuid)).toEqual(["u1", "u2", "u3", "u4", "u5"]);
    expect(Object.keys(lines[0])).toEqual(["ts", "source", "endpoint", "event", "meta"]);
    expect(lines[0]).toMatchObject({
      ts: "2024-05-21T13:01:00.000Z",
      source: "okta",
      endpoint: "/api/v1/logs",
      meta: { id: "u1", request_id: "req-0" },
    });
    expect(summary).toMatchObject({ requests: 4, events: 5, stopReason: "empty_page" });
    expect((await store.read("okta")).next_url).toBe(`${base}/api/v1/logs?after=5`);
    expect(seen[0]?.url).toBe("/api/v1/logs?limit=2");
    expect(seen[1]?.url).toBe("/api/v1/logs?after=2");
  });

  it("resumes from the stored link: a second poll reads only new events", async () => {
    const data = [...events];
    const { base } = await pagedApi(data);
    const store = await memoryStore({ path: "" });
    const source = oktaSource(`${base}/api/v1/logs`);
    await pollSource(source, deps(store, recordingSink([])));
    data.push({ uuid: "u6", published: "2024-05-21T13:06:00.000Z", n: 6 });
    const sink = recordingSink([]);
    await pollSource(source, deps(store, sink));
    expect(
      sink.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).event.uuid),
    ).toEqual(["u6"]);
  });

  it("stops at max_pages and keeps the next link for the next poll", async () => {
    const { base } = await pagedApi(events);
    const store = await memoryStore({ path: "" });
    const source = oktaSource(`${base}/api/v1/logs`, { maxPages: 1 });
    const summary = await pollSource(source, deps(store, recordingSink([])));
    expect(summary).toMatchObject({ requests: 1, events: 2, stopReason: "max_pages" });
    expect((await store.read("okta")).next_url).toBe(`${base}/api/v1/logs?after=2`);
  });

  it("writes and flushes a page's lines before committing its position", async () => {
    const { base } = await pagedApi(events);
    const order: string[] = [];
    const { store } = await storeCommitting(async (inner, id, c) => {
      order.push(`commit:${c.next_url?.split("after=")[1]}`);
      await inner.commit(id, c);
    });
    const source = oktaSource(`${base}/api/v1/logs`);
    await pollSource(source, deps(store, recordingSink(order)));
    expect(order).toEqual([
      "write:2",
      "flush",
      "commit:2",
      "write:2",
      "flush",
      "commit:4",
      "write:1",
      "flush",
      "commit:5",
    ]);
  });

  it("writes a page only once the previous page's checkpoint has committed, even a slow one", async () => {
    const { base } = await pagedApi(events);
    const order: string[] = [];
    // Each commit is held until the engine has received the next page and run on as far as it
    // can without the commit: a write of that page before "committed" would show in the order.
    const http = countingHttp();
    let commits = 0;
    const { inner, store } = await storeCommitting(async (inner, id, c) => {
      const at = c.next_url?.split("after=")[1];
      commits += 1;
      order.push(`commit:${at}`);
      await http.received(commits + 1);
      await inner.commit(id, c);
      order.push(`committed:${at}`);
    });
    const source = oktaSource(`${base}/api/v1/logs`);
    const summary = await pollSource(source, { ...deps(store, recordingSink(order)), http: http.send });
    expect(summary).toMatchObject({ events: 5, stopReason: "empty_page" });
    expect(order).toEqual([
      "write:2",
      "flush",
      "commit:2",
      "committed:2",
      "write:2",
      "flush",
      "commit:4",
      "committed:4",
      "write:1",
      "flush",
      "commit:5",
      "committed:5",
    ]);
    // The pass returned only after its last checkpoint.
    expect((await inner.read("okta")).next_url).toBe(`${base}/api/v1/logs?after=5`);
  });

  it("fails the pass at a failed checkpoint, before the next page is written", async () => {
    const { base } = await pagedApi(events);
    const order: string[] = [];
    // The commit fails only once the next page has arrived and the engine has run on from it.
    const http = countingHttp();
    const { store } = await storeCommitting(async () => {
      order.push("commit");
      await http.received(2);
      throw new Error("state database is full");
    });
    const source = oktaSource(`${base}/api/v1/logs`);
    await expect(
      pollSource(source, { ...deps(store, recordingSink(order)), http: http.send }),
    ).rejects.toThrow("state database is full");
    expect(order).toEqual(["write:2", "flush", "commit"]);
  });

  it("names the source, URL and status on an HTTP error, never the token", async () => {
    const { base } = await pagedApi(events);
    const store = await memoryStore({ path: "" });
    const source = oktaSource(`${base}/api/v1/logs`);
    const d = { ...deps(store, recordingSink([])), env: { OKTA_TOKEN: "wrong-token-1234" } };
    const error = await pollSource(source, d).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /source "okta": GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\?limit=2 returned HTTP 401: .*E0000011/,
    );
    expect(String(error)).not.toContain("wrong-token-1234");
    expect(await store.read("okta")).toEqual({});
  });

  it("reports an unset token variable with the source and variable name", async () => {
    const { base } = await pagedApi(events);
    const store = await memoryStore({ path: "" });
    const source = oktaSource(`${base}/api/v1/logs`);
    const error = await pollSource(source, { ...deps(store, recordingSink([])), env: {} }).catch(
      (e: Error) => e,
    );
    expect(String(error)).toMatch(/source "okta": bearer token environment variable OKTA_TOKEN is not set/);
  });
});
