import { afterEach, describe, expect, it } from "vitest";
import {
  type SlackAuditEntry,
  type SlackMock,
  type SlackMockOptions,
  startSlackMock,
} from "../../../support/mocks/slack-mock.ts";
import { type CallResult, call } from "./http-client.ts";

let mock: SlackMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: SlackMockOptions = {}): Promise<SlackMock> {
  mock = await startSlackMock(options);
  return mock;
}

interface LogsBody {
  entries: SlackAuditEntry[];
  response_metadata?: { next_cursor: string };
}

const get = (m: SlackMock, query = "", authorization = `Bearer ${m.token}`): Promise<CallResult> =>
  call(`${m.logsUrl}${query === "" ? "" : `?${query}`}`, { headers: { authorization } });
const body = (result: CallResult): LogsBody => result.body as LogsBody;
const ids = (entries: readonly SlackAuditEntry[]): string[] => entries.map((e) => e.id);

/** Newest first, later arrivals first within one second: the order the mock promises. */
const newestFirst = (entries: readonly SlackAuditEntry[]): SlackAuditEntry[] =>
  entries
    .map((entry, seq) => ({ entry, seq }))
    .sort((a, b) => b.entry.date_create - a.entry.date_create || b.seq - a.seq)
    .map(({ entry }) => entry);

async function walk(m: SlackMock, query: string): Promise<LogsBody[]> {
  const pages: LogsBody[] = [];
  let cursor: string | undefined = "";
  while (cursor !== undefined && pages.length < 50) {
    const page = body(
      await get(m, `${query}${cursor === "" ? "" : `&cursor=${encodeURIComponent(cursor)}`}`),
    );
    pages.push(page);
    cursor = page.response_metadata?.next_cursor || undefined;
  }
  return pages;
}

describe("slack mock: auth and errors", () => {
  it("answers auth errors as HTTP 200 ok:false by default", async () => {
    const m = await start({ events: 2 });
    const cases: [string | undefined, string][] = [
      [undefined, "missing_authentication"],
      ["Bearer xoxb-bot-token", "invalid_authentication"],
      [m.token, "invalid_authentication"],
    ];
    for (const [authorization, error] of cases) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const result = await call(m.logsUrl, { headers });
      expect([result.status, result.body]).toEqual([200, { ok: false, error }]);
    }
    expect(body(await get(m)).entries).toHaveLength(2);
  });

  it("uses 401, 403 and 400 with errorStatuses: http", async () => {
    const m = await start({ errorStatuses: "http" });
    expect((await get(m, "", "Bearer xoxp-nope")).status).toBe(401);
    const cursor = await get(m, "cursor=bm9wZQ");
    expect([cursor.status, cursor.body]).toEqual([400, { ok: false, error: "invalid_cursor" }]);
    await m.close();
    const n = await start({ errorStatuses: "http", featureEnabled: false });
    expect([(await get(n)).status, (await get(n)).body]).toEqual([
      403,
      { ok: false, error: "feature_not_enabled" },
    ]);
  });

  it("reports missing_scope with needed and provided", async () => {
    const m = await start({ scopes: ["admin", "users:read"] });
    expect((await get(m)).body).toEqual({
      ok: false,
      error: "missing_scope",
      needed: "auditlogs:read",
      provided: "admin,users:read",
    });
  });

  it("rejects an unknown cursor and a limit over 9999", async () => {
    const m = await start({ events: 1 });
    expect((await get(m, "cursor=not-ours")).body).toEqual({ ok: false, error: "invalid_cursor" });
    expect((await get(m, "limit=10000")).body).toEqual({ ok: false, error: "invalid_arguments" });
    expect((await get(m, "oldest=yesterday")).body).toEqual({ ok: false, error: "invalid_arguments" });
    expect(body(await get(m, "limit=9999")).entries).toHaveLength(1);
  });
});

describe("slack mock: paging", () => {
  it('pages newest first and ends with next_cursor ""', async () => {
    const m = await start({ events: 23 });
    const pages = await walk(m, "limit=5");
    expect(pages.map((p) => p.entries.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flatMap((p) => ids(p.entries))).toEqual(ids(newestFirst(m.events)));
    expect(pages.at(-1)?.response_metadata).toEqual({ next_cursor: "" });
    expect(pages[0]?.response_metadata?.next_cursor).not.toBe("");
  });

  it("can omit response_metadata on the last page", async () => {
    const m = await start({ events: 2, omitMetadataOnLastPage: true });
    expect(Object.keys(body(await get(m)))).toEqual(["entries"]);
  });

  it("treats oldest as inclusive, so the newest entry comes back on the next poll", async () => {
    const m = await start({ events: 6 });
    const first = body(await get(m)).entries;
    const newest = first[0] as SlackAuditEntry;
    const added = m.addEvents(2);
    const next = body(await get(m, `oldest=${newest.date_create}`)).entries;
    const boundary = m.events.slice(0, 6).filter((e) => e.date_create === newest.date_create);
    expect(ids(next)).toEqual(ids(newestFirst([...boundary, ...added])));
    expect(ids(next)).toContain(newest.id);
  });

  it("filters by inclusive latest, action lists and actor", async () => {
    const m = await start({ events: 60 });
    const latest = (m.events[10] as SlackAuditEntry).date_create;
    const older = body(await get(m, `latest=${latest}&limit=100`)).entries;
    expect(ids(older)).toEqual(ids(newestFirst(m.events.filter((e) => e.date_create <= latest))));
    const actions = body(await get(m, "action=user_login,file_downloaded&limit=100")).entries;
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions.map((e) => e.action))).toEqual(new Set(["user_login", "file_downloaded"]));
    const byActor = body(await get(m, "actor=W123AB456&limit=100")).entries;
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actor.user.id === "W123AB456")).toBe(true);
  });
});

describe("slack mock: rate limits and failures", () => {
  it("answers 429 with only Retry-After, then recovers", async () => {
    const m = await start({ retryAfterSecs: 7 });
    m.rateLimitNext(1);
    const limited = await get(m);
    expect(limited.status).toBe(429);
    expect(limited.header("retry-after")).toBe("7");
    expect([...limited.lines.keys()].filter((name) => name.includes("rate"))).toEqual([]);
    expect(limited.body).toEqual({ ok: false, error: "ratelimited" });
    expect((await get(m)).status).toBe(200);
  });

  it("fails the next requests on demand", async () => {
    const m = await start();
    m.failNext(2, 503);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(m)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });
});

describe("slack mock: entries", () => {
  it("generates the same realistic entries for a seed, with epoch-second date_create", async () => {
    const m = await start({ events: 30, seed: 5 });
    const again = await startSlackMock({ events: 30, seed: 5 });
    await again.close();
    expect(again.events).toEqual(m.events);
    const [entry] = m.events;
    expect(Object.keys(entry ?? {}).slice(0, 6)).toEqual([
      "id",
      "date_create",
      "action",
      "actor",
      "entity",
      "context",
    ]);
    expect(entry?.date_create).toBe(Date.parse("2024-05-21T13:00:00Z") / 1000);
    expect(entry?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(m.events.map((e) => e.action)).size).toBeGreaterThan(5);
    expect(new Set(m.events.map((e) => e.date_create)).size).toBeLessThan(30);
  });
});
