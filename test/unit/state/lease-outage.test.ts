/**
 * Store outages, played with a private redis-server the test kills and restarts, and with a
 * loopback proxy in front of the shared Redis or PostgreSQL that the test cuts (never by
 * touching the shared servers): replicas stop the sources whose leases they cannot renew, at
 * the latest when the store could have expired them, keep reporting (store unreachable), and
 * take the sources up again when the store is back. No source ever has two holders.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import { sleep } from "../../../runtime/engine/scheduler.ts";
import { sourceSetFingerprint } from "../../../runtime/state/lease.ts";
import { LeaseKeeper, type LeaseKeeperOptions } from "../../../runtime/state/lease-keeper.ts";
import { postgresStore } from "../../../runtime/state/postgres.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { startProxy } from "../../support/tcp-proxy.ts";
import {
  backendNamed,
  deleteByPattern,
  describeBackend,
  POSTGRES_URL,
  REDIS_URL,
  sql,
  uniqueNamespace,
} from "./backends.ts";
import { privateRedisProblem, recorder, startPrivateRedis, virtualTime, watchExclusive } from "./replicas.ts";

const SOURCES = ["github", "okta", "slack", "tailscale"];
const redis = backendNamed("redis");
const postgres = backendNamed("postgres");
const [redisProblem, postgresProblem, privateProblem] = await Promise.all([
  redis.unavailable(),
  postgres.unavailable(),
  privateRedisProblem(),
]);

/** A server the test can take away and bring back, and stores that reach it through that path. */
interface Outage {
  open(): Promise<StateStore>;
  cut(): Promise<void>;
  restore(): Promise<void>;
  destroy(): Promise<void>;
}

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.href;
}

/** A proxy in front of a shared server; the namespace keeps the test's keys or tables apart. */
async function proxied(kind: "redis" | "postgres"): Promise<Outage> {
  const upstream = new URL(kind === "redis" ? REDIS_URL : POSTGRES_URL);
  const proxy = await startProxy(
    upstream.hostname,
    Number(upstream.port || (kind === "redis" ? 6379 : 5432)),
  );
  const namespace = uniqueNamespace();
  const url = withPort(upstream.href, proxy.port);
  return {
    open: () => (kind === "redis" ? redisStore : postgresStore)({ path: "", url, namespace }),
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
    destroy: async () => {
      await proxy.cut().catch(() => undefined);
      if (kind === "postgres") {
        const tables = ["helr_state", "helr_lease", "helr_replica"].map((t) =>
          pg.escapeIdentifier(`${namespace}_${t}`),
        );
        await sql(`DROP TABLE IF EXISTS ${tables.join(", ")}`);
      } else {
        const { Redis } = await import("ioredis");
        const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
        await deleteByPattern(admin, `${namespace}:*`);
        await admin.quit();
      }
    },
  };
}

/** The test's own redis-server, killed and started again (its data goes with it). */
async function privateServer(): Promise<Outage> {
  const server = await startPrivateRedis();
  return {
    open: () => redisStore({ path: "", url: server.url }),
    cut: () => server.kill(),
    restore: () => server.start(),
    destroy: () => server.destroy(),
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function keeperOn(outage: Outage, id: string, options: Partial<LeaseKeeperOptions> = {}) {
  const store = await outage.open();
  cleanup.push(() => store.close().catch(() => undefined));
  const log = recorder();
  const keeper = new LeaseKeeper({
    leases: store.leases as NonNullable<StateStore["leases"]>,
    replicaId: id,
    sources: SOURCES,
    fingerprint: sourceSetFingerprint(SOURCES),
    ttlMs: 1_200,
    renewEveryMs: 200,
    clock: () => performance.now(),
    sleep,
    onEvent: log.onEvent,
    ...options,
  });
  return { keeper, events: log.events };
}

/** Two replicas through `outage`: all sources held; cut; all given up; restored; all held again. */
async function survives(outage: Outage): Promise<void> {
  cleanup.push(() => outage.destroy());
  const replicas = [await keeperOn(outage, "replica-a"), await keeperOn(outage, "replica-b")];
  const control = new AbortController();
  const loops = replicas.map((r) => r.keeper.run(control.signal));
  cleanup.push(async () => {
    control.abort();
    await Promise.all(loops);
  });
  const watcher = watchExclusive(() => replicas.map((r) => r.keeper), SOURCES);
  const held = () => replicas.flatMap((r) => r.keeper.heldSources()).sort();
  try {
    await expect.poll(held, { timeout: 20_000, interval: 50 }).toEqual(SOURCES);
    const before = new Map(replicas.flatMap((r) => r.keeper.heldSources().map((id) => [id, r] as const)));

    await outage.cut();
    await expect.poll(held, { timeout: 20_000, interval: 50 }).toEqual([]);
    for (const r of replicas) {
      expect(r.keeper.snapshot()).toMatchObject({ storeReachable: false, leases: [] });
      expect(r.events).toContainEqual({ type: "unreachable", message: expect.any(String) });
    }
    for (const [id, r] of before) {
      expect(r.events).toContainEqual({
        type: "lost",
        sourceId: id,
        token: expect.any(Number),
        reason: "expired",
      });
    }

    await outage.restore();
    await expect.poll(held, { timeout: 30_000, interval: 50 }).toEqual(SOURCES);
    for (const r of replicas) {
      expect(r.keeper.snapshot().storeReachable).toBe(true);
      expect(r.events).toContainEqual({ type: "reachable" });
    }
  } finally {
    watcher.stop();
  }
  expect(watcher.overlaps).toEqual([]);
}

describeBackend(redis, privateProblem, "leases when a private redis-server dies and comes back", () => {
  it("stops every source while the server is gone and takes them up again after its restart", async () => {
    await survives(await privateServer());
  });
});

describeBackend(redis, redisProblem, "leases when the way to Redis is cut", () => {
  it("stops every source while the proxy is cut and takes them up again when it is restored", async () => {
    await survives(await proxied("redis"));
  });
});

describeBackend(postgres, postgresProblem, "leases when the way to PostgreSQL is cut", () => {
  it("stops every source while the proxy is cut and takes them up again when it is restored", async () => {
    await survives(await proxied("postgres"));
  });

  it("gives a lease up by its own clock at TTL minus the margin after the last renewal it sent", async () => {
    const outage = await proxied("postgres");
    cleanup.push(() => outage.destroy());
    const time = virtualTime();
    const { keeper: k, events } = await keeperOn(outage, "replica-a", {
      sources: ["okta"],
      ttlMs: 10_000,
      clock: time.clock,
      sleep: time.sleep,
    });
    await k.step();
    await k.step();
    expect(k.holds("okta")).toBe(true);
    const signal = k.signalFor("okta") as AbortSignal;
    const { validMs, marginMs } = k.timings;
    expect(validMs).toBe(10_000 - marginMs);

    await outage.cut();
    time.advance(validMs - 1);
    expect(await k.renew("okta")).toBe(true); // unanswered, but the lease cannot have expired yet
    expect(events).toContainEqual({ type: "unreachable", message: expect.stringContaining("PostgreSQL") });
    expect(signal.aborted).toBe(false);
    time.advance(1);
    expect(k.holds("okta")).toBe(false);
    expect(signal.aborted).toBe(true);
    expect(k.fenceFor("okta")).toBeUndefined();
    expect(events.filter((e) => e.type === "lost")).toEqual([
      { type: "lost", sourceId: "okta", token: expect.any(Number), reason: "expired" },
    ]);
  });
});
