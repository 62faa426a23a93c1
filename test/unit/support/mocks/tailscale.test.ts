import { afterEach, describe, expect, it } from "vitest";
import {
  startTailscaleMock,
  type TailscaleConfigEvent,
  type TailscaleMock,
  type TailscaleMockOptions,
  type TailscaleNetworkLog,
} from "../../../support/mocks/tailscale-mock.ts";
import { type CallResult, call } from "./http-client.ts";

let mock: TailscaleMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: TailscaleMockOptions = {}): Promise<TailscaleMock> {
  mock = await startTailscaleMock(options);
  return mock;
}

const WHOLE_DAY = "start=2024-05-21T00:00:00Z&end=2024-05-21T23:59:59Z";
const get = (m: TailscaleMock, url: string, authorization = m.basicAuthorization): Promise<CallResult> =>
  call(url, { headers: { authorization } });
const logs = <T>(result: CallResult): T[] => (result.body as { logs: T[] }).logs;
const window = (from: string, to: string): string =>
  `start=${encodeURIComponent(from)}&end=${encodeURIComponent(to)}`;

describe("tailscale mock: auth", () => {
  it("accepts the key as Basic user with an empty password, or as Bearer", async () => {
    const m = await start({ events: 2 });
    const url = `${m.configurationUrl}?${WHOLE_DAY}`;
    expect(m.basicAuthorization).toBe(`Basic ${Buffer.from(`${m.token}:`).toString("base64")}`);
    expect((await get(m, url)).status).toBe(200);
    expect((await get(m, url, `Bearer ${m.token}`)).status).toBe(200);
    const withPassword = `Basic ${Buffer.from(`${m.token}:secret`).toString("base64")}`;
    for (const authorization of [withPassword, "Bearer tskey-api-wrong", `Basic ${m.token}`]) {
      const denied = await get(m, url, authorization);
      expect([denied.status, denied.body]).toEqual([401, { message: "API token invalid" }]);
    }
    expect((await call(url)).body).toEqual({ message: "API token required" });
  });
});

describe("tailscale mock: windows", () => {
  it("requires both start and end, as RFC 3339, start not after end", async () => {
    const m = await start();
    const queries = [
      "",
      "start=2024-05-21T00:00:00Z",
      "end=2024-05-21T00:00:00Z",
      "start=yesterday&end=2024-05-21T00:00:00Z",
      "start=2024-05-21T02:00:00Z&end=2024-05-21T01:00:00Z",
    ];
    for (const query of queries) {
      const result = await get(m, `${m.networkUrl}?${query}`);
      expect([query, result.status]).toEqual([query, 400]);
      expect((result.body as { message: string }).message).toEqual(expect.any(String));
    }
  });

  it("returns the whole inclusive window in one response, logs first, with no paging keys", async () => {
    const m = await start({ events: 400 });
    const all = await get(m, `${m.configurationUrl}?${WHOLE_DAY}`);
    expect(all.text.startsWith('{"logs":[')).toBe(true);
    expect(Object.keys(all.body as object)).toEqual(["logs"]);
    expect(logs(all)).toHaveLength(400);
    expect(all.lines.has("link")).toBe(false);
    const events = m.events.configuration;
    const from = events[3]?.eventTime ?? "";
    const to = events[7]?.eventTime ?? "";
    const inclusive = logs<TailscaleConfigEvent>(await get(m, `${m.configurationUrl}?${window(from, to)}`));
    expect(inclusive.map((e) => e.eventGroupID)).toEqual(events.slice(3, 8).map((e) => e.eventGroupID));
  });

  it("windows network records on logged, with nodeId, start, end and virtualTraffic", async () => {
    const m = await start({ events: 10 });
    const records = m.events.network;
    const result = await get(
      m,
      `${m.networkUrl}?${window(records[2]?.logged ?? "", records[4]?.logged ?? "")}`,
    );
    expect(result.text.startsWith('{"logs":[')).toBe(true);
    const body = logs<TailscaleNetworkLog>(result);
    expect(body).toEqual(records.slice(2, 5));
    const [record] = body;
    expect(Object.keys(record ?? {}).slice(0, 5)).toEqual([
      "logged",
      "nodeId",
      "start",
      "end",
      "virtualTraffic",
    ]);
    expect(record?.logged).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const counters = records.flatMap((r) =>
      (r.virtualTraffic as Record<string, unknown>[]).flatMap(Object.values),
    );
    expect(counters).not.toContain(0);
  });

  it("shows late records when the same window is queried again after the delay", async () => {
    const startMs = Date.parse("2024-05-21T13:00:00Z");
    let nowMs = startMs + 3_600_000;
    const m = await start({ events: 5, now: () => nowMs, lateDelayMs: 60_000 });
    const url = `${m.configurationUrl}?${window("2024-05-21T13:00:00Z", "2024-05-21T13:10:00Z")}`;
    expect(logs(await get(m, url))).toHaveLength(5);
    const late = m.addLateEvents(2, { atMs: startMs + 1500 });
    expect(logs(await get(m, url))).toHaveLength(5);
    nowMs += 60_000;
    const again = logs<TailscaleConfigEvent>(await get(m, url));
    expect(again).toHaveLength(7);
    expect(again.map((e) => e.eventTime)).toEqual([...again.map((e) => e.eventTime)].sort());
    expect(again).toEqual(expect.arrayContaining([...late]));
    const net = m.addLateEvents(1, { stream: "network", atMs: startMs, delayMs: 0 });
    expect(logs(await get(m, `${m.networkUrl}?${WHOLE_DAY}`))).toContainEqual(net[0]);
  });
});

describe("tailscale mock: tailnets, errors and limits", () => {
  it("accepts - for the key's tailnet, 404s another, and 403s network logs when they are off", async () => {
    const m = await start({ events: 1, networkLogsEnabled: false });
    expect((await get(m, `${m.url}/api/v2/tailnet/-/logging/configuration?${WHOLE_DAY}`)).status).toBe(200);
    expect(
      (await get(m, `${m.url}/api/v2/tailnet/other.example/logging/configuration?${WHOLE_DAY}`)).status,
    ).toBe(404);
    const off = await get(m, `${m.networkUrl}?${WHOLE_DAY}`);
    expect([off.status, (off.body as { message: string }).message]).toEqual([
      403,
      expect.stringMatching(/not enabled/),
    ]);
  });

  it("answers 429 (Retry-After only when configured) and 5xx on demand", async () => {
    const m = await start();
    const url = `${m.configurationUrl}?${WHOLE_DAY}`;
    m.rateLimitNext(1);
    const plain = await get(m, url);
    expect([plain.status, plain.lines.has("retry-after")]).toEqual([429, false]);
    await m.close();
    const n = await start({ retryAfterSecs: 5 });
    n.rateLimitNext(1);
    expect((await get(n, `${n.configurationUrl}?${WHOLE_DAY}`)).header("retry-after")).toBe("5");
    n.failNext(1, 503);
    expect((await get(n, `${n.configurationUrl}?${WHOLE_DAY}`)).status).toBe(503);
    expect((await get(n, `${n.configurationUrl}?${WHOLE_DAY}`)).status).toBe(200);
  });

  it("generates the same records for a seed, with realistic configuration fields", async () => {
    const m = await start({ events: 20, seed: 4 });
    const again = await startTailscaleMock({ events: 20, seed: 4 });
    await again.close();
    expect(again.events).toEqual(m.events);
    const [event] = m.events.configuration;
    expect(Object.keys(event ?? {}).slice(0, 7)).toEqual([
      "eventGroupID",
      "origin",
      "actor",
      "target",
      "type",
      "action",
      "eventTime",
    ]);
    expect(event?.eventGroupID).toMatch(/^[0-9a-f]{32}$/);
    expect(event?.eventTime).toBe("2024-05-21T13:00:00.000Z");
    expect(new Set(m.events.configuration.map((e) => e.action)).size).toBeGreaterThan(3);
  });
});
