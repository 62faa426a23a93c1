/**
 * The spread policy against a model of a lease table: replicas join, leave, crash (their leases
 * and membership linger until they expire) and step in any order, some sources busy. Whatever
 * happens, no source has two holders and no step releases more than one lease; once the churn
 * stops, the assignment converges to the balanced targets within a bounded number of rounds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chooseRelease,
  type LeasePlan,
  planLeases,
  preference,
  targets,
} from "../../../runtime/state/lease-plan.ts";

/** Ticks a crashed replica's leases and membership outlive it (the TTL, in model time). */
const TTL = 3;

type Op =
  | { kind: "step"; who: number; busy: boolean[] }
  | { kind: "join" }
  | { kind: "leave"; who: number }
  | { kind: "crash"; who: number }
  | { kind: "tick" };

class Model {
  now = 0;
  /** The store: source → holder and expiry tick. */
  readonly table = new Map<string, { holder: string; expires: number }>();
  /** Membership records: replica → expiry tick. */
  readonly members = new Map<string, number>();
  /** What each live replica believes it holds, and until when (its local deadline). */
  readonly held = new Map<string, Map<string, number>>();
  private next = 0;

  constructor(readonly sources: readonly string[]) {}

  live(): string[] {
    return [...this.held.keys()];
  }

  join(): string {
    const id = `r${this.next++}`;
    this.held.set(id, new Map());
    this.members.set(id, this.now + TTL);
    return id;
  }

  /** One replica's step, as the keeper runs it: heartbeat, renew, plan, acquire, release ≤ 1. */
  step(me: string, busy: (id: string) => boolean): { plan: LeasePlan; released: string[] } {
    this.members.set(me, this.now + TTL);
    const mine = this.held.get(me) as Map<string, number>;
    const before = mine.size;
    for (const id of mine.keys()) this.renew(me, id);
    const holders = new Map([...this.table].map(([id, lease]) => [id, lease.holder]));
    const replicas = [...this.members.keys()];
    const plan = planLeases({ me, sources: this.sources, held: new Set(mine.keys()), holders, replicas });
    for (const id of plan.acquire) {
      expect(holders.get(id) ?? me).toBe(me);
      const lease = this.table.get(id);
      if (lease === undefined || lease.holder === me) this.renew(me, id);
    }
    // Taking free sources never lifts a replica above its target: no grabbing, no stampede.
    expect(mine.size).toBeLessThanOrEqual(Math.max(before, plan.target));
    for (const id of plan.release) expect(mine.has(id)).toBe(true);
    const drop = chooseRelease(plan, (id) => !busy(id));
    if (drop !== undefined) this.drop(me, drop);
    return { plan, released: drop === undefined ? [] : [drop] };
  }

  leave(me: string): void {
    for (const id of this.held.get(me)?.keys() ?? []) this.drop(me, id);
    this.held.delete(me);
    this.members.delete(me);
  }

  /** Gone without a word: its leases and membership stay until they expire. */
  crash(me: string): void {
    this.held.delete(me);
  }

  /**
   * Time passes: the store forgets expired leases and members; a replica gives up a lease one
   * tick before the store could expire it (the keeper's safety margin), so its belief never
   * outlives the lease.
   */
  tick(): void {
    this.now += 1;
    for (const [id, lease] of this.table) if (lease.expires <= this.now) this.table.delete(id);
    for (const [id, expires] of this.members) if (expires <= this.now) this.members.delete(id);
    for (const mine of this.held.values()) {
      for (const [id, deadline] of mine) if (deadline <= this.now) mine.delete(id);
    }
  }

  private renew(me: string, id: string): void {
    this.table.set(id, { holder: me, expires: this.now + TTL });
    this.held.get(me)?.set(id, this.now + TTL - 1);
  }

  private drop(me: string, id: string): void {
    this.held.get(me)?.delete(id);
    if (this.table.get(id)?.holder === me) this.table.delete(id);
  }

  /** No source believed held by two live replicas; every belief is backed by the table. */
  checkExclusive(): void {
    const owner = new Map<string, string>();
    for (const [replica, mine] of this.held) {
      for (const id of mine.keys()) {
        expect(owner.get(id), `${id} held by ${owner.get(id)} and ${replica}`).toBeUndefined();
        owner.set(id, replica);
        expect(this.table.get(id)?.holder).toBe(replica);
      }
    }
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("step"),
      who: fc.nat(),
      busy: fc.array(fc.boolean(), { maxLength: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("join") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("leave"), who: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash"), who: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("tick") }) },
) as fc.Arbitrary<Op>;

describe("lease spread", () => {
  it("never has two holders, releases at most one lease per step, and converges to balanced targets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb, { maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        (sourceCount, initial, ops, order) => {
          const sources = Array.from({ length: sourceCount }, (_, i) => `s${i}`);
          const model = new Model(sources);
          for (let i = 0; i < initial; i++) model.join();
          for (const op of ops) {
            const live = model.live();
            const who = "who" in op ? live[op.who % Math.max(1, live.length)] : undefined;
            if (op.kind === "step" && who !== undefined) {
              const busy = (id: string) => op.busy[sources.indexOf(id)] ?? false;
              expect(model.step(who, busy).released.length).toBeLessThanOrEqual(1);
            }
            if (op.kind === "join") model.join();
            if (op.kind === "leave" && who !== undefined) model.leave(who);
            if (op.kind === "crash" && who !== undefined) model.crash(who);
            if (op.kind === "tick") model.tick();
            model.checkExclusive();
          }
          if (model.live().length === 0) model.join();
          // Churn is over: let what the crashed replicas left behind expire, then run rounds.
          for (let t = 0; t <= TTL; t++) {
            for (const id of model.live()) model.step(id, () => false);
            model.tick();
          }
          const rounds = sourceCount + 2;
          for (let round = 0; round < rounds; round++) {
            const live = model.live();
            const start = (order[round % order.length] ?? 0) % live.length;
            for (let k = 0; k < live.length; k++) {
              expect(
                model.step(live[(start + k) % live.length] as string, () => false).released.length,
              ).toBeLessThanOrEqual(1);
              model.checkExclusive();
            }
          }
          const want = targets(sourceCount, model.live());
          const have = new Map(model.live().map((id) => [id, model.held.get(id)?.size ?? 0]));
          expect(have).toEqual(want);
          expect(model.table.size).toBe(sourceCount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives every replica its share, ceil or floor, and never more than ceil(n / r)", () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 9 }),
        (n, ids) => {
          const shares = [...targets(n, ids).values()];
          expect(shares.reduce((a, b) => a + b, 0)).toBe(n);
          for (const share of shares) {
            expect(share).toBeLessThanOrEqual(Math.ceil(n / ids.length));
            expect(share).toBeGreaterThanOrEqual(Math.floor(n / ids.length));
          }
        },
      ),
    );
  });

  it("does not let one replica take every source while others idle", () => {
    const sources = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const holders = new Map(sources.map((id) => [id, "a"] as const));
    const plan = planLeases({ me: "a", sources, held: new Set(sources), holders, replicas: ["a", "b", "c"] });
    expect(plan.target).toBe(4);
    expect(plan.acquire).toEqual([]);
    expect(plan.release).toHaveLength(10);
    expect(chooseRelease(plan, (id) => id !== plan.release[0])).toBe(plan.release[1]);
    // The newcomer waits for the sources to be released, one per step: gradual, not a stampede.
    const newcomer = planLeases({ me: "c", sources, held: new Set(), holders, replicas: ["a", "b", "c"] });
    expect(newcomer).toMatchObject({ target: 3, acquire: [], release: [] });
  });

  it("spreads first choices: replicas rank the same free sources differently", () => {
    const sources = Array.from({ length: 8 }, (_, i) => `source-${i}`);
    const first = new Set(
      ["web-1-100-aa", "web-1-101-ab", "web-2-100-aa", "web-3-7-ff"].map(
        (me) =>
          planLeases({ me, sources, held: new Set(), holders: new Map(), replicas: [me, "x", "y", "z"] })
            .acquire[0],
      ),
    );
    expect(first.size).toBeGreaterThan(1);
    expect(preference("a", "s")).toBe(preference("a", "s"));
  });
});
