import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";

/*
 * Leases let several replicas of one bundle share a Redis or Postgres state store: each source
 * is polled by the one replica that holds its lease. Expiry is measured by the store's clock
 * (Redis PX, Postgres now()), never by comparing replica clocks; every lease carries a token
 * that only grows, and a checkpoint is written only while its token is still the current one.
 */

/** What a fenced commit proves: "I hold this source's lease with this token". */
export interface Fence {
  readonly holder: string;
  readonly token: number;
}

/** One live lease, as the store sees it now. */
export interface Lease extends Fence {
  readonly sourceId: string;
  /** Time left before the store lets another replica take it, by the store's clock. */
  readonly expiresInMs: number;
}

/** One live replica: it heartbeats a membership record that expires like a lease. */
export interface Member {
  readonly replicaId: string;
  /** {@link sourceSetFingerprint} of the bundle it runs. */
  readonly fingerprint: string;
  readonly expiresInMs: number;
}

/**
 * Leases per source, and replica membership, kept in the state store (`StateStore.leases`).
 * All of it is atomic on the server; TTLs are in milliseconds and run on the server's clock.
 */
export interface LeaseStore {
  /**
   * Takes the lease when nobody holds it (or `holder` itself does), with a new token one above
   * the last one ever issued for this source. Undefined when another replica holds it.
   */
  acquire(sourceId: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends the lease to `ttlMs` from now; false when it is no longer held with this fence. */
  renew(sourceId: string, fence: Fence, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once; false when it was not held with this fence (nothing changes). */
  release(sourceId: string, fence: Fence): Promise<boolean>;
  /** Live leases of these sources, or of every source when `sourceIds` is absent; sorted by source. */
  list(sourceIds?: readonly string[]): Promise<Lease[]>;
  /** Records `replicaId` as live for `ttlMs`, forgets expired replicas, returns the live ones. */
  heartbeat(replicaId: string, fingerprint: string, ttlMs: number): Promise<Member[]>;
  /** The live replicas, without heartbeating. */
  members(): Promise<Member[]>;
  /** Removes this replica's membership record (graceful shutdown). */
  leave(replicaId: string): Promise<void>;
}

/** A replica id: `hostname-pid-random`, unique per process, readable in `helr leases`. */
export function newReplicaId(host = hostname(), pid = process.pid): string {
  return `${host}-${pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * A short digest of a bundle's source id set (order-insensitive). Replicas record it with their
 * membership, so a replica can tell that another one runs a bundle with different sources.
 */
export function sourceSetFingerprint(sourceIds: readonly string[]): string {
  const ids = [...new Set(sourceIds)].sort();
  return createHash("sha256").update(JSON.stringify(ids)).digest("hex").slice(0, 16);
}
