import { HelrError } from "../errors/helr-error.ts";
import type { Fence, LeaseStore } from "./lease.ts";

/**
 * Durable per-source state: string keys and values. `commit` is atomic over all the keys it
 * is given, so a position and the marks that go with it are never half-written.
 */
export interface StateStore {
  readonly backend: string;
  /** Every key of one source. */
  read(sourceId: string): Promise<Readonly<Record<string, string>>>;
  /**
   * Sets each key; `null` deletes it. Atomic. With a `fence`, the write happens only if that
   * lease is still the source's current one, checked in the same atomic step; otherwise it
   * rejects with `HELR_LEASE_LOST` and writes nothing. Stores without leases reject any fence.
   */
  commit(sourceId: string, changes: Readonly<Record<string, string | null>>, fence?: Fence): Promise<void>;
  listSources(): Promise<string[]>;
  clear(sourceId: string): Promise<void>;
  close(): Promise<void>;
  /** Round trip to the backend, for health checks; rejects with a {@link StateError} when it is down. */
  ping?(): Promise<void>;
  /** Leases and replica membership, on the stores that several replicas can share (Redis, Postgres). */
  readonly leases?: LeaseStore;
}

export interface StoreOptions {
  /** SQLite file path (placeholders already resolved). */
  readonly path: string;
  /** Redis or Postgres URL (placeholders already resolved); may carry a password, never printed. */
  readonly url?: string;
  /**
   * Isolates one store from others on the same server: Redis keys become
   * `{namespace}:helr:state:{source}`, the Postgres table `{namespace}_helr_state`. Letters,
   * digits and `_` only. Absent: the Rust Helr's layout, unchanged.
   */
  readonly namespace?: string;
}

export type StoreFactory = (options: StoreOptions) => Promise<StateStore>;

/**
 * Stable codes of {@link StateError}: bad settings, cannot open or connect (at start-up), a read
 * or a write failed after opening (nothing of a failed commit is kept), a bad import document,
 * a fenced commit refused because another replica holds the source's lease now.
 */
export type StateErrorCode =
  | "HELR_STATE_CONFIG"
  | "HELR_STATE_OPEN"
  | "HELR_STATE_LOCKED"
  | "HELR_STATE_NATIVE"
  | "HELR_STATE_CONNECT"
  | "HELR_STATE_READ"
  | "HELR_STATE_WRITE"
  | "HELR_STATE_IMPORT"
  | "HELR_LEASE_LOST";

/** Runs one store operation, turning any failure into a {@link StateError} with `code` that says what failed. */
export type StoreAttempt = <T>(code: StateErrorCode, what: string, run: () => Promise<T>) => Promise<T>;

/** The store could not be opened or written; the message says which file or server and why. */
export class StateError extends HelrError {
  declare readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, message, options);
  }
}
