import { afterEach, describe, expect, it } from "vitest";
import {
  type CloudLoggingMock,
  type CloudLoggingMockOptions,
  type LogEntry,
  startCloudLoggingMock,
} from "../../../support/mocks/cloud-logging-mock.ts";
import { type CallResult, call } from "./http-client.ts";

let mock: CloudLoggingMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: CloudLoggingMockOptions = {}): Promise<CloudLoggingMock> {
  mock = await startCloudLoggingMock(options);
  return mock;
}

interface ListBody {
  entries?: LogEntry[];
  nextPageToken?: string;
}

const list = (m: CloudLoggingMock, body: unknown, authorization = `Bearer ${m.token}`): Promise<CallResult> =>
  call(m.listUrl, { method: "POST", headers: { authorization, "content-type": "application/json" }, body });
const ids = (entries: readonly LogEntry[] = []): string[] => entries.map((e) => e.insertId);
const ascending = (entries: readonly LogEntry[]): LogEntry[] =>
  [...entries].sort((a, b) =>
    a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.insertId < b.insertId ? -1 : 1,
  );

/** Follows tokens to the end with the same parameters; returns every page body. */
async function walk(m: CloudLoggingMock, request: Record<string, unknown>): Promise<ListBody[]> {
  const pages: ListBody[] = [];
  let token: string | undefined;
  do {
    const result = await list(m, token === undefined ? request : { ...request, pageToken: token });
    expect(result.status).toBe(200);
    pages.push(result.body as ListBody);
    token = (result.body as ListBody).nextPageToken;
  } while (token !== undefined && pages.length < 100);
  return pages;
}

describe("cloud logging mock: auth and errors", () => {
  it("answers 401 UNAUTHENTICATED without errors[], and 404 for other paths or methods", async () => {
    const m = await start();
    const denied = await list(m, { resourceNames: [m.resourceName] }, "Bearer ya29.other");
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({
      error: { code: 401, message: expect.any(String), status: "UNAUTHENTICATED" },
    });
    expect((await call(m.listUrl, { headers: { authorization: `Bearer ${m.token}` } })).status).toBe(404);
  });

  it("validates the body with 400 INVALID_ARGUMENT and the project with 403", async () => {
    const m = await start();
    const names = [m.resourceName];
    const bad: unknown[] = [
      "{",
      {},
      { resourceNames: [] },
      { resourceNames: ["acme-prod"] },
      { resourceNames: names, pageSize: 1001 },
      { resourceNames: names, pageSize: -1 },
      { resourceNames: names, orderBy: "timestamp" },
      { resourceNames: names, filter: "severity=ERROR OR severity=WARNING" },
      { resourceNames: names, filter: "(severity=ERROR)" },
      { resourceNames: names, filter: 'timestamp>="yesterday"' },
      { resourceNames: names, pageToken: "junk" },
    ];
    for (const body of bad) {
      const result = await list(m, body);
      expect([JSON.stringify(body), result.status]).toEqual([JSON.stringify(body), 400]);
      expect(result.body).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    }
    const other = await list(m, { resourceNames: ["projects/someone-else"] });
    expect(other.body).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } });
    expect((await list(m, { resourceNames: names, pageSize: 1000 })).status).toBe(200);
  });
});

describe("cloud logging mock: pages", () => {
  it("pages 50 at a time by default, oldest first, and ends without a token", async () => {
    const m = await start({ events: 120 });
    const pages = await walk(m, { resourceNames: [m.resourceName] });
    expect(pages.map((p) => p.entries?.length)).toEqual([50, 50, 20]);
    expect(pages.flatMap((p) => ids(p.entries))).toEqual(ids(ascending(m.events)));
    expect(Object.keys(pages.at(-1) ?? {})).toEqual(["entries"]);
  });

  it("orders newest first with timestamp desc", async () => {
    const m = await start({ events: 30 });
    const pages = await walk(m, { resourceNames: [m.resourceName], orderBy: "timestamp desc", pageSize: 7 });
    expect(pages.flatMap((p) => ids(p.entries))).toEqual(ids(ascending(m.events)).reverse());
  });

  it("answers {} when nothing matches", async () => {
    const m = await start({ events: 3 });
    const none = await list(m, {
      resourceNames: [m.resourceName],
      filter: 'timestamp>"2030-01-01T00:00:00Z"',
    });
    expect(none.body).toEqual({});
  });

  it("sends keep-going pages: no entries but a token, and the walk still sees every entry once", async () => {
    const m = await start({ events: 25, emptyPageEvery: 2 });
    const pages = await walk(m, { resourceNames: [m.resourceName], pageSize: 10 });
    expect(pages.map((p) => [p.entries?.length ?? 0, p.nextPageToken !== undefined])).toEqual([
      [10, true],
      [0, true],
      [10, true],
      [0, true],
      [5, false],
    ]);
    expect(Object.keys(pages[1] ?? {})).toEqual(["nextPageToken"]);
    expect(pages.flatMap((p) => ids(p.entries))).toEqual(ids(ascending(m.events)));
    await m.close();
    const n = await start({ events: 3, emptyPageEvery: 2, emptyPageShape: "empty" });
    const shaped = await walk(n, { resourceNames: [n.resourceName], pageSize: 2 });
    expect(shaped[1]).toEqual({ entries: [], nextPageToken: expect.any(String) });
    await expect(startCloudLoggingMock({ emptyPageEvery: 1 })).rejects.toThrow(/at least 2/);
  });

  it("rejects a token sent with changed parameters, and one older than 24 hours", async () => {
    let nowMs = Date.parse("2024-05-22T00:00:00Z");
    const m = await start({ events: 10, now: () => nowMs });
    const request = { resourceNames: [m.resourceName], pageSize: 3, filter: "severity>=DEFAULT" };
    const token = ((await list(m, request)).body as ListBody).nextPageToken;
    for (const changed of [{ pageSize: 4 }, { filter: "" }, { orderBy: "timestamp desc" }]) {
      const result = await list(m, { ...request, ...changed, pageToken: token });
      expect([JSON.stringify(changed), result.status]).toEqual([JSON.stringify(changed), 400]);
    }
    expect((await list(m, { ...request, pageToken: token })).status).toBe(200);
    nowMs += 86_400_001;
    const expired = await list(m, { ...request, pageToken: token });
    expect(expired.body).toMatchObject({ error: { code: 400, message: expect.stringMatching(/expired/) } });
  });
});

describe("cloud logging mock: filters", () => {
  it("compares timestamps at nanosecond precision", async () => {
    const m = await start({ events: 10 });
    const sorted = ascending(m.events);
    const boundary = sorted[4] as LogEntry;
    const from = (op: string) =>
      list(m, { resourceNames: [m.resourceName], filter: `timestamp${op}"${boundary.timestamp}"` });
    expect(ids(((await from(">=")).body as ListBody).entries)).toEqual(ids(sorted.slice(4)));
    expect(ids(((await from(">")).body as ListBody).entries)).toEqual(ids(sorted.slice(5)));
    const offset = boundary.timestamp.replace(/^(.{11})13/, "$115").replace(/Z$/, "+02:00");
    const shifted = await list(m, { resourceNames: [m.resourceName], filter: `timestamp>="${offset}"` });
    expect(ids((shifted.body as ListBody).entries)).toEqual(ids(sorted.slice(4)));
  });

  it("filters on logName, severity rank, nested fields and NOT, joined by AND", async () => {
    const m = await start({ events: 80 });
    const activity = `projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity`;
    const filter = `logName="${activity}" AND severity>=NOTICE\nNOT protoPayload.serviceName="iam.googleapis.com"`;
    const result =
      ((await list(m, { resourceNames: [m.resourceName], filter, pageSize: 1000 })).body as ListBody)
        .entries ?? [];
    const expected = m.events.filter(
      (e) =>
        e.logName === activity &&
        (e.protoPayload as { serviceName: string }).serviceName !== "iam.googleapis.com",
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(result)).toEqual(ids(ascending(expected)));
    const has =
      (
        (
          await list(m, {
            resourceNames: [m.resourceName],
            filter: "protoPayload.methodName:GET",
            pageSize: 1000,
          })
        ).body as ListBody
      ).entries ?? [];
    expect(has.length).toBeGreaterThan(0);
    expect(has.every((e) => /get/i.test((e.protoPayload as { methodName: string }).methodName))).toBe(true);
  });
});

describe("cloud logging mock: quota, failures and entries", () => {
  it("answers 429 RESOURCE_EXHAUSTED and 503 UNAVAILABLE on demand, then recovers", async () => {
    const m = await start();
    m.rateLimitNext(1);
    m.failNext(1);
    const body = { resourceNames: [m.resourceName] };
    expect((await list(m, body)).body).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
    expect((await list(m, body)).body).toMatchObject({ error: { code: 503, status: "UNAVAILABLE" } });
    expect((await list(m, body)).status).toBe(200);
    expect(m.requests.map((r) => JSON.parse(r.body))).toEqual([body, body, body]);
  });

  it("generates realistic entries for a seed: nanosecond times, audit protoPayloads, key order", async () => {
    const m = await start({ events: 20, seed: 6 });
    const again = await startCloudLoggingMock({ events: 20, seed: 6 });
    await again.close();
    expect(again.events).toEqual(m.events);
    for (const entry of m.events) expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const audit = m.events.find((e) => "protoPayload" in e);
    expect(Object.keys(audit ?? {})).toEqual([
      "insertId",
      "logName",
      "resource",
      "timestamp",
      "receiveTimestamp",
      "severity",
      "operation",
      "protoPayload",
    ]);
    expect(audit?.protoPayload).toMatchObject({ "@type": "type.googleapis.com/google.cloud.audit.AuditLog" });
    expect(m.events.some((e) => "jsonPayload" in e || "textPayload" in e)).toBe(true);
    expect(m.events[0]?.timestamp.startsWith("2024-05-21T13:00:00.000")).toBe(true);
  });
});
