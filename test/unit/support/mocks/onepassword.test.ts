import { afterEach, describe, expect, it } from "vitest";
import {
  type OnePasswordItem,
  type OnePasswordMock,
  type OnePasswordMockOptions,
  startOnePasswordMock,
} from "../../../support/mocks/onepassword-mock.ts";
import { type CallResult, call } from "./http-client.ts";

let mock: OnePasswordMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: OnePasswordMockOptions = {}): Promise<OnePasswordMock> {
  mock = await startOnePasswordMock(options);
  return mock;
}

interface Page {
  cursor: string;
  has_more: boolean;
  items: OnePasswordItem[];
}

const START = "2024-05-21T12:59:00Z";
const post = (m: OnePasswordMock, path: string, body: unknown, token = m.token): Promise<CallResult> =>
  call(`${m.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
const page = async (m: OnePasswordMock, path: string, body: unknown): Promise<Page> => {
  const result = await post(m, path, body);
  expect(result.status).toBe(200);
  return result.body as Page;
};
const uuids = (items: readonly OnePasswordItem[]): string[] => items.map((i) => i.uuid);

describe("1password mock: auth", () => {
  it("wants the Bearer JWT and answers 401 in the Error envelope otherwise", async () => {
    const m = await start();
    expect(m.token.split(".")).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(m.token.split(".")[1] ?? "", "base64url").toString()) as {
      aud: string[];
    };
    expect(claims.aud).toEqual(["events.1password.com"]);
    const missing = await call(`${m.url}/api/v1/auditevents`, { method: "POST", body: {} });
    expect([missing.status, missing.body]).toEqual([401, { Error: { Code: 401, Message: "Unauthorized" } }]);
    expect((await post(m, "/api/v1/auditevents", {}, "not-the-token")).status).toBe(401);
    expect((await post(m, "/api/v1/auditevents", {})).status).toBe(200);
  });

  it("answers 401 for an endpoint the token has no feature for, and introspect lists the features", async () => {
    const m = await start({ features: ["signinattempts"] });
    expect((await post(m, "/api/v1/auditevents", {})).status).toBe(401);
    expect((await post(m, "/api/v2/signinattempts", {})).status).toBe(200);
    const introspect = await call(`${m.url}/api/v2/auth/introspect`, {
      headers: { authorization: `Bearer ${m.token}` },
    });
    expect(introspect.body).toMatchObject({ Features: ["signinattempts"], IssuedAt: "2024-05-21T13:00:00Z" });
  });
});

describe("1password mock: cursors", () => {
  it("pages with has_more, then echoes the cursor when nothing is new, and resumes from it later", async () => {
    const m = await start({ events: 12 });
    const first = await page(m, "/api/v2/auditevents", { limit: 5, start_time: START });
    const second = await page(m, "/api/v2/auditevents", { cursor: first.cursor });
    const third = await page(m, "/api/v2/auditevents", { cursor: second.cursor });
    expect([first, second, third].map((p) => [p.items.length, p.has_more])).toEqual([
      [5, true],
      [5, true],
      [2, false],
    ]);
    expect([first, second, third].flatMap((p) => uuids(p.items))).toEqual(uuids(m.events.auditevents));
    const idle = await page(m, "/api/v2/auditevents", { cursor: third.cursor });
    expect(idle).toEqual({ cursor: third.cursor, has_more: false, items: [] });
    const added = m.addEvents(3);
    const later = await page(m, "/api/v2/auditevents", { cursor: idle.cursor });
    expect(uuids(later.items)).toEqual(uuids(added));
    expect(later.cursor).not.toBe(idle.cursor);
  });

  it("follows has_more: true with an empty page when the log ends on a page boundary", async () => {
    const m = await start({ events: 10 });
    const a = await page(m, "/api/v1/signinattempts", { limit: 5, start_time: START });
    const b = await page(m, "/api/v1/signinattempts", { cursor: a.cursor });
    const c = await page(m, "/api/v1/signinattempts", { cursor: b.cursor });
    expect([a.has_more, b.has_more, c.has_more, c.items.length]).toEqual([true, true, false, 0]);
    expect(c.cursor).toBe(b.cursor);
  });

  it("defaults to the last hour, and honours start_time and an exclusive end_time", async () => {
    const startMs = Date.parse("2024-05-21T13:00:00Z");
    let nowMs = startMs + 2 * 3_600_000;
    const m = await start({ events: 20, now: () => nowMs });
    expect((await page(m, "/api/v1/itemusages", {})).items).toEqual([]);
    nowMs = startMs + 1_800_000;
    expect((await page(m, "/api/v1/itemusages", {})).items).toHaveLength(20);
    const items = m.events.itemusages;
    const from = items[5]?.timestamp ?? "";
    const to = items[15]?.timestamp ?? "";
    const window = await page(m, "/api/v1/itemusages", { start_time: from, end_time: to, limit: 100 });
    const inside = items.filter((i) => i.timestamp >= from && i.timestamp < to);
    expect(uuids(window.items)).toEqual(uuids(inside));
  });

  it("keeps streams apart: a cursor of one stream is invalid on another", async () => {
    const m = await start({ events: 2 });
    const audit = await page(m, "/api/v2/auditevents", { start_time: START });
    const crossed = await post(m, "/api/v2/itemusages", { cursor: audit.cursor });
    expect([crossed.status, crossed.body]).toEqual([
      400,
      { Error: { Code: 400, Message: "Invalid cursor" } },
    ]);
  });

  it("rejects bad bodies with 400", async () => {
    const m = await start();
    const bodies: unknown[] = [
      "{not json",
      { limit: 0 },
      { limit: 1001 },
      { limit: 2.5 },
      { start_time: "yesterday" },
      { start_time: "2024-05-21T14:00:00Z", end_time: "2024-05-21T13:00:00Z" },
      { cursor: "bogus" },
      [1, 2],
    ];
    for (const body of bodies) {
      const result = await post(m, "/api/v1/auditevents", body);
      expect([JSON.stringify(body), result.status]).toEqual([JSON.stringify(body), 400]);
      expect((result.body as { Error: { Message: string } }).Error.Message).toEqual(expect.any(String));
    }
    expect((await post(m, "/api/v1/auditevents", { limit: 1000 })).status).toBe(200);
  });

  it("answers 404 to GET on an events endpoint and to unknown paths", async () => {
    const m = await start();
    expect(
      (await call(`${m.url}/api/v1/auditevents`, { headers: { authorization: `Bearer ${m.token}` } })).status,
    ).toBe(404);
    expect((await post(m, "/api/v3/auditevents", {})).status).toBe(404);
  });
});

describe("1password mock: rate limits and failures", () => {
  it("answers 429 with no retry hint, and 5xx on demand", async () => {
    const m = await start();
    m.rateLimitNext(1);
    const limited = await post(m, "/api/v1/auditevents", {});
    expect([limited.status, limited.body]).toEqual([
      429,
      { Error: { Code: 429, Message: "Too Many Requests" } },
    ]);
    expect([...limited.lines.keys()].filter((h) => /retry|rate|reset/.test(h))).toEqual([]);
    m.failNext(1);
    expect((await post(m, "/api/v1/auditevents", {})).status).toBe(500);
    expect((await post(m, "/api/v1/auditevents", {})).status).toBe(200);
  });
});

describe("1password mock: items", () => {
  it("generates realistic items per stream, v1 without account_uuid, the same for a seed", async () => {
    const m = await start({ events: 8, seed: 9 });
    const again = await startOnePasswordMock({ events: 8, seed: 9 });
    await again.close();
    expect(again.events).toEqual(m.events);
    const [audit] = m.events.auditevents;
    expect(Object.keys(audit ?? {}).slice(0, 6)).toEqual([
      "uuid",
      "timestamp",
      "actor_uuid",
      "actor_details",
      "action",
      "object_type",
    ]);
    expect(audit?.uuid).toMatch(/^[A-Z2-7]{26}$/);
    expect(audit?.timestamp).toBe("2024-05-21T13:00:00Z");
    expect(m.events.signinattempts[0]).toHaveProperty("category");
    expect(m.events.itemusages[0]).toHaveProperty("item_uuid");
    const v1 = await page(m, "/api/v1/auditevents", { start_time: START });
    const v2 = await page(m, "/api/v2/auditevents", { start_time: START });
    expect(v1.items[0]).not.toHaveProperty("account_uuid");
    expect(v2.items[0]).toHaveProperty("account_uuid", "VZSYVT2LGHTBWBQGUJAIZVRABM");
    expect(m.addEvents(2, { feature: "signinattempts" })).toHaveLength(2);
    expect(m.events.signinattempts).toHaveLength(10);
  });
});
