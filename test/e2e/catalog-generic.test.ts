/**
 * The generic catalog templates, built unchanged and run against a plain JSON API (issue 7):
 * sources/generic-link-header.yaml (an array plus a `Link` header) and sources/generic-cursor.yaml
 * (`{"data": [...], "next_cursor": …}`). Each: every event exactly once across runs, the second run
 * resumes (the stored link, or the high-water mark minus the overlap), a 429 is waited out for its
 * `Retry-After`, and a bad token names the source, the status and the API's message. Also: the
 * catalog as a whole compiles, YAML and `.helr` apart, and every source has a twin with the same IR.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/bundle.ts";
import {
  arrivalTimes,
  buildCatalogSource,
  type CatalogBundle,
  type CatalogPki,
  type CatalogRun,
  catalogIr,
  catalogPki,
} from "../support/catalog.ts";
import { decodeToken, encodeToken, intParam, parseRfc3339 } from "../support/mocks/codec.ts";
import { Countdown } from "../support/mocks/countdown.ts";
import {
  type MockReply,
  type MockRequest,
  type MockServer,
  type MockTls,
  type RecordedRequest,
  serveMock,
} from "../support/mocks/http-mock.ts";

// ── A generic audit-event API ───────────────────────────────────────────────────────────────

interface AuditEvent {
  readonly id: string;
  readonly created_at: string;
  readonly type: string;
  readonly actor: string;
  readonly message: string;
}

interface GenericApi extends MockServer {
  readonly events: readonly AuditEvent[];
  addEvents(count: number): AuditEvent[];
  /** The next request gets 429 with `Retry-After: secs`. */
  rateLimitNext(secs: number): void;
  /** Every page token issued so far is answered with 410 Gone. */
  expireTokens(): void;
}

const PATH = "/api/v1/audit-events";
const TYPES = ["user.login", "user.logout", "role.grant", "apikey.create", "policy.update"] as const;

/**
 * `GET /api/v1/audit-events?limit&since&<token>`: events with `created_at >= since`, oldest first.
 * `link` style: a top-level array and a `Link` next header (`page_token`), none on the last page;
 * `cursor` style: `{"data": [...], "next_cursor": "…" | null}` (`cursor`).
 */
async function startGenericApi(
  style: "link" | "cursor",
  options: { tls: MockTls; token: string; events: number; startMs: number },
): Promise<GenericApi> {
  const log: AuditEvent[] = [];
  const limited = new Countdown<number>();
  let generation = 0;
  let requests = 0;
  const addEvents = (count: number): AuditEvent[] => {
    const added = Array.from({ length: count }, (_, i) => {
      const n = log.length + i;
      return {
        id: `evt_${String(n).padStart(6, "0")}`,
        created_at: new Date(options.startMs + n * 1500).toISOString(),
        type: TYPES[n % TYPES.length] ?? "user.login",
        actor: `user${n % 7}@example.com`,
        message: `${TYPES[n % TYPES.length]} by user${n % 7}`,
      };
    });
    log.push(...added);
    return added;
  };
  addEvents(options.events);
  const fail = (status: number, error: string, message: string, headers = {}): MockReply => ({
    status,
    body: { error, message },
    headers,
  });
  const tokenParam = style === "link" ? "page_token" : "cursor";
  const isToken = (v: unknown): v is [number, string] =>
    Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "string";

  function answer({ url, headers }: MockRequest): MockReply {
    if (url.pathname !== PATH) return fail(404, "not_found", `No route for ${url.pathname}`);
    if (headers.authorization !== `Bearer ${options.token}`)
      return fail(401, "invalid_token", "The access token is invalid or has been revoked.");
    const wait = limited.take();
    if (wait !== undefined)
      return fail(429, "rate_limited", "Too many requests.", { "retry-after": String(wait) });
    const limit = intParam(url.searchParams.get("limit") ?? "50", 1, 100);
    if (limit === undefined) return fail(400, "invalid_request", "limit must be 1 to 100");
    const sinceText = url.searchParams.get("since");
    const since = sinceText === null ? 0 : parseRfc3339(sinceText);
    if (since === undefined) return fail(400, "invalid_request", "since must be an RFC 3339 time");
    const matching = log.filter((e) => Date.parse(e.created_at) >= since);
    let start = 0;
    const tokenText = url.searchParams.get(tokenParam);
    if (tokenText !== null) {
      const token = decodeToken(tokenText, isToken);
      if (token !== undefined && token[0] < generation)
        return fail(410, "cursor_expired", "The cursor has expired.");
      const index = token === undefined ? -1 : matching.findIndex((e) => e.id === token[1]);
      if (index < 0) return fail(400, "invalid_request", "Unknown cursor.");
      start = index + 1;
    }
    const page = matching.slice(start, start + limit);
    const last = page.at(-1);
    const next =
      last !== undefined && start + limit < matching.length ? encodeToken([generation, last.id]) : undefined;
    if (style === "cursor") return { status: 200, body: { data: page, next_cursor: next ?? null } };
    if (next === undefined) return { status: 200, body: page };
    const params = new URLSearchParams(url.searchParams);
    params.set(tokenParam, next);
    return { status: 200, body: page, headers: { link: `<${url.origin}${PATH}?${params}>; rel="next"` } };
  }

  const server = await serveMock(
    { tls: options.tls, requestId: () => `req_${++requests}`, requestIdHeader: "x-request-id" },
    answer,
  );
  return {
    ...server,
    events: log,
    addEvents,
    rateLimitNext: (secs) => limited.arm(1, secs),
    expireTokens: () => {
      generation++;
    },
  };
}

// ── The tests ────────────────────────────────────────────────────────────────────────────────

const TOKEN = "evt_live_helrE2eGenericToken42";
const HOUR = 3_600_000;
let pki: CatalogPki;
beforeAll(() => {
  pki = catalogPki();
});
afterAll(() => pki?.cleanup());

const ids = (run: CatalogRun) => run.lines.map((line) => line.event.id);
const queryOf = (url: string | undefined) => Object.fromEntries(new URL(url ?? "").searchParams);
/** How the runtime writes an `rfc3339` watermark: milliseconds only when there are some. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

describe("the catalog", () => {
  const files = (dir: string, ext: RegExp) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => ext.test(name))
      .map((name) => `${dir}/${name}`);
  const yaml = files("sources", /\.ya?ml$/);
  const helr = files("sources-helr", /\.helr$/);

  it("compiles, YAML files together and .helr files together, with no diagnostics under --strict", () => {
    expect(catalogIr(...yaml).diagnostics).toEqual([]);
    expect(catalogIr(...helr).diagnostics).toEqual([]);
  });

  it("has a .helr twin with the same IR for every YAML source (the demo's twin is docs/examples/demo.helr)", () => {
    const twins = yaml.filter((file) => !file.endsWith("/demo.yaml"));
    expect(helr.map((file) => file.replace(/^sources-helr\/(.*)\.helr$/, "$1")).sort()).toEqual(
      twins.map((file) => file.replace(/^sources\/(.*)\.ya?ml$/, "$1")).sort(),
    );
    for (const file of twins) {
      const twin = file.replace(/^sources\/(.*)\.ya?ml$/, "sources-helr/$1.helr");
      expect(catalogIr(twin), twin).toEqual(catalogIr(file));
    }
  });
});

describe.each(["generic-link-header", "generic-cursor"])("%s", (name) => {
  it("is shown verbatim, in both forms, in docs/integrations/generic.md", () => {
    const guide = readFileSync(join(ROOT, "docs/integrations/generic.md"), "utf8");
    for (const [file, language] of [
      [`sources/${name}.yaml`, "yaml"],
      [`sources-helr/${name}.helr`, "helr"],
    ])
      expect(guide).toContain(`\`\`\`${language}\n${readFileSync(join(ROOT, file ?? ""), "utf8")}\`\`\``);
  });
});

describe("generic-link-header", () => {
  const ID = "generic-link-header";
  let api: GenericApi;
  let bundle: CatalogBundle;
  let arrival: (request: RecordedRequest) => number;
  const env = (extra: Record<string, string> = {}) => ({
    EVENTS_API_HOST: new URL(api.url).host,
    EVENTS_API_TOKEN: TOKEN,
    ...extra,
  });

  beforeAll(async () => {
    api = await startGenericApi("link", {
      tls: pki.tls,
      token: TOKEN,
      events: 250,
      startMs: Date.now() - HOUR,
    });
    arrival = arrivalTimes(api.requests);
    bundle = await buildCatalogSource("sources/generic-link-header.yaml", pki);
  });
  afterAll(async () => {
    bundle?.remove();
    await api?.close();
  });

  it("follows next links to the end and keeps the last page's URL; no EVENTS_SINCE sends no `since`", async () => {
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(api.events.map((e) => e.id));
    expect(run.lines[0]).toMatchObject({
      ts: api.events[0]?.created_at,
      meta: { id: "evt_000000", message: api.events[0]?.message },
    });
    expect(api.requests.map((r) => Object.keys(r.query))).toEqual([
      ["limit"],
      ["limit", "page_token"],
      ["limit", "page_token"],
    ]);
    const state = (await bundle.state())[ID];
    expect(queryOf(state?.next_url)).toEqual(api.requests[2]?.query);
    expect(state?.watermark).toBe(api.events.at(-1)?.created_at);
  });

  it("re-reads the kept page after waiting out Retry-After, and writes only the new events", async () => {
    const stored = (await bundle.state())[ID]?.next_url;
    const added = api.addEvents(12);
    api.rateLimitNext(2);
    const before = api.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(added.map((e) => e.id));
    const [limited, retry, ...rest] = api.requests.slice(before);
    expect(rest).toEqual([]);
    expect(limited?.status).toBe(429);
    expect(limited?.query).toEqual(queryOf(stored));
    expect(retry?.query).toEqual(limited?.query);
    expect(retry && limited && arrival(retry) - arrival(limited)).toBeGreaterThanOrEqual(2000);
  });

  it("drops an expired link (410) and starts again from the high-water mark minus the overlap, deduplicated", async () => {
    const mark = (await bundle.state())[ID]?.watermark;
    api.expireTokens();
    const added = api.addEvents(3);
    const before = api.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(added.map((e) => e.id));
    const [expired, fresh] = api.requests.slice(before);
    expect(expired?.status).toBe(410);
    expect(fresh?.query).toEqual({ limit: "100", since: rfc3339(Date.parse(mark ?? "") - 60_000) });
    expect((await bundle.state())[ID]?.watermark).toBe(added.at(-1)?.created_at);
  });

  it("names the source, the 401 and the API's message for a bad token", async () => {
    const run = await bundle.run(["run", "--once"], env({ EVENTS_API_TOKEN: "evt_live_revoked" }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/generic-link-header: FAILED/);
    expect(run.stderr).toMatch(
      /source "generic-link-header": GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/audit-events\?\S* returned HTTP 401: \{"error":"invalid_token","message":"The access token is invalid or has been revoked\."\}/,
    );
  });
});

describe("generic-cursor", () => {
  const ID = "generic-cursor";
  let api: GenericApi;
  let bundle: CatalogBundle;
  let arrival: (request: RecordedRequest) => number;
  const env = (extra: Record<string, string> = {}) => ({
    EVENTS_API_HOST: new URL(api.url).host,
    EVENTS_API_TOKEN: TOKEN,
    ...extra,
  });

  beforeAll(async () => {
    api = await startGenericApi("cursor", {
      tls: pki.tls,
      token: TOKEN,
      events: 250,
      startMs: Date.now() - HOUR,
    });
    arrival = arrivalTimes(api.requests);
    bundle = await buildCatalogSource("sources/generic-cursor.yaml", pki);
  });
  afterAll(async () => {
    bundle?.remove();
    await api?.close();
  });

  it("starts at EVENTS_SINCE and repeats the first request's parameters on every cursor page", async () => {
    const since = api.events[10]?.created_at ?? "";
    const run = await bundle.run(["run", "--once"], env({ EVENTS_SINCE: since }));
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(api.events.slice(10).map((e) => e.id));
    expect(
      api.requests.map((r) => ({ ...r.query, cursor: r.query.cursor === undefined ? "-" : "…" })),
    ).toEqual([
      { limit: "100", since, cursor: "-" },
      { limit: "100", since, cursor: "…" },
      { limit: "100", since, cursor: "…" },
    ]);
    const state = (await bundle.state())[ID];
    expect(state?.cursor).toBeUndefined();
    expect(state?.watermark).toBe(api.events.at(-1)?.created_at);
  });

  it("starts the next pass from the mark minus the overlap, waits out Retry-After, and writes only new events", async () => {
    const mark = (await bundle.state())[ID]?.watermark;
    const added = api.addEvents(8);
    api.rateLimitNext(2);
    const before = api.requests.length;
    const run = await bundle.run(["run", "--once"], env({ EVENTS_SINCE: api.events[0]?.created_at ?? "" }));
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(added.map((e) => e.id));
    const [limited, retry, ...rest] = api.requests.slice(before);
    expect(rest).toEqual([]);
    // The stored mark wins over EVENTS_SINCE: the position resumed.
    expect(limited?.query).toEqual({ limit: "100", since: rfc3339(Date.parse(mark ?? "") - 60_000) });
    expect(limited?.status).toBe(429);
    expect(retry?.query).toEqual(limited?.query);
    expect(retry && limited && arrival(retry) - arrival(limited)).toBeGreaterThanOrEqual(2000);
  });

  it("writes nothing twice when nothing is new", async () => {
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines).toEqual([]);
  });

  it("names the source, the 401 and the API's message for a bad token", async () => {
    const run = await bundle.run(["run", "--once"], env({ EVENTS_API_TOKEN: "evt_live_revoked" }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /source "generic-cursor": GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/audit-events\?\S* returned HTTP 401: \{"error":"invalid_token"/,
    );
  });
});
