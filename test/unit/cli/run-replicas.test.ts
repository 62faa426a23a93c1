/**
 * What `Replicas` tells the health model: `storeReachable()` turns false while lease-store calls
 * fail (here: a loopback proxy in front of the shared Redis, cut by the test) and true again
 * once they succeed; `held()` lists the sources this replica holds, empty once the leases ran
 * out during the outage; every change is published as a `lease` run event.
 */
import pino from "pino";
import { afterEach, expect, it } from "vitest";
import type { App, BoundSource } from "../../../runtime/app.ts";
import { type Replicas, startReplicas } from "../../../runtime/cli/run-replicas.ts";
import { sleep } from "../../../runtime/engine/scheduler.ts";
import { createRunEvents, type RunEvent } from "../../../runtime/observe/events.ts";
import type { GlobalSpec } from "../../../runtime/spec.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { startProxy, type TcpProxy } from "../../support/tcp-proxy.ts";
import {
  backendNamed,
  deleteByPattern,
  describeBackend,
  REDIS_URL,
  uniqueNamespace,
} from "../state/backends.ts";

const redis = backendNamed("redis");
const problem = await redis.unavailable();
const SOURCES = ["github", "okta", "slack"];

function app(): App {
  const spec = (id: string) => ({ id, resilience: { timeouts: { requestSecs: 0.2 } } });
  const global = {
    state: { backend: "redis" },
    replicas: { enabled: true, leaseTtlSecs: 1, renewEverySecs: 0.1 },
  } as unknown as GlobalSpec;
  return { global, sources: SOURCES.map((id) => ({ spec: spec(id) })), stores: {} } as unknown as App;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await sleep(50, new AbortController().signal);
  if (!ok()) throw new Error(`gave up waiting: ${what}`);
}

describeBackend(redis, problem, "Replicas.storeReachable() and held() on Redis behind a cut proxy", () => {
  let proxy: TcpProxy | undefined;
  let store: StateStore | undefined;
  let replicas: Replicas | undefined;
  const stop = new AbortController();
  const namespace = uniqueNamespace();

  afterEach(async () => {
    await proxy?.restore().catch(() => undefined);
    stop.abort();
    await replicas?.close();
    await store?.close();
    const { Redis } = await import("ioredis");
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteByPattern(admin, `${namespace}:*`);
    await admin.quit();
  });

  it("reports the store unreachable and no source held while the proxy is cut, and recovers", async () => {
    const upstream = new URL(REDIS_URL);
    proxy = await startProxy(upstream.hostname, Number(upstream.port || 6379));
    upstream.port = String(proxy.port);
    store = await redisStore({ path: "", url: upstream.href, namespace });
    const bus = createRunEvents();
    const seen: RunEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const selected = app().sources as readonly BoundSource[];
    const log = pino({ level: "silent" });
    replicas = startReplicas(
      app(),
      store,
      selected,
      { once: false, replayDir: undefined },
      log,
      stop.signal,
      bus,
    );
    const r = replicas as Replicas;

    await until("every source held", () => r.held().length === SOURCES.length);
    expect(r.held()).toEqual(SOURCES);
    expect(r.storeReachable()).toBe(true);

    await proxy.cut();
    await until("the store reported unreachable", () => !r.storeReachable());
    await until("every lease given up", () => r.held().length === 0);
    expect(r.storeReachable()).toBe(false);

    await proxy.restore();
    await until("the store reachable again", () => r.storeReachable());
    await until("every source held again", () => r.held().length === SOURCES.length);

    const lease = seen.filter((e): e is Extract<RunEvent, { type: "lease" }> => e.type === "lease");
    for (const id of SOURCES) {
      // Taken, lost during the outage, taken again.
      expect(lease.filter((e) => e.sourceId === id).map((e) => e.held)).toEqual([true, false, true]);
    }
  }, 30_000);
});
