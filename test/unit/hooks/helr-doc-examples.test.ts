/**
 * Helr issue 20: the Rust Helr's documented hook examples run unchanged. Every JavaScript example
 * of its docs/hooks.md and its one example script (hooks/andromeda-audit.js) is copied verbatim
 * into fixtures/helr-docs/ (a header above a marker line; the header records the example's
 * sha256, checked here), compiled by helrc's hook compiler without a diagnostic, and run in our
 * sandbox with the config its docs give it, checking that it returns what those docs say.
 */
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { compileHookScript } from "../../../compiler/hooks/compile.ts";
import { type BoundSource, defineSource } from "../../../runtime/app.ts";
import { closeHookRunners } from "../../../runtime/engine/hook-stages.ts";
import { pollSource } from "../../../runtime/engine/poll.ts";
import { hookScript } from "../../../runtime/hooks/binding.ts";
import { HookError } from "../../../runtime/hooks/errors.ts";
import type { HookRunner } from "../../../runtime/hooks/runner.ts";
import type { HttpRequest } from "../../../runtime/http/client.ts";
import { singleRequest } from "../../../runtime/paginate/single.ts";
import type { JsonValue } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { pollDeps, textSink } from "../../support/poll-deps.ts";
import { sourceSpec } from "../../support/source-spec.ts";
import {
  compiledExample,
  ctxInput,
  docExample,
  exampleRunner,
  fakeClient,
  hookSettings,
  poll,
  response,
  runnerOf,
  sha256,
} from "./helr-docs-support.ts";

/** Each fixture, the hooks it defines and the ctx.env names helrc finds it reading. */
const EXAMPLES = {
  "inline-yaml.js": { hooks: ["buildRequest", "parseResponse"], env: [], network: false },
  "getauth-env.js": { hooks: ["getAuth"], env: ["MY_TOKEN"], network: false },
  "getauth-fetch.js": { hooks: ["getAuth"], env: ["API_KEY", "TOKEN_URL"], network: true },
  "okta.js": {
    hooks: ["buildRequest", "parseResponse", "getNextPage", "commitState"],
    env: ["OKTA_TOKEN"],
    network: false,
  },
  "graphql-build-request.js": { hooks: ["buildRequest"], env: ["API_TOKEN"], network: false },
  "graphql-parse-response.js": { hooks: ["parseResponse"], env: [], network: false },
  "graphql-get-next-page.js": { hooks: ["getNextPage"], env: [], network: false },
  "graphql-commit-state.js": { hooks: ["commitState"], env: [], network: false },
  "andromeda-audit.js": {
    hooks: ["getAuth", "buildRequest", "parseResponse", "getNextPage", "commitState"],
    env: ["ANDROMEDA_COOKIE", "ANDROMEDA_PAT"],
    network: true,
  },
} as const;

const GRAPHQL_QUERY =
  "query AuditLog($after: String) { auditLog(first: 100, after: $after) { edges { node { id createdAt action } } pageInfo { endCursor hasNextPage } } }";

let runner: HookRunner | undefined;
afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HookError);
  return error as HookError;
}

describe("the fixtures", () => {
  it("are exactly the examples listed, each unchanged below its header", () => {
    const files = readdirSync(new URL("./fixtures/helr-docs/", import.meta.url)).sort();
    expect(files).toEqual(Object.keys(EXAMPLES).sort());
    for (const name of files) {
      const { example, recordedSha256 } = docExample(name);
      expect(sha256(example), name).toBe(recordedSha256);
    }
  });

  it.each(Object.entries(EXAMPLES))(
    "%s compiles with no diagnostic, its hooks and env names found",
    async (name, want) => {
      const script = await compiledExample(name, want.network);
      expect(script.hooks).toEqual(want.hooks);
      expect(script.env).toEqual(want.env);
      expect(script.code).toBe(docExample(name).text);
    },
  );

  it("warn only that fetch() needs allow_network when compiled without it", async () => {
    for (const name of ["getauth-fetch.js", "andromeda-audit.js"]) {
      const { script, problems } = await compileHookScript({
        name,
        text: docExample(name).text,
        language: "js",
      });
      expect(script).toBeDefined();
      expect(problems.map((p) => `${p.severity} ${p.kind}`)).toEqual(["warning fetch-without-network"]);
    }
  });
});

describe("docs/hooks.md, Configuration: the script_inline example", () => {
  it("adds limit=100 to the query and maps body.items to events of the source", async () => {
    runner = await exampleRunner("inline-yaml.js", { url: "https://api.example.com/events" });
    expect(await runner.buildRequest(ctxInput({}))).toEqual({ query: { limit: "100" } });
    const items = [
      { id: "e1", published: "2026-01-01T00:00:00Z", type: "login" },
      { id: "e2", type: "logout" },
    ];
    const events = await runner.parseResponse(ctxInput({}), response({ body: { items } }));
    expect(events).toEqual([
      { ts: "2026-01-01T00:00:00Z", source: "docs-source", event: items[0], meta: {} },
      // ts "" is the time it was read (the engine's to fill), as in the Rust Helr.
      { source: "docs-source", event: items[1], meta: {} },
    ]);
    expect(await runner.parseResponse(ctxInput({}), response({ body: {} }))).toEqual([]);
  });
});

describe("docs/hooks.md, Auth hook: getAuth from ctx.env", () => {
  it("returns a Bearer header from MY_TOKEN, and null without it", async () => {
    const env = { MY_TOKEN: "tok-123", OTHER_SECRET: "never" };
    runner = await exampleRunner("getauth-env.js", { url: "https://api.example.com/events", env });
    expect(await runner.getAuth(ctxInput({}, { env }))).toEqual({
      headers: { Authorization: "Bearer tok-123" },
    });
    expect(await runner.getAuth(ctxInput({}, { env: { OTHER_SECRET: "never" } }))).toBeNull();
  });
});

describe("docs/hooks.md, Using fetch(): getAuth fetching a token", () => {
  const tokenApi = () =>
    fakeClient((request) =>
      request.method === "POST" && JSON.parse(request.body ?? "{}").key === "key-1"
        ? { body: { access_token: "at-1", expires_in: 3600 } }
        : { status: 401, body: { error: "bad key" } },
    );

  it("with allow_network, POSTs the API key to the default token URL and returns the Bearer header", async () => {
    const client = tokenApi();
    const env = { API_KEY: "key-1" };
    runner = await exampleRunner("getauth-fetch.js", {
      url: "https://api.example.com/events",
      fetch: client.send,
      env,
    });
    expect(await runner.getAuth(ctxInput({}, { env }))).toEqual({
      headers: { Authorization: "Bearer at-1" },
    });
    expect(client.sent).toEqual([
      {
        method: "POST",
        url: "https://api.example.com/token",
        headers: {},
        body: '{"key":"key-1"}',
        maxBodyBytes: 16777216,
      },
    ]);
  });

  it("uses TOKEN_URL when set, on a host hooks.allow_hosts adds", async () => {
    const client = tokenApi();
    const env = { API_KEY: "key-1", TOKEN_URL: "https://auth.example.net/oauth/token" };
    runner = await exampleRunner("getauth-fetch.js", {
      url: "https://api.example.com/events",
      fetch: client.send,
      allowHosts: ["auth.example.net"],
      env,
    });
    expect(await runner.getAuth(ctxInput({}, { env }))).toEqual({
      headers: { Authorization: "Bearer at-1" },
    });
    expect(client.sent.map((r) => r.url)).toEqual(["https://auth.example.net/oauth/token"]);
  });

  it("without allow_network there is no fetch(): the call fails with the script's ReferenceError", async () => {
    const script = await compileHookScript({
      name: "getauth-fetch.js",
      text: docExample("getauth-fetch.js").text,
      language: "js",
    });
    if (!script.script) throw new Error("not compiled");
    runner = await runnerOf(script.script, { url: "https://api.example.com/events" });
    const error = await rejection(runner.getAuth(ctxInput({}, { env: { API_KEY: "key-1" } })));
    expect(error.code).toBe("HELR_HOOK_ERROR");
    expect(error.message).toMatch(/hook getAuth threw ReferenceError: .*fetch/);
  });
});

describe("docs/hooks.md, Example script (Okta-style)", () => {
  const env = { OKTA_TOKEN: "ssws-1" };
  const url = "https://example.okta.com/api/v1/logs";
  const start = () => exampleRunner("okta.js", { url, env });

  it("buildRequest: the SSWS token and request id as headers, since = watermark (else from) and limit", async () => {
    runner = await start();
    const ctx = ctxInput(
      { watermark: "2026-01-02T00:00:00Z" },
      { env, defaultSince: "2026-01-01T00:00:00Z" },
    );
    expect(await runner.buildRequest(ctx)).toEqual({
      headers: { Authorization: "SSWS ssws-1", "X-Request-ID": "helr-1765100000000-1" },
      // The docs' `limit: 1000` is a number: written as text (the Rust Helr dropped it).
      query: { since: "2026-01-02T00:00:00Z", limit: "1000" },
    });
    expect(await runner.buildRequest(ctxInput({}, { env, defaultSince: "2026-01-01T00:00:00Z" }))).toEqual({
      headers: { Authorization: "SSWS ssws-1", "X-Request-ID": "helr-1765100000000-1" },
      query: { since: "2026-01-01T00:00:00Z", limit: "1000" },
    });
  });

  it("parseResponse: items (or data, or events) as events with the cursor and request id in meta", async () => {
    runner = await start();
    const items = [
      { uuid: "u1", published: "2026-01-02T00:00:01Z" },
      { uuid: "u2", timestamp: "2026-01-02T00:00:02Z" },
    ];
    const ctx = ctxInput({ cursor: "c-7" }, { env });
    expect(await runner.parseResponse(ctx, response({ body: { items } }))).toEqual([
      {
        ts: "2026-01-02T00:00:01Z",
        source: "docs-source",
        event: items[0],
        meta: { cursor: "c-7", request_id: "helr-1765100000000-1" },
      },
      {
        ts: "2026-01-02T00:00:02Z",
        source: "docs-source",
        event: items[1],
        meta: { cursor: "c-7", request_id: "helr-1765100000000-1" },
      },
    ]);
    const fromEvents = await runner.parseResponse(
      ctxInput({}, { env }),
      response({ body: { events: items.slice(0, 1) } }),
    );
    expect(fromEvents).toEqual([
      {
        ts: "2026-01-02T00:00:01Z",
        source: "docs-source",
        event: items[0],
        meta: { request_id: "helr-1765100000000-1" },
      },
    ]);
    // No timestamp in the event: the script's own new Date().toISOString().
    const [undated] = (await runner.parseResponse(ctx, response({ body: { data: [{ uuid: "u3" }] } }))) ?? [];
    expect(undated?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("getNextPage: the rel=next URL of the Link header, null without one", async () => {
    runner = await start();
    const ctx = ctxInput({}, { env });
    const next = `${url}?after=abc&limit=1000`;
    const linked = response({
      body: [],
      headers: { Link: [`<${url}>; rel="self"`, `<${next}>; rel="next"`] },
    });
    expect(await runner.getNextPage(ctx, { url }, linked)).toEqual({ url: next });
    const last = response({ body: [], headers: { link: `<${url}>; rel="self"` } });
    expect(await runner.getNextPage(ctx, { url }, last)).toBeNull();
    expect(await runner.getNextPage(ctx, { url }, response({ body: [] }))).toBeNull();
  });

  it("getNextPage: a next URL on another host is refused (HELR_HOOK_HOST), the script unchanged", async () => {
    runner = await start();
    const elsewhere = response({ body: [], headers: { link: '<https://evil.example/x>; rel="next"' } });
    const error = await rejection(runner.getNextPage(ctxInput({}, { env }), { url }, elsewhere));
    expect(error.code).toBe("HELR_HOOK_HOST");
  });

  it("commitState: watermark = the last event's ts, cursor = pagination.lastCursor; kept when no events", async () => {
    runner = await start();
    const events = [
      { ts: "2026-01-02T00:00:01Z", source: "docs-source", event: { uuid: "u1" } },
      { ts: "2026-01-02T00:00:02Z", source: "docs-source", event: { uuid: "u2" } },
    ];
    const state = { cursor: "c-7", watermark: "2026-01-01T00:00:00Z" };
    expect(await runner.commitState(ctxInput(state, { env }), events)).toEqual({
      watermark: "2026-01-02T00:00:02Z",
      cursor: "c-7",
    });
    expect(await runner.commitState(ctxInput(state, { env }), [])).toEqual(state);
    expect(await runner.commitState(ctxInput({}, { env }), [])).toEqual({ watermark: "", cursor: "" });
  });
});

describe("docs/hooks.md, GraphQL via hooks", () => {
  const url = "https://api.example.com/graphql";
  const page = (ids: string[], endCursor: string | null, hasNextPage: boolean): JsonValue => ({
    data: {
      auditLog: {
        edges: ids.map((id) => ({
          node: { id, createdAt: `2026-01-01T00:00:0${id.slice(1)}Z`, action: "read" },
        })),
        pageInfo: { endCursor, hasNextPage },
      },
    },
  });

  it("1. buildRequest: JSON content type, the Bearer token, the query with variables.after = state.cursor", async () => {
    const env = { API_TOKEN: "gql-1" };
    runner = await exampleRunner("graphql-build-request.js", { url, env });
    const headers = { "Content-Type": "application/json", Authorization: "Bearer gql-1" };
    expect(await runner.buildRequest(ctxInput({}, { env }))).toEqual({
      headers,
      body: { query: GRAPHQL_QUERY, variables: { after: null } },
    });
    expect(await runner.buildRequest(ctxInput({ cursor: "c-3" }, { env }))).toEqual({
      headers,
      body: { query: GRAPHQL_QUERY, variables: { after: "c-3" } },
    });
  });

  it("2. parseResponse: edges' nodes as events with meta.cursor = endCursor; GraphQL errors throw", async () => {
    runner = await exampleRunner("graphql-parse-response.js", { url });
    expect(
      await runner.parseResponse(ctxInput({}), response({ body: page(["n1", "n2"], "c-2", true) })),
    ).toEqual([
      {
        ts: "2026-01-01T00:00:01Z",
        source: "docs-source",
        event: { id: "n1", createdAt: "2026-01-01T00:00:01Z", action: "read" },
        meta: { cursor: "c-2" },
      },
      {
        ts: "2026-01-01T00:00:02Z",
        source: "docs-source",
        event: { id: "n2", createdAt: "2026-01-01T00:00:02Z", action: "read" },
        meta: { cursor: "c-2" },
      },
    ]);
    expect(await runner.parseResponse(ctxInput({}), response({ body: page([], null, false) }))).toEqual([]);
    const failed = response({ body: { errors: [{ message: "Unauthorized" }], data: null } });
    const error = await rejection(runner.parseResponse(ctxInput({}), failed));
    expect(error.code).toBe("HELR_HOOK_ERROR");
    expect(error.message).toContain('threw Error: GraphQL errors: [{"message":"Unauthorized"}]');
  });

  it("3. getNextPage: the query again with variables.after = endCursor while hasNextPage", async () => {
    runner = await exampleRunner("graphql-get-next-page.js", { url });
    const sent = { url, body: { query: GRAPHQL_QUERY, variables: { after: null } } };
    expect(
      await runner.getNextPage(ctxInput({}), sent, response({ body: page(["n1"], "c-1", true) })),
    ).toEqual({
      body: { query: GRAPHQL_QUERY, variables: { after: "c-1" } },
    });
    expect(
      await runner.getNextPage(ctxInput({}), sent, response({ body: page(["n1"], "c-1", false) })),
    ).toBeNull();
    expect(await runner.getNextPage(ctxInput({}), sent, response({ body: page([], null, true) }))).toBeNull();
  });

  it("4. commitState: the cursor from pagination.lastCursor (= state.cursor), else the stored one, else empty", async () => {
    runner = await exampleRunner("graphql-commit-state.js", { url });
    const events = [
      { ts: "2026-01-01T00:00:01Z", source: "docs-source", event: {}, meta: { cursor: "c-9" } },
    ];
    expect(await runner.commitState(ctxInput({ cursor: "c-1" }), events)).toEqual({ cursor: "c-1" });
    expect(await runner.commitState(ctxInput({}), events)).toEqual({ cursor: "" });
  });

  it("the four parts as one graphql-audit.js page through variables.after in one poll", async () => {
    const parts = [
      "graphql-build-request.js",
      "graphql-parse-response.js",
      "graphql-get-next-page.js",
      "graphql-commit-state.js",
    ];
    const text = parts.map((name) => docExample(name).text).join("\n");
    const { script, problems } = await compileHookScript({ name: "graphql-audit.js", text, language: "js" });
    expect(problems).toEqual([]);
    if (!script) throw new Error("not compiled");
    const env = { API_TOKEN: "gql-1" };
    runner = await runnerOf(script, { url, env });
    const pages: Record<string, JsonValue> = {
      start: page(["n1", "n2"], "c-2", true),
      "c-2": page(["n3"], "c-3", false),
    };
    const api = (body: JsonValue) => {
      const after = (body as { variables: { after: string | null } }).variables.after;
      return { body: pages[after ?? "start"] ?? { errors: [{ message: "unknown cursor" }] } };
    };
    const result = await poll(runner, () => ctxInput({}, { env }), api, url);
    expect(result.bodies).toEqual([
      { query: GRAPHQL_QUERY, variables: { after: null } },
      { query: GRAPHQL_QUERY, variables: { after: "c-2" } },
    ]);
    expect(result.headers.every((h) => h.Authorization === "Bearer gql-1")).toBe(true);
    expect(result.events.map((e) => [(e.event as { id: string }).id, e.meta?.cursor])).toEqual([
      ["n1", "c-2"],
      ["n2", "c-2"],
      ["n3", "c-3"],
    ]);
    // As documented (and as in the Rust Helr), commitState stores ctx.state.cursor back: the page
    // cursors in meta never reach the state, so the next poll starts from the start again.
    expect(result.changes).toEqual({ cursor: "" });
  });
});

describe("hooks/andromeda-audit.js, unchanged", () => {
  const url = "https://api.live.andromedasecurity.com/graphql";
  const sourceHeaders = {
    "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:147.0) Gecko/20100101 Firefox/147.0",
    Referer: "https://app.live.andromedasecurity.com/",
  };
  const PAT = "pat-0123";
  const nodes = Array.from({ length: 120 }, (_, i) => ({
    id: `evt-${120 - i}`,
    type: "AUDIT",
    name: "UserLogin",
    time: new Date(Date.UTC(2026, 0, 1, 0, 120 - i)).toISOString(),
    actor: "ada@example.com",
    level: "INFO",
    subtype: "login",
    eventPrimaryKey: `pk-${120 - i}`,
    __typename: "AndromedaEvent",
  }));
  const login = () =>
    fakeClient((request) =>
      request.url === "https://api.live.andromedasecurity.com/login/access-key" &&
      JSON.parse(request.body ?? "{}").code === PAT
        ? { body: {}, headers: { "Set-Cookie": "DS=sess-1; Path=/; HttpOnly; Secure" } }
        : { status: 401, body: { message: "invalid access key" } },
    );
  const api = (cookie: string) => (body: JsonValue, headers: Record<string, string>) => {
    if (headers.Cookie !== cookie) return { body: { errors: [{ message: "Not authenticated" }] } };
    const { skip, pageSize } = (body as { variables: { pageArgs: { skip: number; pageSize: number } } })
      .variables.pageArgs;
    const edges = nodes.slice(skip, skip + pageSize).map((node) => ({ node, __typename: "Edge" }));
    return { body: { data: { AndromedaEvents: { edges, __typename: "Connection" } } } };
  };
  const skips = (bodies: readonly JsonValue[]) =>
    bodies.map((b) => (b as { variables: { pageArgs: { skip: number } } }).variables.pageArgs.skip);

  it("PAT: getAuth logs in with fetch() (source headers reused), pages by skip, commits skip and watermark", async () => {
    const client = login();
    const env = { ANDROMEDA_PAT: PAT, HOME: "/root" };
    runner = await exampleRunner("andromeda-audit.js", { url, fetch: client.send, env });
    const input = (state: Record<string, string>) => () => ctxInput(state, { env, headers: sourceHeaders });

    const first = await poll(runner, input({}), api("DS=sess-1"), url);
    expect(skips(first.bodies)).toEqual([0, 50, 100]);
    expect(first.events.map((e) => e.meta?.id)).toEqual(nodes.map((n) => n.id));
    expect(first.events[0]).toEqual({
      ts: nodes[0]?.time,
      source: "docs-source",
      event: nodes[0],
      meta: { id: "evt-120" },
    });
    expect(first.changes).toEqual({ skip: "120", watermark: "2026-01-01T00:01:00.000Z" });
    expect((first.bodies[0] as { operationName: string }).operationName).toBe("AndromedaEventsList");
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toMatchObject({
      method: "POST",
      url: "https://api.live.andromedasecurity.com/login/access-key",
      // fetch()'s Headers sends the names in lower case.
      headers: {
        "user-agent": sourceHeaders["User-Agent"],
        referer: sourceHeaders.Referer,
        "content-type": "application/json",
      },
      body: JSON.stringify({ code: PAT }),
    });

    const second = await poll(runner, input(first.changes as Record<string, string>), api("DS=sess-1"), url);
    expect(skips(second.bodies)).toEqual([120]);
    expect(second.events).toEqual([]);
    expect(second.changes).toEqual({ skip: "120", watermark: "2026-01-01T00:01:00.000Z" });
  });

  it("ANDROMEDA_COOKIE: no login; buildRequest sends the cookie itself", async () => {
    const client = login();
    const env = { ANDROMEDA_COOKIE: "DS=browser; DSR=r" };
    runner = await exampleRunner("andromeda-audit.js", { url, fetch: client.send, env });
    const result = await poll(
      runner,
      () => ctxInput({ skip: "100" }, { env }),
      api("DS=browser; DSR=r"),
      url,
    );
    expect(client.sent).toEqual([]);
    expect(skips(result.bodies)).toEqual([100]);
    expect(result.events).toHaveLength(20);
    expect(result.changes).toEqual({ skip: "120", watermark: "2026-01-01T00:01:00.000Z" });
  });

  it("a refused login and a GraphQL error fail the call with the script's own messages", async () => {
    const client = login();
    const env = { ANDROMEDA_PAT: "wrong" };
    runner = await exampleRunner("andromeda-audit.js", { url, fetch: client.send, env });
    const denied = await rejection(runner.getAuth(ctxInput({}, { env })));
    expect(denied.code).toBe("HELR_HOOK_ERROR");
    expect(denied.message).toContain("threw Error: Andromeda login failed: 401");
    const unauthenticated = response({ body: { errors: [{ message: "Not authenticated" }] } }, url);
    const failed = await rejection(runner.parseResponse(ctxInput({}, { env }), unauthenticated));
    expect(failed.message).toContain(
      'threw Error: parseResponse: HTTP 200, GraphQL errors: [{"message":"Not authenticated"}]',
    );
    const html = response({ status: 502, body: "<html>Bad gateway</html>" }, url);
    const notJson = await rejection(runner.parseResponse(ctxInput({}, { env }), html));
    expect(notJson.message).toContain(
      "threw Error: parseResponse: HTTP 502, body is not JSON: <html>Bad gateway</html>",
    );
  });
});

describe("through the poll loop (runtime/engine), unchanged", () => {
  const lines = (text: string) =>
    text
      .split("\n")
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { ts: string; source: string; event: { id?: string; uuid?: string } },
      );
  const header = (request: HttpRequest, name: string) =>
    Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  let bound: BoundSource | undefined;
  afterEach(async () => {
    if (bound) await closeHookRunners([bound]);
    bound = undefined;
  });

  it("hooks/andromeda-audit.js backfills by skip with the PAT login, and the next poll resumes", async () => {
    const url = "https://api.live.andromedasecurity.com/graphql";
    const nodes = Array.from({ length: 70 }, (_, i) => ({
      id: `evt-${i}`,
      time: `2026-01-01T00:${String(i).padStart(2, "0")}:00Z`,
    }));
    const client = fakeClient((request) => {
      if (request.url.endsWith("/login/access-key")) {
        return JSON.parse(request.body ?? "{}").code === "pat-1"
          ? { body: {}, headers: { "set-cookie": "DS=s1; Path=/; Secure" } }
          : { status: 401, body: {} };
      }
      if (header(request, "cookie") !== "DS=s1")
        return { body: { errors: [{ message: "Not authenticated" }] } };
      const { skip, pageSize } = JSON.parse(request.body ?? "{}").variables.pageArgs;
      const edges = nodes.slice(skip, skip + pageSize).map((node) => ({ node }));
      return { body: { data: { AndromedaEvents: { edges } } } };
    });
    const script = await compiledExample("andromeda-audit.js", true);
    const spec = sourceSpec(
      { strategy: "single" },
      {
        id: "andromeda-audit",
        url,
        method: "post",
        headers: { "User-Agent": "Mozilla/5.0 test" },
        hooks: { allowHosts: [], script, settings: hookSettings(true) },
      },
    );
    bound = defineSource(spec, { pagination: singleRequest, hooks: hookScript });
    const store = await memoryStore({ path: "" });
    const sink = textSink();
    const deps = pollDeps({ store, sink, http: client.send, env: { ANDROMEDA_PAT: "pat-1" } });

    await pollSource(bound, deps);
    expect(lines(sink.text).map((l) => l.event.id)).toEqual(nodes.map((n) => n.id));
    expect(lines(sink.text)[69]).toMatchObject({ ts: "2026-01-01T00:69:00Z", source: "andromeda-audit" });
    expect(await store.read("andromeda-audit")).toMatchObject({
      skip: "70",
      watermark: "2026-01-01T00:69:00Z",
    });
    const graphql = client.sent.filter((r) => r.url === url);
    expect(graphql.map((r) => JSON.parse(r.body ?? "{}").variables.pageArgs.skip)).toEqual([0, 50]);
    expect(client.sent.filter((r) => r.url.endsWith("/login/access-key"))).toHaveLength(1);

    sink.text = "";
    client.sent.length = 0;
    await pollSource(bound, deps);
    expect(sink.text).toBe("");
    expect(
      client.sent.filter((r) => r.url === url).map((r) => JSON.parse(r.body ?? "{}").variables.pageArgs.skip),
    ).toEqual([70]);
    expect(await store.read("andromeda-audit")).toMatchObject({
      skip: "70",
      watermark: "2026-01-01T00:69:00Z",
    });
  });

  it("docs/hooks.md's Okta script pages by the Link header and stores the watermark", async () => {
    const url = "https://example.okta.com/api/v1/logs";
    const all = Array.from({ length: 5 }, (_, i) => ({
      uuid: `u${i}`,
      published: `2026-01-02T00:00:0${i}Z`,
    }));
    const client = fakeClient((request) => {
      const at = Number(new URL(request.url).searchParams.get("after") ?? 0);
      const items = all.slice(at, at + 2);
      const next = at + 2 < all.length ? { link: `<${url}?after=${at + 2}>; rel="next"` } : {};
      return header(request, "authorization") === "SSWS ssws-1"
        ? { body: { items }, headers: next }
        : { status: 401, body: { errorCode: "E0000011" } };
    });
    const script = await compiledExample("okta.js", false);
    const spec = sourceSpec(
      { strategy: "single" },
      {
        id: "okta",
        url,
        from: { param: "since", value: "2026-01-01T00:00:00Z" },
        hooks: { allowHosts: [], script, settings: hookSettings(false) },
      },
    );
    bound = defineSource(spec, { pagination: singleRequest, hooks: hookScript });
    const store = await memoryStore({ path: "" });
    const sink = textSink();
    await pollSource(bound, pollDeps({ store, sink, http: client.send, env: { OKTA_TOKEN: "ssws-1" } }));
    expect(lines(sink.text).map((l) => [l.event.uuid, l.ts])).toEqual(all.map((e) => [e.uuid, e.published]));
    expect(client.sent.map((r) => r.url)).toEqual([
      `${url}?since=2026-01-01T00%3A00%3A00Z&limit=1000`,
      `${url}?after=2&since=2026-01-01T00%3A00%3A00Z&limit=1000`,
      `${url}?after=4&since=2026-01-01T00%3A00%3A00Z&limit=1000`,
    ]);
    expect(await store.read("okta")).toMatchObject({ watermark: "2026-01-02T00:00:04Z" });
  });
});
