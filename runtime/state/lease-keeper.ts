import { bounded } from "./bounded.ts";
import type { Fence, LeaseStore, Member } from "./lease.ts";
import { mismatchMessage } from "./lease-errors.ts";
import { chooseRelease, planLeases } from "./lease-plan.ts";
import { type LeaseTimings, leaseTimings } from "./lease-settings.ts";
import { sortIds } from "./names.ts";

/** Why a replica stopped holding a lease it did not give up itself. */
export type LossReason =
  /** No renewal succeeded for TTL − margin (store unreachable, replica paused): it could have expired. */
  | "expired"
  /** The store no longer has it under this replica with this token (it expired there, or was taken). */
  | "superseded"
  /** A checkpoint was refused with `HELR_LEASE_LOST`. */
  | "fenced";

/** What the keeper reports, for logs, metrics and health. */
export type LeaseEvent =
  | { readonly type: "acquired" | "renewed" | "released"; readonly sourceId: string; readonly token: number }
  | { readonly type: "lost"; readonly sourceId: string; readonly token: number; readonly reason: LossReason }
  | { readonly type: "unreachable"; readonly message: string }
  | { readonly type: "reachable" }
  | { readonly type: "mismatch"; readonly replicaIds: readonly string[]; readonly message: string };

export interface LeaseKeeperOptions {
  readonly leases: LeaseStore;
  /** This replica ({@link newReplicaId}); the holder of its leases. */
  readonly replicaId: string;
  /** The bundle's source ids. */
  readonly sources: readonly string[];
  /** {@link sourceSetFingerprint} of `sources`, recorded with the membership. */
  readonly fingerprint: string;
  readonly ttlMs: number;
  /** Heartbeat, renewal and rebalancing period; default a third of the TTL. */
  readonly renewEveryMs?: number;
  /** Monotonic milliseconds (`performance.now`), never the wall clock. */
  readonly clock: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Whether a source may be given up now (it is not being polled); default: always. */
  readonly mayRelease?: (sourceId: string) => boolean;
  readonly onEvent?: (event: LeaseEvent) => void;
}

/** What {@link LeaseKeeper.snapshot} reports. */
export interface KeeperSnapshot {
  readonly replicaId: string;
  /** False from a failed store call until the next one that succeeds. */
  readonly storeReachable: boolean;
  /** Held leases, sorted by source; `validForMs` is how long this replica still trusts each. */
  readonly leases: readonly {
    readonly sourceId: string;
    readonly token: number;
    readonly validForMs: number;
  }[];
}

interface Held {
  readonly token: number;
  /** Local monotonic time until which the lease is trusted: renewal sent + TTL − margin. */
  deadline: number;
  /** Aborted when this replica stops holding the lease, for whatever reason. */
  readonly ended: AbortController;
}

/**
 * Holds this replica's leases: takes its share of the sources, renews them, gives up surplus
 * one at a time, and stops trusting a lease the moment the store could have expired it.
 *
 * Expiry is measured from when the last successful renewal was *sent*, on the local monotonic
 * clock, minus a safety margin: the store set its expiry no earlier than that, so this replica
 * always gives a lease up before another one can get it — with the store unreachable too.
 */
export class LeaseKeeper {
  readonly timings: LeaseTimings;
  private readonly held = new Map<string, Held>();
  private readonly renewing = new Map<string, Promise<boolean>>();
  private reachable = true;
  private closed = false;
  private announced = false;
  private mismatch = "";

  constructor(private readonly options: LeaseKeeperOptions) {
    this.timings = leaseTimings(options.ttlMs, options.renewEveryMs);
  }

  get replicaId(): string {
    return this.options.replicaId;
  }

  /** True while this replica holds the source's lease; poll a source only when this is true. */
  holds(sourceId: string): boolean {
    const held = this.held.get(sourceId);
    if (held === undefined) return false;
    if (this.options.clock() < held.deadline) return true;
    this.lose(sourceId, held, "expired");
    return false;
  }

  /** The fence for a checkpoint of this source, while it is held. */
  fenceFor(sourceId: string): Fence | undefined {
    return this.holds(sourceId) ? { holder: this.replicaId, token: this.tokenOf(sourceId) } : undefined;
  }

  /** The current lease token of a held source. */
  tokenFor(sourceId: string): number | undefined {
    return this.fenceFor(sourceId)?.token;
  }

  /** Aborts when this replica stops holding the source: pass it to the source's poll. */
  signalFor(sourceId: string): AbortSignal | undefined {
    return this.holds(sourceId) ? this.held.get(sourceId)?.ended.signal : undefined;
  }

  /** The sources held now, sorted. */
  heldSources(): string[] {
    return sortIds([...this.held.keys()].filter((id) => this.holds(id)));
  }

  /** For the health JSON and metrics: this replica, whether the store answers, each held lease. */
  snapshot(): KeeperSnapshot {
    const now = this.options.clock();
    return {
      replicaId: this.replicaId,
      storeReachable: this.reachable,
      leases: this.heldSources().map((sourceId) => {
        const held = this.held.get(sourceId) as Held;
        return { sourceId, token: held.token, validForMs: Math.max(0, Math.round(held.deadline - now)) };
      }),
    };
  }

  /**
   * Renews one lease now (call before every page). True while it is still held; false once it
   * is lost. A store that does not answer is not a loss by itself: the lease stays trusted
   * until its deadline. Concurrent calls for one source share one round trip.
   */
  renew(sourceId: string): Promise<boolean> {
    const held = this.held.get(sourceId);
    if (held === undefined || !this.holds(sourceId)) return Promise.resolve(false);
    let pending = this.renewing.get(sourceId);
    if (pending === undefined) {
      pending = this.renewOnce(sourceId, held).finally(() => this.renewing.delete(sourceId));
      this.renewing.set(sourceId, pending);
    }
    return pending;
  }

  /** Records that a checkpoint with `token` was refused: the source stops at once. */
  markLost(sourceId: string, token: number): void {
    const held = this.held.get(sourceId);
    if (held !== undefined && held.token === token) this.lose(sourceId, held, "fenced");
  }

  /**
   * One round: heartbeat the membership, renew every lease, then take free sources up to this
   * replica's share and give up at most one surplus source that `mayRelease` allows. The first
   * round only announces this replica, so replicas started together see each other before any
   * of them takes a source (otherwise the first would take all and hand them out one by one).
   */
  async step(): Promise<void> {
    if (this.closed) return;
    const { leases, replicaId, sources, fingerprint, ttlMs } = this.options;
    try {
      const members = await this.bounded(() => leases.heartbeat(replicaId, fingerprint, ttlMs));
      this.reached();
      const peers = this.peers(members);
      if (!this.announced) {
        this.announced = true;
        return;
      }
      await Promise.all([...this.held.keys()].map((id) => this.renew(id)));
      const listed = await this.bounded(() => leases.list(sources));
      this.reached();
      const held = new Set(this.heldSources());
      const holders = new Map(listed.map((lease) => [lease.sourceId, lease.holder]));
      const plan = planLeases({ me: replicaId, sources, held, holders, replicas: peers });
      await Promise.all(plan.acquire.map((id) => this.acquire(id)));
      const drop = chooseRelease(plan, this.options.mayRelease ?? (() => true));
      if (drop !== undefined) await this.release(drop);
    } catch (error) {
      this.unreachable(error);
    }
  }

  /** Runs {@link step} every renewal period until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.closed) {
      await this.step();
      await this.options.sleep(this.timings.renewEveryMs, signal);
    }
  }

  /** Graceful shutdown, after the polls have ended: give every lease up and leave the membership. */
  async releaseAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.held.keys()].map((id) => this.release(id)));
    await this.bounded(() => this.options.leases.leave(this.replicaId)).catch((error) =>
      this.unreachable(error),
    );
  }

  private async acquire(sourceId: string): Promise<void> {
    const sent = this.options.clock();
    const lease = await this.bounded(() =>
      this.options.leases.acquire(sourceId, this.replicaId, this.options.ttlMs),
    );
    if (lease === undefined) return;
    const held: Held = {
      token: lease.token,
      deadline: sent + this.timings.validMs,
      ended: new AbortController(),
    };
    this.held.set(sourceId, held);
    this.emit({ type: "acquired", sourceId, token: lease.token });
    if (this.closed) return this.release(sourceId);
    void this.watch(sourceId, held);
  }

  private async release(sourceId: string): Promise<void> {
    const held = this.held.get(sourceId);
    if (held === undefined) return;
    // Synchronously first: from here on holds() is false, so no new poll or commit starts.
    this.held.delete(sourceId);
    held.ended.abort();
    const fence = { holder: this.replicaId, token: held.token };
    await this.bounded(() => this.options.leases.release(sourceId, fence)).catch((error) =>
      this.unreachable(error),
    );
    this.emit({ type: "released", sourceId, token: held.token });
  }

  private async renewOnce(sourceId: string, held: Held): Promise<boolean> {
    const sent = this.options.clock();
    const fence = { holder: this.replicaId, token: held.token };
    let renewed: boolean;
    try {
      renewed = await this.bounded(() => this.options.leases.renew(sourceId, fence, this.options.ttlMs));
    } catch (error) {
      this.unreachable(error);
      return this.holds(sourceId);
    }
    this.reached();
    if (this.held.get(sourceId) !== held) return false;
    if (!renewed) {
      this.lose(sourceId, held, "superseded");
      return false;
    }
    held.deadline = Math.max(held.deadline, sent + this.timings.validMs);
    this.emit({ type: "renewed", sourceId, token: held.token });
    return this.holds(sourceId);
  }

  /** Gives the lease up locally when its deadline passes without a renewal. */
  private async watch(sourceId: string, held: Held): Promise<void> {
    while (this.held.get(sourceId) === held) {
      const left = held.deadline - this.options.clock();
      if (left <= 0) return this.lose(sourceId, held, "expired");
      await this.options.sleep(left, held.ended.signal);
    }
  }

  private lose(sourceId: string, held: Held, reason: LossReason): void {
    if (this.held.get(sourceId) !== held) return;
    this.held.delete(sourceId);
    held.ended.abort();
    this.emit({ type: "lost", sourceId, token: held.token, reason });
  }

  /** The live replicas running this bundle; warns once per change about those that run another. */
  private peers(members: readonly Member[]): string[] {
    const foreign = members.filter((m) => m.fingerprint !== this.options.fingerprint);
    const key = foreign.map((m) => `${m.replicaId}=${m.fingerprint}`).join(",");
    if (key !== this.mismatch && foreign.length > 0) {
      const replicaIds = foreign.map((m) => m.replicaId);
      this.emit({
        type: "mismatch",
        replicaIds,
        message: mismatchMessage(replicaIds, this.options.fingerprint),
      });
    }
    this.mismatch = key;
    return members.filter((m) => m.fingerprint === this.options.fingerprint).map((m) => m.replicaId);
  }

  private tokenOf(sourceId: string): number {
    return (this.held.get(sourceId) as Held).token;
  }

  /** A store call that gives up after one renewal period, so a hung connection cannot stall the loop. */
  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return bounded(call, this.timings.renewEveryMs, this.options.sleep, "the lease store");
  }

  private unreachable(error: unknown): void {
    if (!this.reachable) return;
    this.reachable = false;
    this.emit({ type: "unreachable", message: error instanceof Error ? error.message : String(error) });
  }

  private reached(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.emit({ type: "reachable" });
  }

  private emit(event: LeaseEvent): void {
    this.options.onEvent?.(event);
  }
}
