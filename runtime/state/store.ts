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
}

export interface StoreOptions {
  /** SQLite file path (placeholders already resolved). */
  readonly path: string;
}

export type StoreFactory = (options: StoreOptions) => Promise<StateStore>;

/** The store could not be opened or written; the message says which file or server and why. */
export class StateError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
