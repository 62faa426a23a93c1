import { afterEach, describe, expect, it } from "vitest";
import { createRunEvents, type RunEvent, type RunEvents } from "../../../runtime/observe/events.ts";
import { type Observability, startObservability } from "../../../runtime/server/observability.ts";
import { call } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";

const running: Observability[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((o) => o.close()));
});

const loopback = { address: "127.0.0.1", port: 0 };
const base = {
  version: "0.1.0",
  bundleHash: "abc",
  sources: [{ id: "okta", intervalSecs: 60 }],
  now: Date.now,
  log: recordingLog(),
  stateStoreConnected: () => true,
};
const failedPoll: RunEvent = {
  type: "poll_ended",
  sourceId: "okta",
  atMs: 1,
  durationMs: 1,
  pages: 0,
  events: 0,
  error: { code: "HELR_HTTP_503", message: "HTTP 503" },
};

describe("startObservability", () => {
  it("serves metrics and probes fed by the same bus", async () => {
    const events = createRunEvents();
    const o = await startObservability({ ...base, events, metrics: loopback, api: loopback });
    running.push(o);
    const [metrics, api] = o.servers;
    expect(o.servers.map((s) => s.key)).toEqual(["global.metrics", "global.api"]);
    events.publish(failedPoll);
    expect((await call(`${metrics?.url}/metrics`)).text).toContain('helr_errors_total{source="okta"} 1');
    expect((await call(`${api?.url}/healthz`)).json).toMatchObject({
      sources: { okta: { status: "degraded", last_error: "HTTP 503" } },
    });
    // Each server has only its own routes.
    expect((await call(`${metrics?.url}/healthz`)).status).toBe(404);
    expect((await call(`${api?.url}/metrics`)).status).toBe(404);
  });

  it("without global.metrics there is no registry and no metrics server; health still follows the bus", async () => {
    const events = createRunEvents();
    const o = await startObservability({ ...base, events, api: loopback });
    running.push(o);
    expect(o.metrics).toBeUndefined();
    expect(o.servers.map((s) => s.key)).toEqual(["global.api"]);
    events.publish(failedPoll);
    expect(o.health.source("okta")?.status).toBe("degraded");
  });

  it("plugs extra API routes in behind the bearer check", async () => {
    const o = await startObservability({
      ...base,
      events: createRunEvents(),
      api: {
        ...loopback,
        authorize: (h) => h === "Bearer t",
        routes: [
          { method: "GET", path: "/api/v1/sources", auth: true, handle: () => ({ status: 200, json: {} }) },
        ],
      },
    });
    running.push(o);
    const url = o.servers[0]?.url;
    expect((await call(`${url}/api/v1/sources`)).status).toBe(401);
    expect((await call(`${url}/api/v1/sources`, { headers: { authorization: "Bearer t" } })).status).toBe(
      200,
    );
    expect((await call(`${url}/healthz`)).status).toBe(200);
  });

  it("a bind error leaves nothing subscribed", async () => {
    const inner = createRunEvents();
    let subscribed = 0;
    const events: RunEvents = {
      publish: inner.publish,
      subscribe: (observer) => {
        subscribed++;
        const stop = inner.subscribe(observer);
        return () => {
          subscribed--;
          return stop();
        };
      },
    };
    const clash = { address: "127.0.0.1", port: 9 };
    await expect(startObservability({ ...base, events, metrics: clash, api: clash })).rejects.toMatchObject({
      code: "HELR_SERVER_BIND",
      message:
        "global.metrics.port and global.api.port are both 9 on 127.0.0.1: each server needs its own port",
    });
    expect(subscribed).toBe(0);
  });

  it("close() unsubscribes the observers", async () => {
    const events = createRunEvents();
    const o = await startObservability({ ...base, events, metrics: loopback });
    await o.close();
    events.publish(failedPoll);
    expect(o.health.source("okta")?.status).toBe("ok");
  });
});
