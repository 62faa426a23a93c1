import type { App, BoundSource } from "../app.ts";
import { type Env, expand } from "../config/env.ts";
import { type BackpressureSink, backpressureSink } from "../flow/backpressure-sink.ts";
import { Spill } from "../flow/spill.ts";
import type { Logger } from "../log.ts";
import type { RunEvents } from "../observe/events.ts";
import type { Sink } from "../output/sink.ts";
import { type DegradedStore, degradedStore } from "../state/degraded.ts";
import { memoryStore } from "../state/memory.ts";
import type { StateStore } from "../state/store.ts";

const MB = 1024 * 1024;

/**
 * Flow control for `helr run` (docs/backpressure.md): the backpressure stage between the engine
 * and the sink, the degraded state store around the configured one, and load shedding at the
 * scheduler. Each is a wrapper; nothing here branches inside the engine.
 */
export class RunFlow {
  #sink: BackpressureSink | undefined;
  #store: DegradedStore | undefined;

  constructor(
    private readonly app: App,
    private readonly log: Logger,
    private readonly events: RunEvents,
    private readonly env: Env = process.env,
  ) {}

  /** The configured store, behind `global.degradation` when it is set. */
  async openStore(open: () => Promise<StateStore>): Promise<StateStore> {
    const degradation = this.app.global.degradation;
    if (degradation === undefined) return open();
    this.#store = await degradedStore(open, degradation, {
      log: this.log,
      fallback: () => memoryStore({ path: "" }),
      // `helr_state_store_fallback_active`: each enter and leave (the open itself included).
      onChange: (active) => this.events.publish({ type: "store_fallback", active }),
    });
    return this.#store;
  }

  /**
   * The memory fallback holds the state now: `/healthz` `state_store_fallback_active`
   * (`startObservability({ fallbackActive: () => flow.fallbackActive() })`).
   */
  fallbackActive(): boolean {
    return this.#store?.fallbackActive === true;
  }

  /**
   * The sink behind a bounded queue when `backpressure.enabled`. @throws OutputError
   * HELR_OUTPUT_SPILL_OPEN when the disk buffer's directory is missing or read-only.
   */
  async wrapSink(sink: Sink): Promise<Sink> {
    const spec = this.app.global.backpressure;
    if (spec === undefined) return sink;
    const disk = spec.strategy === "disk_buffer" ? spec.diskBuffer : undefined;
    const spill =
      disk === undefined
        ? undefined
        : await Spill.open(expand(disk.path, this.env), {
            maxBytes: disk.maxSizeMb * MB,
            segmentBytes: disk.segmentSizeMb * MB,
          });
    if (spill !== undefined && !spill.empty)
      this.log.info(
        { bytes: spill.bytes },
        "backpressure: delivering the disk buffer a previous run left first",
      );
    this.#sink = backpressureSink(sink, spec, {
      events: this.events,
      log: this.log,
      now: Date.now,
      random: Math.random,
      rss: () => process.memoryUsage.rss(),
      ...(spill !== undefined ? { spill } : {}),
    });
    return this.#sink;
  }

  /**
   * Load shedding: true when `source` must not be polled now (backpressure active and its
   * priority below `skip_priority_below`); the skip is logged and published.
   */
  skips(source: BoundSource): boolean {
    const below = this.app.global.loadShedding?.skipPriorityBelow;
    if (below === undefined || this.#sink?.underLoad !== true || source.spec.priority >= below) return false;
    const sourceId = source.spec.id;
    this.log.info(
      { sourceId, priority: source.spec.priority, skipPriorityBelow: below },
      "load shedding: poll skipped while backpressure is active",
    );
    this.events.publish({ type: "poll_skipped", sourceId, reason: "load_shedding" });
    return true;
  }

  /** A scheduler delay, stretched by `reduced_frequency_multiplier` while the store is degraded. */
  delayMs(ms: number): number {
    const multiplier = this.app.global.degradation?.reducedFrequencyMultiplier ?? 1;
    return this.#store?.degraded === true ? Math.round(ms * multiplier) : ms;
  }
}
