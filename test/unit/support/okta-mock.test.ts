import { get } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  type OktaLogEvent,
  type OktaMock,
  type OktaMockOptions,
  startOktaMock,
} from "../../support/okta-mock.ts";

interface RawResponse {
  status: number;
  /** Header name (lowercased) → every value, one per header line. */
  lines: Map<string, string[]>;
  body: unknown;
}

let mock: OktaMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: OktaMockOptions = {}): Promise<OktaMock> {
  mock = await startOktaMock(options);
  return mock;
}

/** GET through node:http, so repeated header lines stay visible (fetch would join them). */
function rawGet(url: string, authorization?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = authorization === undefined ? {} : { authorization };
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const lines = new Map<string, string[]>();
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = (res.rawHeaders[i] ?? "").toLowerCase();
          lines.set(name, [...(lines.get(name) ?? []), res.rawHeaders[i + 1] ?? ""]);
        }
        resolve({
          status: res.statusCode ?? 0,
          lines,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
      });
    }).on("error", reject);
  });
}

const auth = (m: OktaMock): string => `SSWS ${m.token}`;

/** rel → URL, from every `link` header line (each line may hold several comma-joined links). */
function links(res: RawResponse): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.lines.get("link") ?? []) {
    for (const match of line.matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)) out.set(match[2] ?? "", match[1] ?? "");
  }
  return out;
}

function nextUrl(m: OktaMock, res: RawResponse): string {
  const next = links(res).get("next");
  if (next === undefined) throw new Error("expected a next link");
  return new URL(next, m.url).toString();
}

const uuids = (body: unknown): string[] => (body as OktaLogEvent[]).map((event) => event.uuid);

describe("okta mock: auth", () => {
  it("answers 401 E0000011 without a token, with another scheme, or with a wrong token", async () => {
    const m = await start({ events: 2 });
    for (const authorization of [undefined, `Bearer ${m.token}`, "SSWS wrong"]) {
      const res = await rawGet(m.logsUrl, authorization);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        errorCode: "E0000011",
        errorSummary: "Invalid token provided",
        errorCauses: [],
      });
      expect((res.body as { errorId: string }).errorId).toMatch(/^oae/);
    }
    const ok = await rawGet(m.logsUrl, auth(m));
    expect(ok.status).toBe(200);
    expect(uuids(ok.body)).toHaveLength(2);
    expect(m.requests.map((r) => r.status)).toEqual([401, 401, 401, 200]);
    expect(ok.lines.get("x-okta-request-id")?.[0]).toMatch(/^[A-Za-z0-9]{27}$/);
  });
});

describe("okta mock: polling pages", () => {
  it("walks every event once, then keeps returning [] with a next link to the same cursor", async () => {
    const m = await start({ events: 5 });
    const seen: string[] = [];
    let url = `${m.logsUrl}?limit=2`;
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await rawGet(url, auth(m));
      sizes.push(uuids(res.body).length);
      seen.push(...uuids(res.body));
      url = nextUrl(m, res);
    }
    expect(sizes).toEqual([2, 2, 1, 0]);
    expect(seen).toEqual(m.events.map((e) => e.uuid));
    expect(new URL(url).searchParams.get("after")).toBe(m.events[4]?.uuid);
    expect(new URL(url).searchParams.get("limit")).toBe("2");

    const empty = await rawGet(url, auth(m));
    expect(empty.body).toEqual([]);
    expect(nextUrl(m, empty)).toBe(url);

    const added = m.addEvents(3);
    const fresh = await rawGet(url, auth(m));
    expect(uuids(fresh.body)).toEqual(added.slice(0, 2).map((e) => e.uuid));
  });

  it("starts a polling query at since and drops since from the next link", async () => {
    const m = await start({ events: 4, now: () => Date.parse("2024-05-22T00:00:00Z") });
    const since = m.events[2]?.published ?? "";
    const res = await rawGet(`${m.logsUrl}?since=${encodeURIComponent(since)}&limit=10`, auth(m));
    expect(uuids(res.body)).toEqual(m.events.slice(2).map((e) => e.uuid));
    const next = new URL(nextUrl(m, res));
    expect(next.searchParams.has("since")).toBe(false);
    expect(next.searchParams.get("after")).toBe(m.events[3]?.uuid);
  });

  it("gives a next link on an empty log, and later events show up behind it", async () => {
    const m = await start();
    const first = await rawGet(m.logsUrl, auth(m));
    expect(first.body).toEqual([]);
    const next = nextUrl(m, first);
    const [event] = m.addEvents(1);
    const second = await rawGet(next, auth(m));
    expect(uuids(second.body)).toEqual([event?.uuid]);
  });

  it("uses a default limit of 100 and caps it at 1000", async () => {
    const m = await start({ events: 1005 });
    expect(uuids((await rawGet(m.logsUrl, auth(m))).body)).toHaveLength(100);
    expect(uuids((await rawGet(`${m.logsUrl}?limit=5000`, auth(m))).body)).toHaveLength(1000);
  });
});

describe("okta mock: link headers", () => {
  it("sends self and next as two separate link header lines with absolute URLs", async () => {
    const m = await start({ events: 1 });
    const res = await rawGet(`${m.logsUrl}?limit=1`, auth(m));
    const lines = res.lines.get("link") ?? [];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`<${m.logsUrl}?limit=1>; rel="self"`);
    expect(lines[1]).toBe(`<${m.logsUrl}?limit=1&after=${m.events[0]?.uuid}>; rel="next"`);
  });

  it("can join both links into one header and make them relative", async () => {
    const m = await start({ events: 1, linkHeader: "joined", absoluteLinks: false });
    const res = await rawGet(`${m.logsUrl}?limit=1`, auth(m));
    expect(res.lines.get("link")).toEqual([
      `</api/v1/logs?limit=1>; rel="self", </api/v1/logs?limit=1&after=${m.events[0]?.uuid}>; rel="next"`,
    ]);
  });
});

describe("okta mock: bounded queries", () => {
  it("sorts by published within [since, until) and ends without a next link", async () => {
    const m = await start({ events: 4, now: () => Date.parse("2024-05-22T00:00:00Z") });
    const first0 = m.events[0] as OktaLogEvent;
    const published = new Date(Date.parse(first0.published) + 1).toISOString();
    m.addEvents([{ ...first0, uuid: "late-arrival", published }]);
    const query = "since=2024-05-21T12:00:00Z&until=2024-05-21T14:00:00Z&limit=3";
    const first = await rawGet(`${m.logsUrl}?${query}`, auth(m));
    expect(uuids(first.body)).toEqual([m.events[0]?.uuid, "late-arrival", m.events[1]?.uuid]);
    const next = nextUrl(m, first);
    expect(new URL(next).searchParams.has("since")).toBe(false);
    const second = await rawGet(next, auth(m));
    expect(uuids(second.body)).toEqual([m.events[2]?.uuid, m.events[3]?.uuid]);
    expect(links(second).has("next")).toBe(false);
    expect(links(second).has("self")).toBe(true);
  });
});

describe("okta mock: errors", () => {
  it("rejects since together with after: 400 E0000053", async () => {
    const m = await start({ events: 1, now: () => Date.parse("2024-05-22T00:00:00Z") });
    const res = await rawGet(`${m.logsUrl}?since=2024-05-21T00:00:00Z&after=${m.events[0]?.uuid}`, auth(m));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errorCode: "E0000053" });
  });

  it("rejects a bad date (E0000001), a since over 180 days old (E0000053), a bad limit and cursor", async () => {
    const m = await start({ now: () => Date.parse("2025-01-01T00:00:00Z") });
    const cases: [string, string][] = [
      ["since=yesterday", "E0000001"],
      ["since=2024-01-01T00:00:00Z", "E0000053"],
      ["limit=-1", "E0000001"],
      ["sortOrder=UP", "E0000001"],
      ["after=not-a-cursor", "E0000001"],
    ];
    for (const [query, code] of cases) {
      const res = await rawGet(`${m.logsUrl}?${query}`, auth(m));
      expect([query, res.status, (res.body as { errorCode: string }).errorCode]).toEqual([query, 400, code]);
    }
  });

  it("answers 500 E0000009 for injected failures, then recovers", async () => {
    const m = await start();
    m.failNext(1);
    expect((await rawGet(m.logsUrl, auth(m))).status).toBe(500);
    expect((await rawGet(m.logsUrl, auth(m))).status).toBe(200);
  });
});

describe("okta mock: rate limits", () => {
  it("sends X-Rate-Limit-* on every response, counting down", async () => {
    const nowMs = Date.parse("2024-05-22T00:00:00Z");
    const m = await start({ now: () => nowMs, rateLimit: { limit: 10, windowSecs: 60 } });
    const a = await rawGet(m.logsUrl, auth(m));
    const b = await rawGet(m.logsUrl, auth(m));
    expect(a.lines.get("x-rate-limit-limit")).toEqual(["10"]);
    expect(a.lines.get("x-rate-limit-remaining")).toEqual(["9"]);
    expect(b.lines.get("x-rate-limit-remaining")).toEqual(["8"]);
    expect(a.lines.get("x-rate-limit-reset")).toEqual([String(nowMs / 1000 + 60)]);
  });

  it("answers 429 E0000047 with only X-Rate-Limit-Reset when the limit is enforced", async () => {
    let nowMs = Date.parse("2024-05-22T00:00:00Z");
    const m = await start({ now: () => nowMs, rateLimit: { limit: 2, windowSecs: 60, enforce: true } });
    expect((await rawGet(m.logsUrl, auth(m))).status).toBe(200);
    expect((await rawGet(m.logsUrl, auth(m))).status).toBe(200);
    const limited = await rawGet(m.logsUrl, auth(m));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ errorCode: "E0000047", errorCauses: [] });
    expect(limited.lines.get("x-rate-limit-reset")).toEqual([String(nowMs / 1000 + 60)]);
    expect(limited.lines.has("x-rate-limit-limit")).toBe(false);
    expect(limited.lines.has("x-rate-limit-remaining")).toBe(false);
    expect(limited.lines.has("retry-after")).toBe(false);
    nowMs += 60_000;
    expect((await rawGet(m.logsUrl, auth(m))).status).toBe(200);
  });

  it("rate-limits the next requests on demand", async () => {
    const m = await start();
    m.rateLimitNext(2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawGet(m.logsUrl, auth(m))).status);
    expect(statuses).toEqual([429, 429, 200]);
  });
});

describe("okta mock: events", () => {
  it("generates the same realistic events for the same seed, in Okta's key order", async () => {
    const a = await startOktaMock({ events: 20, seed: 7 });
    const b = await startOktaMock({ events: 20, seed: 7 });
    const c = await startOktaMock({ events: 20, seed: 8 });
    try {
      const body = (await rawGet(a.logsUrl, auth(a))).body as OktaLogEvent[];
      expect(body).toEqual(b.events);
      expect(uuids(body)).not.toEqual(c.events.map((e) => e.uuid));
      expect(new Set(uuids(body)).size).toBe(20);
      expect(new Set(body.map((e) => e.eventType)).size).toBeGreaterThan(4);
      const first = body[0] as OktaLogEvent;
      expect(Object.keys(first).slice(0, 5)).toEqual([
        "uuid",
        "published",
        "eventType",
        "version",
        "severity",
      ]);
      expect(first.published).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(first).toHaveProperty("actor.alternateId");
      expect(first).toHaveProperty("client.geographicalContext.country");
      expect(first).toHaveProperty("outcome.result");
      expect(first).toHaveProperty("debugContext.debugData.requestId");
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
