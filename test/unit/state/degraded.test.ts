/**
 * global.degradation: the memory fallback when the primary cannot be opened or fails mid-run,
 * the retries of the primary and the hand-back of the newest positions; against the real Redis
 * and Postgres through a loopback proxy the test cuts (the shared servers are never stopped).
 */
import { describe, expect, it } from "vitest";
import { type DegradedStore, degradedStore } from "../../../runtime/state/degraded.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { postgresStore } from "../../../runtime/state/postgres.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import { StateError, type StateStore, type StoreFactory } from "../../../runtime/state/store.ts";
import { startProxy } from "../../support/tcp-proxy.ts";
import { backendNamed, describeBackend, POSTGRES_URL, REDIS_URL, uniqueNamespace } from "./backends.ts";

const SPEC = {
  stateStoreFallback: "memory",
  emitWithoutCheckpoint: false,
  reducedFrequencyMultiplier: 2,
} as const;
const quiet = { info: () => undefined, warn: () => undefined };

/** A sleep the test releases by hand, one wait at a time. */
function manualSleep() {
  const waits: (() => void)[] = [];
  return {
    sleep: (_ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        waits.push(resolve);
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    async tick() {
      await expect.poll(() => waits.length, { timeout: 20_000 }).toBeGreaterThan(0);
      waits.shift()?.();
    },
  };
}

function fallbackDeps(extra: object = {}) {
  return { log: quiet, fallback: () => memoryStore({ path: "" }), ...extra };
}

describe("degraded store with a scripted primary", () => {
  it("a primary that cannot be opened: state in memory, then written to the primary once it opens", async () => {
    const primary = await memoryStore({ path: "" });
    let up = false;
    const open = async () => {
      if (!up) throw new StateError("HELR_STATE_CONNECT", "down");
      return primary;
    };
    const clock = manualSleep();
    const changes: boolean[] = [];
    const store = await degradedStore(
      open,
      SPEC,
      fallbackDeps({ sleep: clock.sleep, onChange: (a: boolean) => changes.push(a) }),
    );
    expect(store.fallbackActive).toBe(true);
    await store.commit("okta", { cursor: "1" });
    await store.commit("okta", { cursor: "2", gone: null });
    expect(await store.read("okta")).toEqual({ cursor: "2" });
    await clock.tick(); // the primary is still down
    expect(store.fallbackActive).toBe(true);
    up = true;
    await clock.tick();
    await expect.poll(() => store.fallbackActive).toBe(false);
    expect(await primary.read("okta")).toEqual({ cursor: "2" });
    await store.commit("okta", { cursor: "3" });
    expect(await primary.read("okta")).toEqual({ cursor: "3" });
    expect(changes).toEqual([true, false]);
    await store.close();
  });

  it("without a fallback, a primary that cannot be opened still fails the start", async () => {
    const open = async (): Promise<StateStore> => {
      throw new StateError("HELR_STATE_CONNECT", "down");
    };
    const spec = { emitWithoutCheckpoint: false, reducedFrequencyMultiplier: 2 };
    await expect(degradedStore(open, spec, fallbackDeps())).rejects.toThrow("down");
  });

  it("emit_without_checkpoint: a failed write is skipped and the store reports degraded until one succeeds", async () => {
    const primary = await memoryStore({ path: "" });
    let failing = true;
    const flaky: StateStore = {
      ...primary,
      commit: async (id, changes) => {
        if (failing) throw new StateError("HELR_STATE_WRITE", "write failed");
        return primary.commit(id, changes);
      },
    };
    const store: DegradedStore = await degradedStore(
      async () => flaky,
      { emitWithoutCheckpoint: true, reducedFrequencyMultiplier: 2 },
      fallbackDeps(),
    );
    await store.commit("okta", { cursor: "1" });
    expect(store.degraded).toBe(true);
    expect(await primary.read("okta")).toEqual({});
    failing = false;
    await store.commit("okta", { cursor: "2" });
    expect(store.degraded).toBe(false);
    expect(await primary.read("okta")).toEqual({ cursor: "2" });
  });
});

const cases: [string, StoreFactory, string, number][] = [
  ["redis", redisStore, REDIS_URL, 6379],
  ["postgres", postgresStore, POSTGRES_URL, 5432],
];
for (const [name, factory, url, defaultPort] of cases) {
  const backend = backendNamed(name);
  const problem = await backend.unavailable();
  describeBackend(backend, problem, `degraded ${name} store behind a proxy the test cuts`, () => {
    it("a mid-run failure keeps the positions in memory; when the server is back they are written to it", async () => {
      const upstream = new URL(url);
      const proxy = await startProxy(upstream.hostname, Number(upstream.port || defaultPort));
      const viaProxy = new URL(url);
      viaProxy.port = String(proxy.port);
      const namespace = uniqueNamespace();
      // Retries every 20 ms, so the test does not wait for the production backoff.
      const store = await degradedStore(
        () => factory({ path: "", url: viaProxy.href, namespace }),
        SPEC,
        fallbackDeps({ retryMs: { first: 20, max: 20 } }),
      );
      const direct = await factory({ path: "", url, namespace });
      try {
        expect(await store.read("okta")).toEqual({});
        await store.commit("okta", { cursor: "1" });
        await proxy.cut();
        await store.commit("okta", { cursor: "2" }); // falls back instead of failing
        expect(store.fallbackActive).toBe(true);
        await store.commit("okta", { cursor: "3", mark: "m" });
        expect(await store.read("okta")).toEqual({ cursor: "3", mark: "m" });
        expect(await direct.read("okta")).toEqual({ cursor: "1" });
        await proxy.restore();
        await expect.poll(() => store.fallbackActive, { timeout: 20_000 }).toBe(false);
        expect(await direct.read("okta")).toEqual({ cursor: "3", mark: "m" });
      } finally {
        await store.close();
        await direct.clear("okta");
        await direct.close();
        await proxy.cut().catch(() => undefined);
      }
    }, 60_000);
  });
}
