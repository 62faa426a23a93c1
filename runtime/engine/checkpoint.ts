import type { BoundSource } from "../app.ts";
import type { PollDeps } from "./types.ts";
import { timeMs } from "./watermark.ts";

/** State changes of one checkpoint: a key set to a value, or `null` to delete it. */
export type StateChanges = Record<string, string | null>;

/**
 * The checkpoint stage: flush the sink (what makes "written before checkpointed" true: stdout
 * handed to the OS, a file fsynced, an HTTP or NATS sink acknowledged), then commit the state
 * changes atomically.
 *
 * A page's checkpoint runs while the next page is fetched, parsed and its first block rendered;
 * the next page's first line is written only once it is done ({@link settled}), so a crash still
 * repeats at most one page. A failed checkpoint fails the pass there.
 */
export class Checkpointer {
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: BoundSource,
    private readonly deps: PollDeps,
  ) {}

  /** Starts flushing and committing `changes` after the checkpoint before (nothing when empty). */
  start(changes: StateChanges): void {
    if (Object.keys(changes).length === 0) return;
    const previous = this.#running;
    const run = (async () => {
      await previous;
      const started = Date.now();
      await this.deps.sink.flush();
      const committed = await this.commit(changes);
      if (committed) {
        const watermarkMs = this.watermarkMs(changes);
        this.deps.events.publish({
          type: "checkpoint",
          sourceId: this.source.spec.id,
          durationMs: Date.now() - started,
          atMs: Date.now(),
          ...(watermarkMs !== undefined ? { watermarkMs } : {}),
        });
      }
    })();
    run.catch(() => undefined);
    this.#running = run;
  }

  /** The time of the high-water mark these changes commit (for the watermark-age metric), if any. */
  private watermarkMs(changes: StateChanges): number | undefined {
    const key = this.source.spec.watermark?.stateKey;
    const mark = key === undefined ? undefined : changes[key];
    return typeof mark === "string" ? timeMs(mark) : undefined;
  }

  /** Resolves when every checkpoint started so far is done; rejects with the first failure. */
  settled(): Promise<void> {
    return this.#running;
  }

  /** Waits for the running checkpoint, whatever its outcome (nothing outlives a pass). */
  async drain(): Promise<void> {
    await this.#running.catch(() => undefined);
  }

  /**
   * Commits without a flush (changes that cover no output, such as clearing an expired cursor);
   * true when written. `on_state_write_error: skip_checkpoint` turns a failure into a warning.
   */
  async commit(changes: StateChanges): Promise<boolean> {
    const { spec } = this.source;
    try {
      await this.deps.store.commit(spec.id, changes);
      return true;
    } catch (error) {
      if (spec.policy.onStateWriteError !== "skip_checkpoint") throw error;
      this.deps.log.warn(
        { sourceId: spec.id, cause: (error as Error).message },
        "state write failed; continuing without this checkpoint (on_state_write_error: skip_checkpoint)",
      );
      return false;
    }
  }
}
