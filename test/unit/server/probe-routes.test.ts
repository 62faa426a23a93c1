import { afterEach, describe, expect, it } from "vitest";
import { createRunEvents } from "../../../runtime/observe/events.ts";
import { createHealth } from "../../../runtime/observe/health.ts";
import { createMetrics } from "../../../runtime/observe/metrics.ts";
import { type HttpServer, startHttpServer } from "../../../runtime/server/http-server.ts";
import {
  bounded,
  type HealthRoutesOptions,
  healthRoutes,
  metricsRoute,
  type Probe,
} from "../../../runtime/server/probe-routes.ts";
import { call } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const never: Probe = () => new Promise<boolean>(() => {});

async function serve(options: Partial<HealthRoutesOptions> = {}) {
  const health = createHealth({ sources: ["okta"], now: Date.now });
  const routes = healthRoutes({
    version: "0.1.0",
    health,
    now: Date.now,
    stateStoreConnected: () => true,
    ...options,
  });
  const server = await startHttpServer({
    bind: { key: "global.api", address: "127.0.0.1", port: 0 },
    routes,
    log: recordingLog(),
  });
  servers.push(server);
  return { server, health };
}

describe("probe routes", () => {
  it("/healthz, /readyz and /startupz answer JSON from the model", async () => {
    const { server, health } = await serve();
    const healthz = await call(`${server.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(healthz.json).toMatchObject({ version: "0.1.0", sources: { okta: { status: "ok" } } });
    expect((await call(`${server.url}/readyz`)).json).toMatchObject({
      ready: true,
      state_store_connected: true,
    });
    expect((await call(`${server.url}/startupz`)).status).toBe(503);
    health.markStarted();
    expect((await call(`${server.url}/startupz`)).json).toMatchObject({ started: true });
  });

  it("/readyz is 503 when the store probe hangs, throws or says no, without holding the request", async () => {
    for (const probe of [never, () => Promise.reject(new Error("ECONNREFUSED")), () => false]) {
      const { server } = await serve({ stateStoreConnected: probe, probeTimeoutMs: 50 });
      const answer = await call(`${server.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({
        ready: false,
        state_store_connected: false,
        output_writable: true,
      });
    }
  });

  it("/readyz runs the output probe when there is one", async () => {
    const { server } = await serve({ outputWritable: () => false });
    expect((await call(`${server.url}/readyz`)).json).toMatchObject({ ready: false, output_writable: false });
  });

  it("bounded() is true only for a probe answering true in time", async () => {
    expect(await bounded(() => true, 50)).toBe(true);
    expect(await bounded(async () => true, 50)).toBe(true);
    expect(await bounded(never, 10)).toBe(false);
    expect(
      await bounded(() => {
        throw new Error("sync throw");
      }, 50),
    ).toBe(false);
    expect(await bounded(() => "yes" as unknown as boolean, 50)).toBe(false);
  });

  it("/metrics serves the registry's text with its content type", async () => {
    const events = createRunEvents();
    const metrics = createMetrics({
      version: "0.1.0",
      bundleHash: "abc",
      sources: [{ id: "okta", intervalSecs: 60 }],
      now: Date.now,
    });
    events.subscribe(metrics.observe);
    const server = await startHttpServer({
      bind: { key: "global.metrics", address: "127.0.0.1", port: 0 },
      routes: [metricsRoute(metrics)],
      log: recordingLog(),
    });
    servers.push(server);
    events.publish({
      type: "written",
      sourceId: "okta",
      emitted: 3,
      filtered: 0,
      duplicates: 0,
      oversized: 0,
    });
    const answer = await call(`${server.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(answer.text).toContain('helr_events_emitted_total{source="okta"} 3');
    expect((await call(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
  });
});
