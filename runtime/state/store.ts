import { HelrError } from "../errors/helr-error.ts";

/**
 * Durable per-source state: string keys and values. `commit` is atomic over all the keys it
 * is given, so a position and the marks that go with it are never half-written.
 */
export interface StateStore {
  readonly backend: string;
  /** Every key of one source. */
  read(sourceId: string): Promise<Readonly<Record<string, string>>>;
  /** Sets each key; `null` deletes it. Atomic. */
  commit(sourceId: string, changes: Readonly<Record<string, string | null>>): Promise<void>;
  listSources(): Promise<string[]>;
  clear(sourceId: string): Promise<void>;
  close(): Promise<void>;
  /** Round trip to the backend, for health checks; rejects with a {@link StateError} when it is down. */
  ping?(): Promise<void>;
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
 * or a write failed after opening (nothing of a failed commit is kept), a bad import document.
 */
export type StateErrorCode =
  | "HELR_STATE_CONFIG"
  | "HELR_STATE_OPEN"
  | "HELR_STATE_LOCKED"
  | "HELR_STATE_NATIVE"
  | "HELR_STATE_CONNECT"
  | "HELR_STATE_READ"
  | "HELR_STATE_WRITE"
  | "HELR_STATE_IMPORT";

/** The store could not be opened or written; the message says which file or server and why. */
export class StateError extends HelrError {
  declare readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, message, options);
  }
}
