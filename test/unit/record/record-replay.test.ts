import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defineSource } from "../../../runtime/app.ts";
import { apiKeyAuth } from "../../../runtime/auth/api-key.ts";
import { bearerAuth } from "../../../runtime/auth/bearer.ts";
import type { Authenticator } from "../../../runtime/auth/types.ts";
import { prepareSource } from "../../../runtime/cli/run.ts";
import type { CommonOptions } from "../../../runtime/cli/run-options.ts";
import { type PollDeps, pollSource } from "../../../runtime/engine/poll.ts";
import type { Sink } from "../../../runtime/output/sink.ts";
import { cursorPagination } from "../../../runtime/paginate/cursor.ts";
import { linkHeaderPagination } from "../../../runtime/paginate/link-header-paginator.ts";
import { replaySend } from "../../../runtime/record/replay-send.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { tempDir } from "../../support/bundle.ts";
import { pollDeps, textSink } from "../../support/poll-deps.ts";
import { STOP, sourceSpec, transform } from "../../support/source-spec.ts";

const TOKEN = "tok-3f9a8b7c6d5e4f3a2b1c";
let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise<void>((r) => s.close(() => r()));
});

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ base: string; requests: string[] }> {
  const requests: string[] = [];
  const s = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler?.(req, res);
  });
  server = s;
  return new Promise((r) =>
    s.listen(0, "127.0.0.1", () =>
      r({ base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, requests }),
    ),
  );
}

const events = [1, 2, 3, 4, 5].map((n) => ({ uuid: `u${n}`, published: `2024-05-21T13:0${n}:00.000Z`, n }));

/** Okta-like: pages of 2, absolute next links, a session cookie, and a header echoing the token. */
function oktaLike(base: () => string): Parameters<typeof createServer>[1] {
  return (req, res) => {
    if (req.headers.authorization !== `SSWS ${TOKEN}`) return void res.writeHead(401).end("{}");
    const after = Number(new URL(req.url ?? "/", "http://x").searchParams.get("after") ?? "0");
    const next = `${base()}/api/v1/logs?after=${Math.min(after + 2, events.length)}`;
    res.setHeader("link", [`<${base()}${req.url}>; rel="self"`, `<${next}>; rel="next"`]);
    res.setHeader("set-cookie", "sid=cookie-value-123456; HttpOnly");
    res.setHeader("x-echo", `you sent SSWS ${TOKEN}`);
    res.setHeader("x-okta-request-id", `req-${after}`);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(events.slice(after, after + 2)));
  };
}

const collect = textSink;

function deps(store: StateStore, sink: Sink, env: Record<string, string>): PollDeps {
  return pollDeps({ store, sink, env });
}

const options = (extra: Partial<CommonOptions>): CommonOptions => ({
  sources: [],
  recordDir: undefined,
  replayDir: undefined,
  statePath: undefined,
  log: {},
  ...extra,
});

function oktaSource(url: string) {
  const spec = sourceSpec(
    { strategy: "link_header", rel: "next", maxPages: 100, stop: STOP },
    {
      id: "okta",
      url,
      queryParams: { limit: "2" },
      auth: { type: "bearer", token: { env: "OKTA_TOKEN" }, prefix: "SSWS" } as const,
      transform: transform({ idField: "uuid" }),
    },
  );
  return defineSource(spec, { auth: bearerAuth, pagination: linkHeaderPagination });
}

async function poll(
  source: ReturnType<typeof oktaSource>,
  store: StateStore,
  env: Record<string, string>,
  opts: CommonOptions,
) {
  const sink = collect();
  const prepared = await prepareSource(source, deps(store, sink, env), opts);
  const summary = await pollSource(prepared.source, prepared.deps);
  return { text: sink.text, summary };
}

describe("record and replay", () => {
  it("replays a recorded link-header run offline: identical NDJSON and state, no token needed", async () => {
    let base = "";
    const api = await listen(oktaLike(() => base));
    base = api.base;
    const dir = tempDir();
    const source = oktaSource(`${base}/api/v1/logs`);
    const liveStore = await memoryStore({ path: "" });
    const live = await poll(source, liveStore, { OKTA_TOKEN: TOKEN }, options({ recordDir: dir }));
    expect(live.summary).toMatchObject({ requests: 4, events: 5, stopReason: "empty_page" });

    const folder = join(dir, "okta");
    expect(readdirSync(folder)).toEqual(["000000.json", "000001.json", "000002.json", "000003.json"]);
    const first = JSON.parse(readFileSync(join(folder, "000000.json"), "utf8"));
    expect(Object.keys(first)).toEqual(["url", "method", "status", "headers", "body_base64"]);
    expect(first).toMatchObject({ url: `${base}/api/v1/logs?limit=2`, method: "GET", status: 200 });
    expect(first.headers.link).toEqual([
      `<${base}/api/v1/logs?limit=2>; rel="self"`,
      `<${base}/api/v1/logs?after=2>; rel="next"`,
    ]);
    expect(first.headers["set-cookie"]).toBe("REDACTED");
    expect(first.headers["x-echo"]).toBe("REDACTED");
    expect(JSON.parse(Buffer.from(first.body_base64, "base64").toString())).toEqual(events.slice(0, 2));
    for (const name of readdirSync(folder)) {
      const text = readFileSync(join(folder, name), "utf8");
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("cookie-value-123456");
    }

    // Offline: the server is gone and the environment has no token.
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const replayStore = await memoryStore({ path: "" });
    const sink = collect();
    const prepared = await prepareSource(source, deps(replayStore, sink, {}), options({ replayDir: dir }));
    const summary = await pollSource(prepared.source, prepared.deps);
    expect(sink.text).toBe(live.text);
    expect(summary).toEqual(live.summary);
    expect(await replayStore.read("okta")).toEqual(await liveStore.read("okta"));

    // Another poll has nothing left to replay: a clear error naming the source and the folder.
    await expect(pollSource(prepared.source, prepared.deps)).rejects.toThrow(
      `source "okta": GET ${base}/api/v1/logs?after=5 failed: replay: recordings for source "okta" in ${folder} ran out after 4 response(s)`,
    );
  });

  it("numbers new recordings after the existing ones and never overwrites", async () => {
    let base = "";
    const api = await listen(oktaLike(() => base));
    base = api.base;
    const dir = tempDir();
    const source = oktaSource(`${base}/api/v1/logs`);
    const store = await memoryStore({ path: "" });
    await poll(source, store, { OKTA_TOKEN: TOKEN }, options({ recordDir: dir }));
    const before = readFileSync(join(dir, "okta", "000003.json"), "utf8");
    await poll(source, store, { OKTA_TOKEN: TOKEN }, options({ recordDir: dir }));
    expect(readdirSync(join(dir, "okta"))).toEqual([
      "000000.json",
      "000001.json",
      "000002.json",
      "000003.json",
      "000004.json",
    ]);
    expect(readFileSync(join(dir, "okta", "000003.json"), "utf8")).toBe(before);
  });

  it("replays POST cursor paging, and redacts an API key sent in the query string", async () => {
    const KEY = "key-a1b2c3d4e5f6a7b8";
    const items = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, at: 1716296400 + i }));
    const api = await listen((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const { cursor } = JSON.parse(body || "{}") as { cursor?: number };
        const start = cursor ?? 0;
        const page = items.slice(start, start + 2);
        const next = start + 2 < items.length ? start + 2 : undefined;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ items: page, ...(next !== undefined ? { next_cursor: next } : {}) }));
      });
    });
    const spec = sourceSpec(
      {
        strategy: "cursor",
        cursorParam: "cursor",
        cursorPath: "next_cursor",
        maxPages: 10,
        stop: { onEmptyPage: true, onShortPage: false },
      },
      {
        id: "posty",
        url: `${api.base}/v1/events`,
        method: "post",
        body: { limit: 2 },
        auth: { type: "api_key", key: { env: "API_KEY" }, location: "query", name: "api_key" } as const,
        extract: { eventsPath: "items", eventKeys: [], include: [], exclude: [] },
        transform: transform({ idField: "id", timeFields: ["at"] }),
      },
    );
    const source = defineSource(spec, { auth: apiKeyAuth, pagination: cursorPagination });
    const dir = tempDir();
    const live = await poll(
      source as never,
      await memoryStore({ path: "" }),
      { API_KEY: KEY },
      options({ recordDir: dir }),
    );
    expect(live.summary).toMatchObject({ requests: 3, events: 5, stopReason: "end" });
    expect(api.requests.every((r) => r.startsWith("POST "))).toBe(true);
    const recordings = readdirSync(join(dir, "posty")).map((n) =>
      readFileSync(join(dir, "posty", n), "utf8"),
    );
    expect(recordings).toHaveLength(3);
    for (const text of recordings) {
      expect(text).not.toContain(KEY);
      expect(JSON.parse(text)).toMatchObject({
        method: "POST",
        url: `${api.base}/v1/events?api_key=REDACTED`,
      });
    }
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const replayed = await poll(
      source as never,
      await memoryStore({ path: "" }),
      {},
      options({ replayDir: dir }),
    );
    expect(replayed.text).toBe(live.text);
    expect(replayed.summary).toEqual(live.summary);
  });

  it("keeps the authenticator's token requests out of the recordings", async () => {
    let base = "";
    const api = await listen((req, res) => {
      if (req.url === "/token") return void res.end(JSON.stringify({ access_token: "at-777777777777" }));
      oktaLike(() => base)?.(req, res);
    });
    base = api.base;
    const auth: Authenticator = {
      async authorize(outgoing, ctx) {
        const token = await ctx.send?.({
          method: "POST",
          url: `${base}/token`,
          headers: {},
          timeoutMs: 1000,
        });
        const accessToken = JSON.parse(token?.body.toString() ?? "{}").access_token as string;
        outgoing.headers.authorization = `SSWS ${TOKEN}`;
        return [accessToken];
      },
    };
    const source = { ...oktaSource(`${base}/api/v1/logs`), auth };
    const dir = tempDir();
    const live = await poll(source, await memoryStore({ path: "" }), {}, options({ recordDir: dir }));
    expect(live.summary.events).toBe(5);
    expect(api.requests.filter((r) => r === "POST /token")).toHaveLength(4);
    const saved = readdirSync(join(dir, "okta")).map((n) => readFileSync(join(dir, "okta", n), "utf8"));
    expect(saved).toHaveLength(4);
    for (const text of saved) expect(text).not.toContain("at-777777777777");
  });

  it("a source without recordings fails on its first request, naming the source and folder", async () => {
    const dir = tempDir();
    const send = replaySend(dir, "nobody");
    await expect(
      send({ method: "GET", url: "https://example.com/x", headers: {}, timeoutMs: 1000 }),
    ).rejects.toThrow(`replay: no recordings for source "nobody" in ${join(dir, "nobody")}`);
  });
});
