import { auditStateFallback } from "../audit.ts";
import type { Logger } from "../log.ts";
import { sleep as realSleep } from "../resilience/sleep.ts";
import type { DegradationSpec } from "../spec.ts";
import type { Fence } from "./lease.ts";
import { StateError, type StateStore } from "./store.ts";

type Changes = Record<string, string | null>;

/** A state store that may be running on its fallback. */
export interface DegradedStore extends StateStore {
  /** Running on the memory fallback, or the last state write failed (`emit_without_checkpoint`). */
  readonly degraded: boolean;
  /** The memory fallback holds the state now (`state_store_fallback_active` in health). */
  readonly fallbackActive: boolean;
}

export interface DegradedDeps {
  readonly log: Pick<Logger, "info" | "warn">;
  readonly fallback: () => Promise<StateStore>;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Retry backoff of the primary: first and longest wait. */
  readonly retryMs?: { readonly first: number; readonly max: number };
  /** Called when the fallback becomes active or the primary is back. */
  readonly onChange?: (active: boolean) => void;
}

/**
 * `global.degradation` around the configured store. With `state_store_fallback: memory`, a
 * primary that cannot be opened, or fails a read or write mid-run, is replaced by memory; the
 * positions go on (a mirror of every position read or committed is kept, so a mid-run failure
 * loses none), the primary is retried with exponential backoff and, once it answers, the newest
 * position of every source changed meanwhile is written to it and the fallback ends — logged and
 * audited both ways. It offers no leases: replicas need the primary's fencing, which memory cannot
 * give, and a fenced write never falls back.
 *
 * `emit_without_checkpoint` (without a fallback): a failed commit is logged and skipped, the
 * poll goes on (the global form of `on_state_write_error: skip_checkpoint`).
 */
export async function degradedStore(
  openPrimary: () => Promise<StateStore>,
  spec: DegradationSpec,
  deps: DegradedDeps,
): Promise<DegradedStore> {
  const store = new Degraded(openPrimary, spec, deps);
  await store.start();
  return store;
}

class Degraded implements DegradedStore {
  #primary: StateStore | undefined;
  #fallback: StateStore | undefined;
  #writeFailed = false;
  /** Changes made while on the fallback, per source, newest value per key. */
  readonly #unsynced = new Map<string, Changes>();
  /** Every key read from or committed to any store: what the fallback starts from. */
  readonly #mirror = new Map<string, Map<string, string>>();
  readonly #stop = new AbortController();
  #retrying: Promise<void> | undefined;

  constructor(
    private readonly openPrimary: () => Promise<StateStore>,
    private readonly spec: DegradationSpec,
    private readonly deps: DegradedDeps,
  ) {}

  get backend(): string {
    return this.#primary?.backend ?? "memory";
  }

  get degraded(): boolean {
    return this.#fallback !== undefined || this.#writeFailed;
  }

  get fallbackActive(): boolean {
    return this.#fallback !== undefined;
  }

  async start(): Promise<void> {
    try {
      this.#primary = await this.openPrimary();
    } catch (error) {
      if (this.spec.stateStoreFallback !== "memory") throw error;
      await this.#fallBack(error, "cannot be opened");
    }
  }

  async read(sourceId: string): Promise<Readonly<Record<string, string>>> {
    if (this.#fallback === undefined && this.#primary !== undefined) {
      try {
        const stored = await this.#primary.read(sourceId);
        this.#mirror.set(sourceId, new Map(Object.entries(stored)));
        return stored;
      } catch (error) {
        if (this.spec.stateStoreFallback !== "memory") throw error;
        await this.#fallBack(error, "failed a read");
      }
    }
    return (this.#fallback as StateStore).read(sourceId);
  }

  async commit(sourceId: string, changes: Readonly<Changes>, fence?: Fence): Promise<void> {
    if (this.#fallback === undefined && this.#primary !== undefined) {
      try {
        await this.#primary.commit(sourceId, changes, fence);
        this.#writeFailed = false;
        this.#remember(sourceId, changes);
        return;
      } catch (error) {
        if (fence !== undefined || (error as StateError).code === "HELR_LEASE_LOST") throw error;
        if (this.spec.stateStoreFallback === "memory") await this.#fallBack(error, "failed a write");
        else if (this.spec.emitWithoutCheckpoint) return this.#skip(sourceId, error);
        else throw error;
      }
    }
    if (fence !== undefined) {
      throw new StateError(
        "HELR_STATE_WRITE",
        "state store unavailable: a fenced write cannot use the memory fallback",
      );
    }
    await (this.#fallback as StateStore).commit(sourceId, changes);
    this.#remember(sourceId, changes);
    const pending = this.#unsynced.get(sourceId) ?? {};
    this.#unsynced.set(sourceId, { ...pending, ...changes });
  }

  async listSources(): Promise<string[]> {
    return (this.#fallback ?? (this.#primary as StateStore)).listSources();
  }

  async clear(sourceId: string): Promise<void> {
    const current = this.#mirror.get(sourceId);
    if (this.#fallback === undefined) {
      await (this.#primary as StateStore).clear(sourceId);
      this.#mirror.delete(sourceId);
      return;
    }
    await this.commit(sourceId, Object.fromEntries([...(current?.keys() ?? [])].map((k) => [k, null])));
  }

  async ping(): Promise<void> {
    await (this.#fallback ?? this.#primary)?.ping?.();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#retrying;
    await this.#fallback?.close();
    await this.#primary?.close().catch(() => undefined);
  }

  #remember(sourceId: string, changes: Readonly<Changes>): void {
    const entries = this.#mirror.get(sourceId) ?? new Map<string, string>();
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) entries.delete(key);
      else entries.set(key, value);
    }
    this.#mirror.set(sourceId, entries);
  }

  #skip(sourceId: string, error: unknown): void {
    this.#writeFailed = true;
    this.deps.log.warn(
      { sourceId, cause: (error as Error).message },
      "state write failed; continuing without this checkpoint (degradation.emit_without_checkpoint)",
    );
  }

  async #fallBack(error: unknown, what: string): Promise<void> {
    if (this.#fallback !== undefined) return;
    const fallback = await this.deps.fallback();
    for (const [sourceId, entries] of this.#mirror)
      await fallback.commit(sourceId, Object.fromEntries(entries));
    this.#fallback = fallback;
    this.deps.log.warn(
      { cause: (error as Error).message, code: (error as StateError).code },
      `state store ${what}; keeping state in memory (degradation.state_store_fallback) and retrying it`,
    );
    auditStateFallback(true);
    this.deps.onChange?.(true);
    this.#retrying = this.#retry();
  }

  /** Retries the primary with backoff until it answers and takes the newest positions. */
  async #retry(): Promise<void> {
    const sleep = this.deps.sleep ?? realSleep;
    const random = this.deps.random ?? Math.random;
    const { first, max } = this.deps.retryMs ?? { first: 1000, max: 60_000 };
    for (let wait = first; !this.#stop.signal.aborted; wait = Math.min(max, wait * 2)) {
      await sleep(Math.round(wait * (0.5 + random() / 2)), this.#stop.signal);
      if (this.#stop.signal.aborted) return;
      if (await this.#recover()) return;
    }
  }

  async #recover(): Promise<boolean> {
    try {
      if (this.#primary === undefined) this.#primary = await this.openPrimary();
      await this.#primary.ping?.();
      for (const [sourceId, changes] of [...this.#unsynced]) {
        await this.#primary.commit(sourceId, changes);
        // Only what was written: a commit made meanwhile stays queued for the next round.
        if (this.#unsynced.get(sourceId) === changes) this.#unsynced.delete(sourceId);
      }
    } catch {
      return false;
    }
    if (this.#unsynced.size > 0) return this.#recover();
    const fallback = this.#fallback;
    this.#fallback = undefined;
    await fallback?.close();
    this.deps.log.info("state store is back: newest positions written to it, memory fallback ended");
    auditStateFallback(false);
    this.deps.onChange?.(false);
    return true;
  }
}
