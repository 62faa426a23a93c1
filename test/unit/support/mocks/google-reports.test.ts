import { afterEach, describe, expect, it } from "vitest";
import {
  type GoogleActivity,
  type GoogleReportsMock,
  type GoogleReportsMockOptions,
  startGoogleReportsMock,
} from "../../../support/mocks/google-reports-mock.ts";
import { type CallResult, call } from "./http-client.ts";

let mock: GoogleReportsMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: GoogleReportsMockOptions = {}): Promise<GoogleReportsMock> {
  mock = await startGoogleReportsMock(options);
  return mock;
}

interface ActivitiesBody {
  kind: string;
  etag: string;
  items?: GoogleActivity[];
  nextPageToken?: string;
}

const START_MS = Date.parse("2024-05-21T13:00:00Z");
const NOW = () => START_MS + 86_400_000;
const get = (
  m: GoogleReportsMock,
  app: string,
  query = "",
  authorization = `Bearer ${m.token}`,
): Promise<CallResult> =>
  call(`${m.activitiesUrl(app)}${query === "" ? "" : `?${query}`}`, { headers: { authorization } });
const body = (result: CallResult): ActivitiesBody => result.body as ActivitiesBody;
const qualifiers = (items: readonly GoogleActivity[] = []): string[] =>
  items.map((a) => a.id.uniqueQualifier);
const newestFirst = (items: readonly GoogleActivity[]): GoogleActivity[] =>
  [...items].sort((a, b) => {
    const byTime = Date.parse(b.id.time) - Date.parse(a.id.time);
    const [x, y] = [BigInt(a.id.uniqueQualifier), BigInt(b.id.uniqueQualifier)];
    return byTime !== 0 ? byTime : x === y ? 0 : x > y ? -1 : 1;
  });

async function walk(m: GoogleReportsMock, app: string, query: string): Promise<ActivitiesBody[]> {
  const pages: ActivitiesBody[] = [];
  let token: string | undefined = "";
  while (token !== undefined && pages.length < 50) {
    const result = await get(
      m,
      app,
      `${query}${token === "" ? "" : `&pageToken=${encodeURIComponent(token)}`}`,
    );
    expect(result.status).toBe(200);
    pages.push(body(result));
    token = body(result).nextPageToken;
  }
  return pages;
}

describe("google reports mock: auth and errors", () => {
  it("answers 401 in Google's envelope for a missing or wrong token", async () => {
    const m = await start({ events: 1, now: NOW });
    for (const authorization of ["", "Bearer ya29.wrong", m.token]) {
      const result = await get(m, "login", "", authorization);
      expect(result.status).toBe(401);
      expect(result.body).toMatchObject({
        error: {
          code: 401,
          status: "UNAUTHENTICATED",
          errors: [
            { reason: "authError", domain: "global", location: "Authorization", locationType: "header" },
          ],
        },
      });
    }
    expect((await get(m, "login")).status).toBe(200);
  });

  it("answers 403 PERMISSION_DENIED when the user may not read reports", async () => {
    const m = await start({ permissionDenied: true });
    expect((await get(m, "login")).body).toMatchObject({
      error: { code: 403, status: "PERMISSION_DENIED", errors: [{ reason: "forbidden" }] },
    });
  });

  it("rejects bad parameters with 400 INVALID_ARGUMENT", async () => {
    const m = await start({ now: NOW });
    const cases: [string, string][] = [
      ["login", "maxResults=0"],
      ["login", "maxResults=1001"],
      ["login", "startTime=yesterday"],
      ["login", "startTime=2024-05-21T14:00:00Z&endTime=2024-05-21T13:00:00Z"],
      ["login", "startTime=2024-06-30T00:00:00Z"],
      ["login", "pageToken=garbage"],
      ["login", "pageToken=A:1716296697123000:-5:123:C_other"],
      ["not_an_app", ""],
    ];
    for (const [app, query] of cases) {
      const result = await get(m, app, query);
      expect([query, result.status]).toEqual([query, 400]);
      expect(result.body).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    }
  });
});

describe("google reports mock: pages", () => {
  it("pages newest first through a nextPageToken chain that ends without one", async () => {
    const m = await start({ events: 12, now: NOW });
    const pages = await walk(m, "login", "maxResults=5");
    expect(pages.map((p) => p.items?.length)).toEqual([5, 5, 2]);
    const login = m.events.filter((a) => a.id.applicationName === "login");
    expect(pages.flatMap((p) => qualifiers(p.items))).toEqual(qualifiers(newestFirst(login)));
    expect(pages[0]?.nextPageToken).toMatch(/^A:\d+:-?\d+:\d+:C03az79cb$/);
    expect(Object.keys(pages.at(-1) ?? {})).toEqual(["kind", "etag", "items"]);
    expect(Object.keys(pages[0] ?? {})).toEqual(["kind", "etag", "items", "nextPageToken"]);
  });

  it("omits items when nothing matches", async () => {
    const m = await start({ events: 3, now: NOW });
    const empty = await get(m, "login", "startTime=2024-05-21T20:00:00Z");
    expect(Object.keys(empty.body as object)).toEqual(["kind", "etag"]);
    expect(body(empty).kind).toBe("admin#reports#activities");
    expect(Object.keys(body(await get(m, "calendar")))).toEqual(["kind", "etag"]);
  });

  it("treats startTime and endTime as inclusive and filters by eventName", async () => {
    const m = await start({ events: 10, now: NOW, applications: ["drive"] });
    const items = m.events;
    const from = items[2]?.id.time ?? "";
    const to = items[6]?.id.time ?? "";
    const window = body(await get(m, "drive", `startTime=${from}&endTime=${to}`)).items ?? [];
    expect(qualifiers(window)).toEqual(qualifiers(newestFirst(items.slice(2, 7))));
    const views = body(await get(m, "drive", "eventName=view")).items ?? [];
    expect(views.every((a) => a.events.some((e) => e.name === "view"))).toBe(true);
  });

  it("shows late activities only after the delay, in a window already read", async () => {
    let nowMs = NOW();
    const m = await start({ events: 4, now: () => nowMs, lateDelayMs: 600_000, applications: ["admin"] });
    const query = "startTime=2024-05-21T12:00:00Z";
    expect(body(await get(m, "admin", query)).items).toHaveLength(4);
    const late = m.addLateEvents(2, { atMs: START_MS - 60_000, application: "admin" });
    expect(body(await get(m, "admin", query)).items).toHaveLength(4);
    nowMs += 600_000;
    const after = body(await get(m, "admin", query)).items ?? [];
    expect(after).toHaveLength(6);
    expect(qualifiers(after.slice(-2))).toEqual(qualifiers(newestFirst(late)));
  });

  it("keeps paging by position, so an older activity turning visible mid-walk is not lost", async () => {
    const m = await start({ events: 6, now: NOW, applications: ["login"] });
    const first = body(await get(m, "login", "maxResults=3"));
    const [late] = m.addLateEvents(1, { atMs: START_MS - 1000, application: "login", delayMs: 0 });
    const second = body(
      await get(m, "login", `maxResults=10&pageToken=${encodeURIComponent(first.nextPageToken ?? "")}`),
    );
    expect(second.items?.at(-1)?.id.uniqueQualifier).toBe(late?.id.uniqueQualifier);
    expect(second.items).toHaveLength(4);
  });
});

describe("google reports mock: quota and failures", () => {
  it("answers 429 or 403 RESOURCE_EXHAUSTED without Retry-After, and 503 backendError", async () => {
    const m = await start({ now: NOW });
    m.rateLimitNext(1);
    const limited = await get(m, "login");
    expect(limited.body).toMatchObject({
      error: { code: 429, status: "RESOURCE_EXHAUSTED", errors: [{ reason: "rateLimitExceeded" }] },
    });
    expect([limited.status, limited.lines.has("retry-after")]).toEqual([429, false]);
    m.rateLimitNext(1, 403);
    expect((await get(m, "login")).body).toMatchObject({
      error: { code: 403, errors: [{ reason: "userRateLimitExceeded" }] },
    });
    m.failNext(1);
    expect((await get(m, "login")).body).toMatchObject({
      error: { code: 503, status: "UNAVAILABLE", errors: [{ reason: "backendError" }] },
    });
    expect((await get(m, "login")).status).toBe(200);
  });
});

describe("google reports mock: activities", () => {
  it("generates realistic activities for a seed: string int64 qualifiers, RFC 3339 times, key order", async () => {
    const m = await start({ events: 5, seed: 2 });
    const again = await startGoogleReportsMock({ events: 5, seed: 2 });
    await again.close();
    expect(again.events).toEqual(m.events);
    expect(new Set(m.events.map((a) => a.id.applicationName))).toEqual(
      new Set(["login", "admin", "drive", "token", "saml"]),
    );
    for (const activity of m.events) {
      expect(activity.id.uniqueQualifier).toMatch(/^-?\d{1,19}$/);
      const value = BigInt(activity.id.uniqueQualifier);
      expect(value <= 9_223_372_036_854_775_807n && value >= -9_223_372_036_854_775_808n).toBe(true);
    }
    const [first] = m.events;
    expect(first?.id.time).toBe("2024-05-21T13:00:00.000Z");
    expect(Object.keys(first ?? {})).toEqual([
      "kind",
      "etag",
      "id",
      "actor",
      "ipAddress",
      "ownerDomain",
      "networkInfo",
      "events",
    ]);
    expect(first?.events[0]?.parameters?.length).toBeGreaterThan(0);
  });
});
