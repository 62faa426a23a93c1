import pino from "pino";
import { describe, expect, it } from "vitest";
import { defineSource } from "../../../runtime/app.ts";
import { pollSource } from "../../../runtime/engine/poll.ts";
import { compareMarks } from "../../../runtime/engine/watermark.ts";
import type { HttpRequest, HttpResponse, HttpSend } from "../../../runtime/http/client.ts";
import type { Sink } from "../../../runtime/output/sink.ts";
import { cursorPagination } from "../../../runtime/paginate/cursor.ts";
import { linkHeaderPagination } from "../../../runtime/paginate/link-header-paginator.ts";
import { singleRequest } from "../../../runtime/paginate/single.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { pollDeps } from "../../support/poll-deps.ts";
import { sinkText } from "../../support/sink-text.ts";
import { EVENT_KEYS, STOP, sourceSpec, transform } from "../../support/source-spec.ts";

const URL_ = "http://api.test/logs";
type Reply = { status?: number; body: unknown; link?: string; raw?: Buffer };

/** An HttpSend answering from a function, recording every request. */
function scripted(answer: (req: HttpRequest, n: number) => Reply) {
  const requests: HttpRequest[] = [];
  const send: HttpSend = async (req) => {
    requests.push(req);
    const reply = answer(req, requests.length);
    const headers = new Map<string, string[]>();
    if (reply.link) headers.set("link", [reply.link]);
    const body =
      reply.raw ?? Buffer.from(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    return { status: reply.status ?? 200, headers, body, url: req.url } satisfies HttpResponse;
  };
  return { send, requests };
}

function collector(store: StateStore, send: HttpSend) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const sink: Sink = {
    write: async (t) => void lines.push(...sinkText(t).split("\n").filter(Boolean)),
    flush: async () => {},
    close: async () => {},
  };
  const log = pino({ level: "warn" }, { write: (s: string) => void warnings.push(JSON.parse(s).msg) });
  const deps = pollDeps({ store, sink, http: send, log });
  return { deps, lines, warnings, events: () => lines.map((l) => JSON.parse(l).event) };
}

const single = { strategy: "single" } as const;

describe("event extraction settings", () => {
  it("reads events at a path, unwraps an object path, and keeps the vendor's key order", async () => {
    const body = '{"data":{"edges":[{"node":{"z":1,"id":"a"}},{"cursor":"x"},{"node":{"z":2,"id":"b"}}]}}';
    const api = scripted(() => ({ body }));
    const c = collector(await memoryStore({ path: "" }), api.send);
    const spec = sourceSpec(single, {
      url: URL_,
      extract: { eventsPath: "data.edges", eventObjectPath: "node", eventKeys: [], include: [], exclude: [] },
    });
    await pollSource(defineSource(spec, { pagination: singleRequest }), c.deps);
    expect(c.lines.map((l) => l.slice(l.indexOf('"event":'), l.indexOf(',"meta"')))).toEqual([
      '"event":{"z":1,"id":"a"}',
      '"event":{"z":2,"id":"b"}',
    ]);
  });

  it("applies include and exclude regular expressions to the event text", async () => {
    const api = scripted(() => ({
      body: [{ t: "user.session.start" }, { t: "system.internal" }, { t: "app.x" }],
    }));
    const c = collector(await memoryStore({ path: "" }), api.send);
    const extract = {
      eventKeys: EVENT_KEYS,
      include: ["user\\.", "system\\."],
      exclude: ["system\\.internal"],
    };
    const summary = await pollSource(
      defineSource(sourceSpec(single, { url: URL_, extract }), { pagination: singleRequest }),
      c.deps,
    );
    expect(c.events()).toEqual([{ t: "user.session.start" }]);
    expect(summary).toMatchObject({ received: 3, events: 1, filtered: 2 });
  });

  it("writes zero events and warns when the events are under an unknown key", async () => {
    const api = scripted(() => ({ body: { records: [{ id: 1 }], next: "x" } }));
    const c = collector(await memoryStore({ path: "" }), api.send);
    await pollSource(defineSource(sourceSpec(single, { url: URL_ }), { pagination: singleRequest }), c.deps);
    expect(c.lines).toEqual([]);
    expect(c.warnings.join()).toMatch(/no events array.*set response_events_path/);
  });

  it("treats a response with no array at all (Google's empty page) as empty, quietly", async () => {
    const api = scripted(() => ({ body: { kind: "admin#reports#activities", etag: "x" } }));
    const c = collector(await memoryStore({ path: "" }), api.send);
    const withPath = sourceSpec(single, {
      url: URL_,
      extract: { eventsPath: "items", eventKeys: [], include: [], exclude: [] },
    });
    await pollSource(defineSource(sourceSpec(single, { url: URL_ }), { pagination: singleRequest }), c.deps);
    await pollSource(defineSource(withPath, { pagination: singleRequest }), c.deps);
    expect(c.lines).toEqual([]);
    expect(c.warnings).toEqual([]);
  });

  it("copies the message field and id into meta", async () => {
    const api = scripted(() => ({ body: [{ uuid: 7, displayMessage: "User login" }] }));
    const c = collector(await memoryStore({ path: "" }), api.send);
    const spec = sourceSpec(single, {
      url: URL_,
      transform: transform({ idField: "uuid", messageField: "displayMessage" }),
    });
    await pollSource(defineSource(spec, { pagination: singleRequest }), c.deps);
    expect(JSON.parse(c.lines[0] ?? "").meta).toEqual({ id: "7", message: "User login" });
  });
});

describe("line size limits", () => {
  const big = [{ id: "1", blob: "x".repeat(2000) }, { id: "2" }];
  const policy = (b: "truncate" | "skip" | "fail") => ({
    ...sourceSpec(single).policy,
    maxLineBytesBehavior: b,
  });

  it("truncate still writes valid JSON within the limit", async () => {
    const c = collector(await memoryStore({ path: "" }), scripted(() => ({ body: big })).send);
    const spec = sourceSpec(single, { url: URL_, limits: { maxLineBytes: 400 }, policy: policy("truncate") });
    await pollSource(defineSource(spec, { pagination: singleRequest }), c.deps);
    expect(c.lines).toHaveLength(2);
    for (const line of c.lines) expect(Buffer.byteLength(`${line}\n`)).toBeLessThanOrEqual(400);
    const first = JSON.parse(c.lines[0] ?? "");
    expect(first.event).toMatchObject({ _helr_truncated: true, bytes: 2020 });
    expect(first.event.prefix.startsWith('{"id":"1","blob":"xxx')).toBe(true);
  });

  it("skip drops the line; fail stops the poll naming the source", async () => {
    const c = collector(await memoryStore({ path: "" }), scripted(() => ({ body: big })).send);
    await pollSource(
      defineSource(sourceSpec(single, { url: URL_, limits: { maxLineBytes: 400 }, policy: policy("skip") }), {
        pagination: singleRequest,
      }),
      c.deps,
    );
    expect(c.events()).toEqual([{ id: "2" }]);
    const failing = defineSource(
      sourceSpec(single, { url: URL_, limits: { maxLineBytes: 400 }, policy: policy("fail") }),
      { pagination: singleRequest },
    );
    await expect(pollSource(failing, c.deps)).rejects.toThrow(/source "src".*exceeds max_line_bytes/);
  });
});

describe("on_parse_error", () => {
  const linkSpec = (onParseError: "skip" | "fail") =>
    sourceSpec(
      { strategy: "link_header", rel: "next", maxPages: 10, stop: STOP },
      { url: URL_, policy: { ...sourceSpec(single).policy, onParseError } },
    );
  const pages = (req: HttpRequest): Reply => {
    const n = Number(new URL(req.url).searchParams.get("p") ?? "1");
    if (n === 2) return { body: "<html>gateway</html>", link: `<${URL_}?p=3>; rel="next"` };
    return {
      body: n > 3 ? [] : [{ id: `e${n}` }],
      link: n < 3 ? `<${URL_}?p=${n + 1}>; rel="next"` : undefined,
    } as Reply;
  };

  it("skip: the bad page is written not at all, the pass ends there and the position stays at it", async () => {
    const store = await memoryStore({ path: "" });
    const c = collector(store, scripted(pages).send);
    const summary = await pollSource(
      defineSource(linkSpec("skip"), { pagination: linkHeaderPagination }),
      c.deps,
    );
    expect(c.events()).toEqual([{ id: "e1" }]);
    expect(summary.stopReason).toBe("unparsable_page");
    expect((await store.read("src")).next_url).toBe(`${URL_}?p=2`);
    expect(c.warnings.join()).toMatch(/not valid JSON.*page skipped and the pass ends here/);
  });

  it("fail: the poll fails naming the source, and the position stays before the bad page", async () => {
    const store = await memoryStore({ path: "" });
    const c = collector(store, scripted(pages).send);
    await expect(
      pollSource(defineSource(linkSpec("fail"), { pagination: linkHeaderPagination }), c.deps),
    ).rejects.toThrow(/source "src": http:\/\/api\.test\/logs\?p=2: response is not valid JSON/);
    expect((await store.read("src")).next_url).toBe(`${URL_}?p=2`);
  });

  it("max_response_bytes: the client is told the limit; an oversized page is skipped like a bad one", async () => {
    const spec = linkSpec("skip");
    const limited = { ...spec, limits: { ...spec.limits, maxResponseBytes: 64 } };
    const api = scripted(pages);
    let poll = 1;
    const send: HttpSend = async (req) => {
      const res = await api.send(req);
      if (Number(new URL(req.url).searchParams.get("p") ?? "1") !== 2) return res;
      // Page 2 as the client reports a body it stopped reading, then too long but read (a replay).
      if (poll === 1) return { ...res, body: Buffer.alloc(0), oversizeBytes: 5_000_000 };
      return { ...res, body: Buffer.from(JSON.stringify([{ id: "e2", pad: "x".repeat(80) }])) };
    };
    const store = await memoryStore({ path: "" });
    const c = collector(store, send);
    const source = defineSource(limited, { pagination: linkHeaderPagination });
    const first = await pollSource(source, c.deps);
    poll = 2;
    const second = await pollSource(source, c.deps);
    expect(api.requests.map((r) => r.maxBodyBytes)).toEqual([64, 64, 64]);
    expect(c.events()).toEqual([{ id: "e1" }]);
    expect([first.stopReason, second.stopReason]).toEqual(["unparsable_page", "unparsable_page"]);
    expect((await store.read("src")).next_url).toBe(`${URL_}?p=2`);
    expect(c.warnings.filter((w) => /exceeds max_response_bytes \(64\); page skipped/.test(w))).toHaveLength(
      2,
    );
  });

  it("skip: a cursor source cannot see its next cursor, so it keeps its position and ends the pass", async () => {
    const store = await memoryStore({ path: "" });
    await store.commit("src", { cursor: "c1" });
    const c = collector(store, scripted(() => ({ body: "not json" })).send);
    const spec = sourceSpec(
      { strategy: "cursor", cursorParam: "cursor", cursorPath: "next", maxPages: 5, stop: STOP },
      { url: URL_, policy: { ...sourceSpec(single).policy, onParseError: "skip" } },
    );
    const summary = await pollSource(defineSource(spec, { pagination: cursorPagination }), c.deps);
    expect(summary.stopReason).toBe("unparsable_page");
    expect((await store.read("src")).cursor).toBe("c1");
  });
});

describe("cursor expiry", () => {
  const slack = (onCursorError: "reset" | "fail") =>
    sourceSpec(
      {
        strategy: "cursor",
        cursorParam: "cursor",
        cursorPath: "response_metadata.next_cursor",
        maxPages: 5,
        stop: { ...STOP, onEmptyPage: false },
      },
      {
        url: URL_,
        policy: { ...sourceSpec(single).policy, onCursorError },
        watermark: {
          stateKey: "oldest_ts",
          eventPath: "date_create",
          param: "oldest",
          location: "query",
          format: "raw",
          overlapSecs: 0,
        },
      },
    );
  const api = () =>
    scripted((req) => {
      if (new URL(req.url).searchParams.get("cursor") === "stale")
        return { body: { ok: false, error: "invalid_cursor" } };
      return {
        body: {
          ok: true,
          entries: [{ id: "n", date_create: 1716296700 }],
          response_metadata: { next_cursor: "" },
        },
      };
    });

  it("reset: a Slack invalid_cursor clears the cursor and restarts from the committed watermark", async () => {
    const store = await memoryStore({ path: "" });
    await store.commit("src", { cursor: "stale", oldest_ts: "1716296600" });
    const a = api();
    const c = collector(store, a.send);
    await pollSource(defineSource(slack("reset"), { pagination: cursorPagination }), c.deps);
    expect(a.requests.map((r) => new URL(r.url).search)).toEqual([
      "?oldest=1716296600&cursor=stale",
      "?oldest=1716296600",
    ]);
    expect(c.events()).toEqual([{ id: "n", date_create: 1716296700 }]);
    expect(await store.read("src")).toEqual({ oldest_ts: "1716296700" });
    expect(c.warnings.join()).toMatch(/rejected as expired/);
  });

  it("fail: the error names the source and the vendor's error", async () => {
    const store = await memoryStore({ path: "" });
    await store.commit("src", { cursor: "stale" });
    const c = collector(store, api().send);
    await expect(
      pollSource(defineSource(slack("fail"), { pagination: cursorPagination }), c.deps),
    ).rejects.toThrow(/source "src".*API error: invalid_cursor/);
  });
});

describe("checkpoints and state writes", () => {
  const chain = (req: HttpRequest): Reply => {
    const n = Number(new URL(req.url).searchParams.get("p") ?? "1");
    if (n === 3) return { status: 500, body: "boom" };
    return { body: [{ id: `e${n}` }], link: `<${URL_}?p=${n + 1}>; rel="next"` };
  };
  const linkSpec = (checkpoint: "per_page" | "end_of_tick") =>
    sourceSpec(
      { strategy: "link_header", rel: "next", maxPages: 10, stop: STOP },
      { url: URL_, policy: { ...sourceSpec(single).policy, checkpoint } },
    );

  it("per_page keeps the progress of pages before a failure; end_of_tick keeps none", async () => {
    const perPage = await memoryStore({ path: "" });
    await expect(
      pollSource(
        defineSource(linkSpec("per_page"), { pagination: linkHeaderPagination }),
        collector(perPage, scripted(chain).send).deps,
      ),
    ).rejects.toThrow(/HTTP 500/);
    expect((await perPage.read("src")).next_url).toBe(`${URL_}?p=3`);
    const endOfTick = await memoryStore({ path: "" });
    await expect(
      pollSource(
        defineSource(linkSpec("end_of_tick"), { pagination: linkHeaderPagination }),
        collector(endOfTick, scripted(chain).send).deps,
      ),
    ).rejects.toThrow(/HTTP 500/);
    expect(await endOfTick.read("src")).toEqual({});
  });

  it("on_state_write_error: skip_checkpoint keeps polling; fail stops", async () => {
    const inner = await memoryStore({ path: "" });
    const broken: StateStore = { ...inner, commit: async () => Promise.reject(new Error("disk full")) };
    const ok = scripted(() => ({ body: [{ id: "a" }] }));
    const skip = sourceSpec(
      { strategy: "link_header", rel: "next", maxPages: 1, stop: STOP },
      { url: URL_, policy: { ...sourceSpec(single).policy, onStateWriteError: "skip_checkpoint" } },
    );
    const c = collector(broken, ok.send);
    await pollSource(defineSource(skip, { pagination: linkHeaderPagination }), c.deps);
    expect(c.events()).toEqual([{ id: "a" }]);
    expect(c.warnings.join()).toMatch(/state write failed/);
    const fail = { ...skip, policy: { ...skip.policy, onStateWriteError: "fail" as const } };
    await expect(
      pollSource(defineSource(fail, { pagination: linkHeaderPagination }), collector(broken, ok.send).deps),
    ).rejects.toThrow(/disk full/);
  });

  it("max_bytes ends the pass after the page that crossed it and keeps the next link", async () => {
    const store = await memoryStore({ path: "" });
    const spec = { ...linkSpec("per_page"), limits: { maxBytes: 10 } };
    const summary = await pollSource(
      defineSource(spec, { pagination: linkHeaderPagination }),
      collector(store, scripted(chain).send).deps,
    );
    expect(summary).toMatchObject({ pages: 1, stopReason: "max_bytes" });
    expect((await store.read("src")).next_url).toBe(`${URL_}?p=2`);
  });
});

describe("requests", () => {
  it("POST merges the cursor into the body; every_query_params go on every page, query_params on the first", async () => {
    const api = scripted((_req, n) => ({
      body: { items: [{ id: n }], cursor: n < 2 ? 100 + n : undefined },
    }));
    const spec = sourceSpec(
      { strategy: "cursor", cursorParam: "cursor", cursorPath: "cursor", maxPages: 5, stop: STOP },
      {
        url: URL_,
        method: "post",
        body: { limit: 2 },
        queryParams: { first: "1" },
        everyQueryParams: { tenant: "t1" },
      },
    );
    const store = await memoryStore({ path: "" });
    await pollSource(defineSource(spec, { pagination: cursorPagination }), collector(store, api.send).deps);
    expect(api.requests.map((r) => [r.method, new URL(r.url).search, r.body])).toEqual([
      ["POST", "?first=1&tenant=t1", '{"limit":2}'],
      ["POST", "?first=1&tenant=t1", '{"limit":2,"cursor":101}'],
    ]);
    expect(await store.read("src")).toEqual({});
  });

  it("`from` starts the first request, unless it is empty (an unset `${SINCE:-}`): then nothing is sent", async () => {
    const api = scripted(() => ({ body: [] }));
    const from = { param: "since", value: "${SINCE:-}" };
    const spec = sourceSpec(single, { url: URL_, from, queryParams: { limit: "5" } });
    const c = collector(await memoryStore({ path: "" }), api.send);
    await pollSource(defineSource(spec, { pagination: singleRequest }), c.deps);
    await pollSource(defineSource(spec, { pagination: singleRequest }), {
      ...c.deps,
      env: { SINCE: "2026-01-01T00:00:00Z" },
    });
    expect(api.requests.map((r) => new URL(r.url).search)).toEqual([
      "?limit=5",
      "?limit=5&since=2026-01-01T00%3A00%3A00Z",
    ]);
  });

  it("invalid UTF-8 is replaced by default and rejected with on_invalid_utf8: fail", async () => {
    const raw = Buffer.concat([Buffer.from('[{"m":"a'), Buffer.from([0xff]), Buffer.from('b"}]')]);
    const c = collector(await memoryStore({ path: "" }), scripted(() => ({ body: null, raw })).send);
    await pollSource(defineSource(sourceSpec(single, { url: URL_ }), { pagination: singleRequest }), c.deps);
    expect(c.events()).toEqual([{ m: "a\uFFFDb" }]);
    const strict = sourceSpec(single, {
      url: URL_,
      policy: { ...sourceSpec(single).policy, onInvalidUtf8: "fail" },
    });
    await expect(pollSource(defineSource(strict, { pagination: singleRequest }), c.deps)).rejects.toThrow(
      /not valid UTF-8/,
    );
  });
});

describe("dedupe", () => {
  it("persists ids (string or number) so a restarted collector does not write them again", async () => {
    const store = await memoryStore({ path: "" });
    const api = scripted(() => ({ body: [{ id: 1 }, { id: "2" }, { id: 1 }] }));
    const spec = sourceSpec(single, { url: URL_, dedupe: { idPath: "id", capacity: 100 } });
    const first = collector(store, api.send);
    await pollSource(defineSource(spec, { pagination: singleRequest }), first.deps);
    expect(first.events()).toEqual([{ id: 1 }, { id: "2" }]);
    const restarted = collector(store, api.send);
    const summary = await pollSource(defineSource(spec, { pagination: singleRequest }), restarted.deps);
    expect(restarted.lines).toEqual([]);
    expect(summary.duplicates).toBe(3);
  });

  it("stays bounded by capacity in memory and in the store", async () => {
    const store = await memoryStore({ path: "" });
    let next = 0;
    const api = scripted(() => ({ body: Array.from({ length: 10 }, () => ({ id: next++ })) }));
    const spec = sourceSpec(single, { url: URL_, dedupe: { idPath: "id", capacity: 25 } });
    const source = defineSource(spec, { pagination: singleRequest });
    for (let i = 0; i < 10; i++) await pollSource(source, collector(store, api.send).deps);
    const kept = Object.entries(await store.read("src")).filter(([k]) => k.startsWith("dedupe."));
    const ids = kept.flatMap(([, v]) => JSON.parse(v) as string[]);
    expect(ids.length).toBeLessThanOrEqual(35);
    expect(ids).toContain("99");
  });
});

describe("watermark comparison", () => {
  it("compares times across offsets and precisions, epochs and numbers by value", () => {
    expect(compareMarks("2024-05-21T15:00:00+02:00", "2024-05-21T13:30:00Z")).toBeLessThan(0);
    expect(compareMarks("2024-05-21T13:00:00.1234567Z", "2024-05-21T13:00:00.1234Z")).toBeGreaterThan(0);
    expect(compareMarks("9", "10")).toBeLessThan(0);
    expect(compareMarks("1716296697123", "1716296698000")).toBeLessThan(0);
  });
});

describe("cursor expiry behind the resilient sender", () => {
  it("still resets when retries are on: a transient 503 is retried, then the 410 for the stale cursor resets", async () => {
    const { createSourceHttp } = await import("../../../runtime/resilience/source-http.ts");
    const store = await memoryStore({ path: "" });
    await store.commit("src", { cursor: "stale" });
    let failedOnce = false;
    const api = scripted((req) => {
      const cursor = new URL(req.url).searchParams.get("cursor");
      if (cursor === "stale" && !failedOnce) {
        failedOnce = true;
        return { status: 503, body: "try later" };
      }
      if (cursor === "stale") return { status: 410, body: { error: "cursor expired" } };
      return { body: { items: [{ id: "fresh" }] } };
    });
    const base = sourceSpec(single);
    const spec = sourceSpec(
      { strategy: "cursor", cursorParam: "cursor", cursorPath: "next", maxPages: 5, stop: STOP },
      {
        url: URL_,
        policy: { ...base.policy, onCursorError: "reset" },
        resilience: {
          ...base.resilience,
          retries: {
            maxAttempts: 3,
            initialBackoffSecs: 0,
            maxBackoffSecs: 0,
            multiplier: 1,
            jitter: 0,
            retryableStatusCodes: [503],
          },
        },
      },
    );
    const resilient = createSourceHttp(spec, api.send, {
      now: Date.now,
      random: () => 0,
      sleep: async () => {},
      log: pino({ level: "silent" }),
    });
    const c = collector(store, resilient.send);
    await pollSource(defineSource(spec, { pagination: cursorPagination }), c.deps);
    expect(api.requests.map((r) => [new URL(r.url).search])).toEqual([
      ["?cursor=stale"],
      ["?cursor=stale"],
      [""],
    ]);
    expect(c.events()).toEqual([{ id: "fresh" }]);
  });
});

describe("a stored link to another host", () => {
  it("is not followed once the configured url points elsewhere: a fresh pass starts there", async () => {
    const store = await memoryStore({ path: "" });
    await store.commit("src", { next_url: "https://old-tenant.example/logs?after=9" });
    const api = scripted(() => ({ body: [{ id: "a" }] }));
    const c = collector(store, api.send);
    const spec = sourceSpec({ strategy: "link_header", rel: "next", maxPages: 5, stop: STOP }, { url: URL_ });
    await pollSource(defineSource(spec, { pagination: linkHeaderPagination }), c.deps);
    expect(api.requests.map((r) => r.url)).toEqual([URL_]);
    expect(c.warnings.join()).toMatch(/another host than the configured url/);
    expect((await store.read("src")).next_url).toBe(URL_);
  });
});
