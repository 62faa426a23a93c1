import { afterEach, describe, expect, it } from "vitest";
import {
  type GitHubAuditEvent,
  type GitHubMock,
  type GitHubMockOptions,
  startGitHubMock,
} from "../../../support/mocks/github-mock.ts";
import { type CallResult, call, linkRels } from "./http-client.ts";

let mock: GitHubMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: GitHubMockOptions = {}): Promise<GitHubMock> {
  mock = await startGitHubMock(options);
  return mock;
}

const UA = { "user-agent": "helr-test/1.0" };
const get = (m: GitHubMock, url: string, headers: Record<string, string> = {}): Promise<CallResult> =>
  call(url, { headers: { ...UA, authorization: `Bearer ${m.token}`, ...headers } });
const ids = (result: CallResult): string[] => (result.body as GitHubAuditEvent[]).map((e) => e._document_id);

/** Follows `next` links from `url` to the end; returns every page. */
async function walk(m: GitHubMock, url: string): Promise<CallResult[]> {
  const pages: CallResult[] = [];
  let next: string | undefined = url;
  while (next !== undefined && pages.length < 100) {
    const page = await get(m, next);
    expect(page.status).toBe(200);
    pages.push(page);
    next = linkRels(page).get("next");
  }
  return pages;
}

describe("github mock: auth", () => {
  it("needs a User-Agent, then a Bearer or legacy token", async () => {
    const m = await start({ events: 3 });
    const noAgent = await call(m.orgAuditLogUrl, { headers: { authorization: `Bearer ${m.token}` } });
    expect(noAgent.status).toBe(403);
    expect(noAgent.body).toMatchObject({
      message: expect.stringMatching(/^Request forbidden by administrative rules/),
    });
    const missing = await call(m.orgAuditLogUrl, { headers: UA });
    expect([missing.status, (missing.body as { message: string }).message]).toEqual([
      401,
      "Requires authentication",
    ]);
    const wrong = await get(m, m.orgAuditLogUrl, { authorization: "Bearer ghp_wrong" });
    expect(wrong.body).toEqual({ message: "Bad credentials", documentation_url: expect.any(String) });
    expect((await get(m, m.orgAuditLogUrl, { authorization: `token ${m.token}` })).status).toBe(200);
    const ok = await get(m, m.orgAuditLogUrl);
    expect(ok.status).toBe(200);
    expect(ok.header("x-github-request-id")).toMatch(
      /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/,
    );
    expect(m.requests.map((r) => r.status)).toEqual([403, 401, 401, 200, 200]);
  });
});

describe("github mock: paging", () => {
  it("pages oldest first with one comma-joined link header, and none on the last page", async () => {
    const m = await start({ events: 40 });
    const orgEvents = m.events.filter((e) => e.org === "acme" && !e.action.startsWith("git."));
    const pages = await walk(m, `${m.orgAuditLogUrl}?per_page=5&order=asc`);
    expect(pages.flatMap(ids)).toEqual(orgEvents.map((e) => e._document_id));
    expect(pages).toHaveLength(Math.ceil(orgEvents.length / 5));
    const [first, second] = pages;
    expect(first?.lines.get("link")).toHaveLength(1);
    expect([...linkRels(first as CallResult).keys()]).toEqual(["next", "first"]);
    expect([...linkRels(second as CallResult).keys()]).toEqual(["next", "first", "prev"]);
    const next = new URL(linkRels(first as CallResult).get("next") ?? "");
    expect([...next.searchParams.keys()]).toEqual(["per_page", "order", "after", "before"]);
    expect(next.searchParams.get("before")).toBe("");
    expect(pages.at(-1)?.lines.has("link")).toBe(false);
  });

  it("defaults to newest first, 30 a page, and caps per_page at 100", async () => {
    const m = await start({ events: 300 });
    const page = await get(m, m.orgAuditLogUrl);
    const times = (page.body as GitHubAuditEvent[]).map((e) => e.created_at);
    expect(times).toHaveLength(30);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(ids(await get(m, `${m.orgAuditLogUrl}?per_page=500`))).toHaveLength(100);
  });

  it("goes back with the prev link's before cursor", async () => {
    const m = await start({ events: 30 });
    const [one, two] = await walk(m, `${m.enterpriseAuditLogUrl}?per_page=4&order=asc`);
    const back = await get(m, linkRels(two as CallResult).get("prev") ?? "");
    expect(ids(back)).toEqual(ids(one as CallResult));
  });

  it("rejects an unknown cursor or phrase with 422", async () => {
    const m = await start({ events: 3 });
    for (const query of ["after=bm9wZQ", "phrase=nonsense", "phrase=created:>=yesterday", "order=up"]) {
      expect((await get(m, `${m.orgAuditLogUrl}?${query}`)).status, query).toBe(422);
    }
  });
});

describe("github mock: scope and filters", () => {
  it("serves org events on the org log and every org plus business events on the enterprise log", async () => {
    const m = await start({ events: 60 });
    const enterprise = (await walk(m, `${m.enterpriseAuditLogUrl}?per_page=100&include=all`)).flatMap(ids);
    expect(enterprise).toHaveLength(60);
    const orgs = new Set(m.events.map((e) => e.org));
    expect(orgs).toEqual(new Set(["acme", "acme-labs", undefined]));
    const org = (await walk(m, `${m.orgAuditLogUrl}?per_page=100&include=all`)).flatMap(ids);
    expect(org).toEqual(
      m.events
        .filter((e) => e.org === "acme")
        .map((e) => e._document_id)
        .reverse(),
    );
    const web = (await walk(m, `${m.orgAuditLogUrl}?per_page=100`)).flatMap(ids);
    expect(web.length).toBeLessThan(org.length);
    const git = (await get(m, `${m.orgAuditLogUrl}?per_page=100&include=git`)).body as GitHubAuditEvent[];
    expect(git.length).toBe(org.length - web.length);
    expect(git.every((e) => e.action.startsWith("git."))).toBe(true);
  });

  it("filters with phrase qualifiers: action category, actor and negation", async () => {
    const m = await start({ events: 80 });
    const teamOnly = (await get(m, `${m.enterpriseAuditLogUrl}?per_page=100&phrase=action:team`)).body;
    expect((teamOnly as GitHubAuditEvent[]).every((e) => e.action.startsWith("team."))).toBe(true);
    const phrase = encodeURIComponent("actor:octocat -action:repo.create");
    const both = (await get(m, `${m.enterpriseAuditLogUrl}?per_page=100&phrase=${phrase}`))
      .body as GitHubAuditEvent[];
    expect(both.length).toBeGreaterThan(0);
    expect(both.every((e) => e.actor === "octocat" && e.action !== "repo.create")).toBe(true);
  });

  it("answers 404 for an org not on Enterprise Cloud, an unknown org and another method", async () => {
    const m = await start({ enterpriseCloud: false });
    expect((await get(m, m.orgAuditLogUrl)).body).toMatchObject({ message: "Not Found" });
    await m.close();
    const n = await start();
    expect((await get(n, `${n.url}/orgs/someone-else/audit-log`)).status).toBe(404);
    const post = await call(n.orgAuditLogUrl, {
      method: "POST",
      headers: { ...UA, authorization: `Bearer ${n.token}` },
    });
    expect(post.status).toBe(404);
  });
});

describe("github mock: events and the boundary", () => {
  it("uses epoch-millisecond times, _document_id and the documented key order", async () => {
    const m = await start({ events: 10, seed: 3 });
    const again = await startGitHubMock({ events: 10, seed: 3 });
    try {
      expect(again.events).toEqual(m.events);
    } finally {
      await again.close();
    }
    const [event] = (await get(m, `${m.enterpriseAuditLogUrl}?order=asc&include=all`))
      .body as GitHubAuditEvent[];
    expect(Number.isInteger(event?.["@timestamp"])).toBe(true);
    expect(event?.["@timestamp"]).toBe(Date.parse("2024-05-21T13:00:00.000Z"));
    expect(event?.created_at).toBe(event?.["@timestamp"]);
    expect(event?._document_id).toMatch(/^[\w-]{22}$/);
    expect(Object.keys(event ?? {}).slice(0, 8)).toEqual([
      "@timestamp",
      "_document_id",
      "action",
      "actor",
      "actor_id",
      "actor_location",
      "created_at",
      "operation_type",
    ]);
  });

  it("returns the boundary event again on the next created:>= poll (whole-second precision)", async () => {
    const m = await start({ events: 5 });
    const url = (since: number) =>
      `${m.enterpriseAuditLogUrl}?order=asc&include=all&phrase=${encodeURIComponent(`created:>=${new Date(since).toISOString()}`)}`;
    const first = (await get(m, url(0))).body as GitHubAuditEvent[];
    const last = first.at(-1) as GitHubAuditEvent;
    const added = m.addEvents(2);
    const second = ids(await get(m, url(last.created_at)));
    const sameSecond = first.filter(
      (e) => Math.floor(e.created_at / 1000) === Math.floor(last.created_at / 1000),
    );
    expect(second).toEqual([...sameSecond, ...added].map((e) => e._document_id));
  });
});

describe("github mock: rate limits and failures", () => {
  it("sends x-ratelimit-* on every answer, counting down", async () => {
    const nowMs = Date.parse("2024-05-22T00:00:00Z");
    const m = await start({ now: () => nowMs, rateLimit: { limit: 10, windowSecs: 3600 } });
    const a = await get(m, m.orgAuditLogUrl);
    const b = await get(m, m.orgAuditLogUrl);
    expect([a.header("x-ratelimit-remaining"), b.header("x-ratelimit-remaining")]).toEqual(["9", "8"]);
    expect(b.header("x-ratelimit-used")).toBe("2");
    expect(a.header("x-ratelimit-reset")).toBe(String(nowMs / 1000 + 3600));
    expect(a.header("x-ratelimit-resource")).toBe("core");
  });

  it("answers a primary limit with 429 (or 403) and remaining 0, and a secondary one with 403 retry-after", async () => {
    const nowMs = Date.parse("2024-05-22T00:00:00Z");
    const m = await start({
      now: () => nowMs,
      rateLimit: { limit: 2, enforce: true },
      secondaryRetryAfterSecs: 42,
    });
    m.rateLimitNext(1, "secondary");
    const secondary = await get(m, m.orgAuditLogUrl);
    expect([secondary.status, secondary.header("retry-after")]).toEqual([403, "42"]);
    expect((secondary.body as { message: string }).message).toMatch(/secondary rate limit/);
    expect(secondary.header("x-ratelimit-remaining")).toBe("1");
    expect((await get(m, m.orgAuditLogUrl)).status).toBe(200);
    const primary = await get(m, m.orgAuditLogUrl);
    expect(primary.status).toBe(429);
    expect(primary.header("x-ratelimit-remaining")).toBe("0");
    expect(primary.header("x-ratelimit-reset")).toBe(String(nowMs / 1000 + 3600));
    expect(primary.lines.has("retry-after")).toBe(false);
    expect((primary.body as { message: string }).message).toMatch(/^API rate limit exceeded/);
    await m.close();
    const n = await start({ primaryLimitStatus: 403 });
    n.rateLimitNext(2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(n, n.orgAuditLogUrl)).status);
    expect(statuses).toEqual([403, 403, 200]);
  });

  it("fails the next requests on demand, then recovers", async () => {
    const m = await start();
    m.failNext(1);
    const failed = await get(m, m.orgAuditLogUrl);
    expect([failed.status, failed.body]).toEqual([
      502,
      { message: "Server Error", documentation_url: expect.any(String) },
    ]);
    expect((await get(m, m.orgAuditLogUrl)).status).toBe(200);
  });
});
