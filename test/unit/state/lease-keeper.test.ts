/**
 * LeaseKeeper on the real Redis and PostgreSQL, with simulated replicas in one process (each
 * on its own connections): balanced, gradual spread as replicas join and leave; failover
 * after a crash, resuming from the crashed replica's checkpoints; a paused replica fenced off;
 * leases given up by the local clock when the store stops answering.
 */
import { performance } from "node:perf_hooks";
import { afterEach, beforeEach, expect, it } from "vitest";
import { sleep } from "../../../runtime/engine/scheduler.ts";
import { fencedStore } from "../../../runtime/state/fenced.ts";
import { sourceSetFingerprint } from "../../../runtime/state/lease.ts";
import { LeaseKeeper, type LeaseKeeperOptions } from "../../../runtime/state/lease-keeper.ts";
import { StateError, type StateStore } from "../../../runtime/state/store.ts";
import { backendNamed, describeBackend, type Fixture } from "./backends.ts";
import { recorder, virtualTime, watchExclusive } from "./replicas.ts";

const NETWORKED = [backendNamed("redis"), backendNamed("postgres")];
const availability = await Promise.all(NETWORKED.map(async (b) => [b, await b.unavailable()] as const));

const SOURCES = ["github", "google", "okta", "onepassword", "slack", "tailscale", "zoom"];

interface Replica {
  readonly keeper: LeaseKeeper;
  readonly store: StateStore;
  readonly events: ReturnType<typeof recorder>["events"];
  /** Stops the background loop (started by {@link Replica.start}). */
  stop(): Promise<void>;
  start(): void;
}

/** Sorted share sizes, and whether every source has exactly one holder among `replicas`. */
function spread(replicas: readonly Replica[], sources = SOURCES) {
  const held = replicas.map((r) => r.keeper.heldSources());
  const all = held.flat();
  return {
    sizes: held.map((h) => h.length).sort((a, b) => a - b),
    complete: all.length === sources.length && new Set(all).size === sources.length,
  };
}

/** One step of `r`, then whether it holds `sourceId`. */
async function stepped(r: Replica, sourceId: string): Promise<boolean> {
  await r.keeper.step();
  return r.keeper.holds(sourceId);
}

const released = (r: Replica) => r.events.filter((e) => e.type === "released").length;

for (const [backend, problem] of availability) {
  describeBackend(backend, problem, `${backend.name} lease keeper`, () => {
    let fixture: Fixture;
    const replicas: Replica[] = [];
    let next = 0;

    const replica = async (options: Partial<LeaseKeeperOptions> & { sources?: readonly string[] } = {}) => {
      const store = await fixture.open();
      const { events, onEvent } = recorder();
      const sources = options.sources ?? SOURCES;
      const keeper = new LeaseKeeper({
        leases: store.leases as NonNullable<StateStore["leases"]>,
        replicaId: `replica-${next++}`,
        sources,
        fingerprint: sourceSetFingerprint(sources),
        ttlMs: 30_000,
        clock: () => performance.now(),
        sleep,
        onEvent,
        ...options,
      });
      let loop: { control: AbortController; done: Promise<void> } | undefined;
      const r: Replica = {
        keeper,
        store,
        events,
        start: () => {
          const control = new AbortController();
          loop = { control, done: keeper.run(control.signal) };
        },
        stop: async () => {
          loop?.control.abort();
          await loop?.done;
          loop = undefined;
        },
      };
      replicas.push(r);
      return r;
    };

    /** Rounds of one step per replica; a step never gives up more than one lease. */
    const rounds = async (group: readonly Replica[], count: number) => {
      for (let round = 0; round < count; round++) {
        for (const r of group) {
          const before = released(r);
          await r.keeper.step();
          expect(released(r) - before).toBeLessThanOrEqual(1);
          expect(spread(group).sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(SOURCES.length);
        }
      }
    };

    beforeEach(async () => {
      fixture = await backend.fixture();
    });
    afterEach(async () => {
      for (const r of replicas.splice(0)) {
        await r.stop();
        await r.store.close().catch(() => undefined);
      }
      await fixture.destroy();
    });

    it("spreads sources over three replicas, then rebalances gradually as one joins and one leaves", async () => {
      const three = [await replica(), await replica(), await replica()];
      await rounds(three, 2);
      expect(spread(three)).toEqual({ sizes: [2, 2, 3], complete: true });

      const fourth = await replica();
      const four = [...three, fourth];
      await rounds(four, SOURCES.length + 2);
      expect(spread(four)).toEqual({ sizes: [1, 2, 2, 2], complete: true });
      // The newcomer got its share only from sources the others handed over, none taken by force.
      const handedOver = three.flatMap((r) => r.events.filter((e) => e.type === "released"));
      expect(fourth.events.filter((e) => e.type === "acquired")).toHaveLength(handedOver.length);
      expect([...three, fourth].flatMap((r) => r.events.filter((e) => e.type === "lost"))).toEqual([]);

      const [leaving, ...rest] = four as [Replica, ...Replica[]];
      const had = leaving.keeper.heldSources();
      await leaving.keeper.releaseAll();
      expect(leaving.keeper.heldSources()).toEqual([]);
      expect(
        leaving.events.filter((e) => e.type === "released").map((e) => "sourceId" in e && e.sourceId),
      ).toEqual(expect.arrayContaining(had));
      await rounds(rest, SOURCES.length + 2);
      expect(spread(rest)).toEqual({ sizes: [2, 2, 3], complete: true });
      expect((await leaving.store.leases?.members())?.map((m) => m.replicaId)).not.toContain(
        leaving.keeper.replicaId,
      );
    });

    it("never releases a source its poller says is busy", async () => {
      const first = await replica({ mayRelease: (id) => id !== "okta" });
      await rounds([first], 2);
      expect(first.keeper.heldSources()).toEqual([...SOURCES].sort());
      const second = await replica();
      await rounds([first, second], SOURCES.length + 2);
      expect(first.keeper.holds("okta")).toBe(true);
      expect(spread([first, second])).toEqual({ sizes: [3, 4], complete: true });
    });

    it("fails over: a crashed replica's sources go to the others after the TTL, resuming from its checkpoints", async () => {
      const options = { ttlMs: 1_500, renewEveryMs: 250 };
      const group = [await replica(options), await replica(options), await replica(options)];
      let live = [...group];
      const watcher = watchExclusive(() => live.map((r) => r.keeper), SOURCES);
      try {
        for (const r of group) r.start();
        await expect.poll(() => spread(group).complete, { timeout: 20_000, interval: 50 }).toBe(true);
        const [crashed, ...survivors] = group as [Replica, ...Replica[]];
        const lost = crashed.keeper.heldSources();
        const tokens = new Map(lost.map((id) => [id, crashed.keeper.tokenFor(id) as number]));
        const state = fencedStore(crashed.store, crashed.keeper);
        for (const id of lost) await state.commit(id, { position: `page-after-${id}` });

        // kill -9: no release, no goodbye; the loop and the connections just stop.
        live = survivors;
        await crashed.stop();
        await crashed.store.close();
        await expect.poll(() => spread(survivors).complete, { timeout: 20_000, interval: 50 }).toBe(true);
        for (const id of lost) {
          const holder = survivors.find((r) => r.keeper.holds(id)) as Replica;
          expect(holder.keeper.tokenFor(id)).toBeGreaterThan(tokens.get(id) as number);
          expect(await holder.store.read(id)).toEqual({ position: `page-after-${id}` });
          await fencedStore(holder.store, holder.keeper).commit(id, { position: "next" });
        }
      } finally {
        watcher.stop();
      }
      expect(watcher.overlaps).toEqual([]);
    });

    it("fences off a paused replica: once its lease was taken it cannot commit, and the rows stay untouched", async () => {
      const paused = virtualTime(); // the paused replica's clock stands still: it believes it still holds
      const a = await replica({ sources: ["okta"], ttlMs: 600, clock: paused.clock, sleep: paused.sleep });
      const b = await replica({ sources: ["okta"], ttlMs: 30_000 });
      await rounds([a], 2);
      expect(a.keeper.holds("okta")).toBe(true);
      const stale = fencedStore(a.store, a.keeper);
      await stale.commit("okta", { position: "1", watermark: "a" });

      await expect.poll(() => stepped(b, "okta"), { timeout: 10_000, interval: 100 }).toBe(true);
      await fencedStore(b.store, b.keeper).commit("okta", { position: "2", watermark: null });

      expect(a.keeper.holds("okta")).toBe(true);
      const error = await stale.commit("okta", { position: "stale", other: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe("HELR_LEASE_LOST");
      expect(await b.store.read("okta")).toEqual({ position: "2" });
      expect(a.keeper.holds("okta")).toBe(false);
      expect(a.events.at(-1)).toEqual({
        type: "lost",
        sourceId: "okta",
        token: expect.any(Number),
        reason: "fenced",
      });
      await expect(stale.commit("okta", { position: "again" })).rejects.toMatchObject({
        code: "HELR_LEASE_LOST",
      });
    });

    it("notices at the next renewal that the store gave its lease to another replica", async () => {
      const paused = virtualTime();
      const a = await replica({ sources: ["okta"], ttlMs: 400, clock: paused.clock, sleep: paused.sleep });
      const b = await replica({ sources: ["okta"] });
      await rounds([a], 2);
      const signal = a.keeper.signalFor("okta") as AbortSignal;
      await expect.poll(() => stepped(b, "okta"), { timeout: 10_000, interval: 100 }).toBe(true);
      expect(await a.keeper.renew("okta")).toBe(false);
      expect(signal.aborted).toBe(true);
      expect(a.events.at(-1)).toMatchObject({ type: "lost", sourceId: "okta", reason: "superseded" });
      expect(a.keeper.snapshot()).toEqual({
        replicaId: a.keeper.replicaId,
        storeReachable: true,
        leases: [],
      });
      expect(b.keeper.snapshot().leases).toEqual([
        { sourceId: "okta", token: b.keeper.tokenFor("okta"), validForMs: expect.any(Number) },
      ]);
    });

    it("refuses to commit a source this replica does not hold, without asking the store", async () => {
      const a = await replica({ sources: ["okta", "github"] });
      const b = await replica({ sources: ["okta", "github"] });
      await rounds([a, b], 2);
      const [notMine] = ["okta", "github"].filter((id) => !a.keeper.holds(id));
      expect(b.keeper.holds(notMine as string)).toBe(true);
      await expect(
        fencedStore(a.store, a.keeper).commit(notMine as string, { k: "v" }),
      ).rejects.toMatchObject({
        code: "HELR_LEASE_LOST",
        message: expect.stringContaining("this replica does not hold its lease"),
      });
      expect(await a.store.read(notMine as string)).toEqual({});
    });

    it("warns about replicas that run a different set of sources, and spreads over its own kind only", async () => {
      const a = await replica({ sources: ["okta", "github"] });
      const other = await replica({ sources: ["okta", "slack"] });
      await rounds([other, a], 1);
      const warning = a.events.find((e) => e.type === "mismatch");
      expect(warning).toMatchObject({ replicaIds: [other.keeper.replicaId] });
      expect(warning && "message" in warning && warning.message).toContain("different set of sources");
      // Each bundle spreads over its own replicas; a shared source still has one holder.
      await rounds([a, other], 3);
      expect(a.keeper.holds("github")).toBe(true);
      expect(other.keeper.holds("slack")).toBe(true);
      expect([a, other].filter((r) => r.keeper.holds("okta"))).toHaveLength(1);
      expect(a.events.filter((e) => e.type === "mismatch")).toHaveLength(1);
    });
  });
}
