import type { Logger } from "../log.ts";
import type { RunEvents } from "../observe/events.ts";
import type { BlockInfo, Sink } from "../output/sink.ts";
import type { BackpressureSpec } from "../spec.ts";
import { type DropReason, DropWarnings } from "./drop-warnings.ts";
import { BlockQueue, type QueuedBlock, type QueueLimits, splitLines } from "./queue.ts";
import { Signal } from "./signal.ts";
import type { Spill } from "./spill.ts";

/** What a backpressure sink needs besides its settings; clock, random and RSS are injected. */
export interface BackpressureDeps {
  readonly events: RunEvents;
  readonly log: Pick<Logger, "warn" | "info">;
  readonly now: () => number;
  readonly random: () => number;
  /** Process RSS in bytes (`process.memoryUsage.rss`). */
  readonly rss: () => number;
  /** The opened disk buffer, with `strategy: disk_buffer`. */
  readonly spill?: Spill;
}

/** A {@link Sink} with a bounded queue in front of another; load shedding reads {@link underLoad}. */
export interface BackpressureSink extends Sink {
  /** A limit was reached and the queue has not yet drained below 75 % of its caps (or lines wait on disk). */
  readonly underLoad: boolean;
}

const MB = 1024 * 1024;

/**
 * `global.backpressure`: the engine's lines go into a bounded queue that one writer drains into
 * the real sink, so a slow reader makes polling wait (`block`), spill to disk in order
 * (`disk_buffer`) or drop what the policy says, counted (`drop`) — never grow without bound.
 *
 * - Every wait re-checks its condition after waking, and an empty queue admits any block, so
 *   nothing waits for a wake-up that cannot come (the Rust Helr's deadlock).
 * - `flush()` resolves once every block written before it was handed to the sink (or counted as
 *   dropped) and the sink flushed, and what was spilled is fsynced: a checkpoint never passes a
 *   line that was neither written, spilled nor counted.
 * - The sink's first failure (a broken pipe) is sticky and rejects every later write and flush,
 *   so it still stops the run.
 */
export function backpressureSink(
  inner: Sink,
  spec: BackpressureSpec,
  deps: BackpressureDeps,
): BackpressureSink {
  return new FlowSink(inner, spec, deps);
}

class FlowSink implements BackpressureSink {
  readonly wantsKeys?: boolean;
  readonly #inner: Sink;
  readonly #spec: BackpressureSpec;
  readonly #deps: BackpressureDeps;
  readonly #limits: QueueLimits;
  readonly #queue = new BlockQueue();
  readonly #changed = new Signal();
  readonly #warnings: DropWarnings;
  readonly #writer: Promise<void>;
  #inFlight: QueuedBlock | undefined;
  #failure: Error | undefined;
  #closing = false;
  #loaded = false;

  constructor(inner: Sink, spec: BackpressureSpec, deps: BackpressureDeps) {
    this.#inner = inner;
    this.#spec = spec;
    this.#deps = deps;
    if (inner.wantsKeys === true) this.wantsKeys = true;
    this.#limits = {
      events: spec.eventQueueSize,
      bytes: spec.stdoutBufferSize,
      ...(spec.memoryThresholdMb !== undefined ? { rssBytes: spec.memoryThresholdMb * MB } : {}),
    };
    this.#warnings = new DropWarnings(deps.log, deps.now);
    this.#writer = this.#drain();
  }

  get underLoad(): boolean {
    return this.#loaded || (this.#deps.spill !== undefined && !this.#deps.spill.empty);
  }

  async write(data: string | Uint8Array, block?: BlockInfo): Promise<void> {
    this.#check();
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const info = block ?? { sourceId: "unknown", lines: countLines(bytes) };
    this.#evictAged();
    if (this.#spec.strategy === "drop") {
      for (const line of splitLines(bytes, info)) this.#offer(line.data, line.info);
    } else if (this.#deps.spill !== undefined) {
      await this.#spillOrQueue(bytes, info, this.#deps.spill);
    } else {
      await this.#admit(bytes, info);
    }
  }

  async flush(): Promise<void> {
    const target = this.#queue.nextSeq;
    while (this.#holds(target)) {
      this.#check();
      await this.#changed.wait();
    }
    this.#check();
    await this.#deps.spill?.sync();
    await this.#inner.flush();
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#changed.notify();
    await this.#writer;
    this.#warnings.summarize();
    await this.#deps.spill?.close();
    await this.#inner.close();
  }

  /** `block` (and `disk_buffer` without a buffer): wait until the queue can take it. */
  async #admit(data: Uint8Array, info: BlockInfo): Promise<void> {
    while (this.#over(info.lines, data.length)) {
      await this.#changed.wait();
      this.#check();
      this.#evictAged();
    }
    this.#push(data, info);
  }

  /**
   * `disk_buffer`: to memory while nothing waits on disk and the queue has room; otherwise
   * appended to the buffer (so lines never overtake each other), waiting while it is full.
   */
  async #spillOrQueue(data: Uint8Array, info: BlockInfo, spill: Spill): Promise<void> {
    if (spill.empty && !this.#over(info.lines, data.length)) {
      this.#push(data, info);
      return;
    }
    while (!spill.fits(data.length)) {
      await this.#changed.wait();
      this.#check();
    }
    if (spill.empty && !this.#over(info.lines, data.length)) {
      this.#push(data, info);
      return;
    }
    if (spill.empty)
      this.#deps.log.info(
        { bytes: data.length },
        "backpressure: output queue full, spilling to the disk buffer",
      );
    try {
      await spill.append(data);
    } finally {
      // The writer may be waiting for these bytes.
      this.#changed.notify();
    }
  }

  /** `drop`: one line; makes room as `drop_policy` says, or drops the line itself. */
  #offer(data: Uint8Array, info: BlockInfo): void {
    if (!this.#over(1, data.length)) {
      this.#push(data, info);
      return;
    }
    if (this.#spec.dropPolicy === "newest_first") {
      this.#dropped(info.sourceId, 1, "backpressure");
      return;
    }
    while (this.#over(1, data.length)) {
      const index =
        this.#spec.dropPolicy === "random" ? Math.floor(this.#deps.random() * this.#queue.size) : 0;
      const victim = this.#queue.removeAt(index);
      if (victim === undefined) break;
      this.#dropped(victim.sourceId, victim.lines, "backpressure");
      this.#pending(victim.sourceId);
    }
    this.#push(data, info);
  }

  #over(lines: number, bytes: number): boolean {
    const over = this.#queue.over(this.#limits, lines, bytes, this.#deps.rss);
    if (over) this.#loaded = true;
    return over;
  }

  #push(data: Uint8Array, info: BlockInfo): void {
    this.#queue.push(data, info, this.#deps.now());
    this.#pending(info.sourceId);
    this.#changed.notify();
  }

  /** Queued blocks older than `max_queue_age_secs` are dropped, oldest first. */
  #evictAged(): void {
    const age = this.#spec.maxQueueAgeSecs;
    if (age === undefined) return;
    const cutoff = this.#deps.now() - age * 1000;
    for (
      let front = this.#queue.front();
      front !== undefined && front.at < cutoff;
      front = this.#queue.front()
    ) {
      this.#queue.shift();
      this.#dropped(front.sourceId, front.lines, "max_queue_age");
      this.#pending(front.sourceId);
    }
  }

  #dropped(sourceId: string, count: number, reason: DropReason): void {
    this.#deps.events.publish({ type: "dropped", sourceId, reason, count });
    this.#warnings.add(sourceId, reason, count);
    this.#changed.notify();
  }

  #pending(sourceId: string): void {
    this.#deps.events.publish({ type: "pending", sourceId, count: this.#queue.pending(sourceId) });
  }

  /** Whether a block below `target` is still queued or being written. */
  #holds(target: number): boolean {
    const front = this.#queue.front();
    return (
      (front !== undefined && front.seq < target) ||
      (this.#inFlight !== undefined && this.#inFlight.seq < target)
    );
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }

  /** The one writer: memory first (always older than what is on disk), then the disk buffer. */
  async #drain(): Promise<void> {
    try {
      for (;;) {
        this.#evictAged();
        const block = this.#queue.shift();
        if (block !== undefined) {
          await this.#deliver(block);
          continue;
        }
        const spill = this.#deps.spill;
        if (spill !== undefined && !spill.empty) {
          const chunk = await spill.read();
          if (chunk !== undefined) {
            await this.#inner.write(chunk);
            await this.#inner.flush();
            await spill.delivered(chunk.length);
            this.#changed.notify();
          } else await this.#changed.wait();
          continue;
        }
        if (this.#closing) return;
        if (this.#queue.relieved(this.#limits)) this.#loaded = false;
        await this.#changed.wait();
      }
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#changed.notify();
    }
  }

  async #deliver(block: QueuedBlock): Promise<void> {
    this.#inFlight = block;
    this.#pending(block.sourceId);
    try {
      const info: BlockInfo = {
        sourceId: block.sourceId,
        lines: block.lines,
        ...(block.keys ? { keys: block.keys } : {}),
      };
      await this.#inner.write(block.data, info);
    } finally {
      this.#inFlight = undefined;
    }
    if (this.#queue.relieved(this.#limits)) this.#loaded = false;
    this.#changed.notify();
  }
}

function countLines(data: Uint8Array): number {
  let n = 0;
  for (let at = data.indexOf(0x0a); at !== -1; at = data.indexOf(0x0a, at + 1)) n++;
  return n;
}
