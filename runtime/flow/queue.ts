import type { BlockInfo } from "../output/sink.ts";

/** Lines of one source waiting for the sink, in the order they were written. */
export interface QueuedBlock {
  readonly data: Uint8Array;
  readonly lines: number;
  readonly sourceId: string;
  readonly keys?: readonly string[];
  /** Epoch ms when it was queued (for `max_queue_age_secs`). */
  readonly at: number;
  /** Increasing per queue: a flush waits for every block up to the last one written before it. */
  readonly seq: number;
}

/** The limits of `backpressure.detection`. */
export interface QueueLimits {
  readonly events: number;
  /** 0: no byte cap. */
  readonly bytes: number;
  /** RSS cap in bytes; absent: none. */
  readonly rssBytes?: number;
}

/**
 * The in-memory queue: FIFO with removal anywhere (random drops), and the counts the limits are
 * checked against. Blocks leave in `seq` order except for drops, so the front holds the lowest.
 */
export class BlockQueue {
  #items: QueuedBlock[] = [];
  #head = 0;
  #events = 0;
  #bytes = 0;
  #seq = 0;
  readonly #perSource = new Map<string, number>();

  get events(): number {
    return this.#events;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The `seq` the next block gets (a flush started now waits for blocks below it). */
  get nextSeq(): number {
    return this.#seq;
  }

  front(): QueuedBlock | undefined {
    return this.#items[this.#head];
  }

  pending(sourceId: string): number {
    return this.#perSource.get(sourceId) ?? 0;
  }

  push(data: Uint8Array, info: BlockInfo, at: number): QueuedBlock {
    const block: QueuedBlock = {
      data,
      lines: info.lines,
      sourceId: info.sourceId,
      ...(info.keys ? { keys: info.keys } : {}),
      at,
      seq: this.#seq++,
    };
    this.#items.push(block);
    this.#count(block, 1);
    return block;
  }

  shift(): QueuedBlock | undefined {
    const block = this.#items[this.#head];
    if (block === undefined) return undefined;
    this.#items[this.#head] = undefined as unknown as QueuedBlock;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#count(block, -1);
    return block;
  }

  /** Removes the block at `index` from the front (0 = oldest). */
  removeAt(index: number): QueuedBlock | undefined {
    if (index === 0) return this.shift();
    const at = this.#head + index;
    const block = this.#items[at];
    if (block === undefined) return undefined;
    this.#items.splice(at, 1);
    this.#count(block, -1);
    return block;
  }

  /**
   * Whether adding `lines`/`bytes` would pass a limit. An empty queue admits anything, so a
   * single line larger than the byte cap (or RSS over its cap with nothing queued) still moves
   * on — the Rust Helr waited forever there.
   */
  over(limits: QueueLimits, lines: number, bytes: number, rss: () => number): boolean {
    if (this.size === 0) return false;
    if (this.#events + lines > limits.events) return true;
    if (limits.bytes > 0 && this.#bytes + bytes > limits.bytes) return true;
    return limits.rssBytes !== undefined && rss() > limits.rssBytes;
  }

  /** Below 75 % of every cap: the point where load shedding stops. */
  relieved(limits: QueueLimits): boolean {
    if (this.#events >= limits.events * 0.75) return false;
    return limits.bytes === 0 || this.#bytes < limits.bytes * 0.75;
  }

  #count(block: QueuedBlock, sign: 1 | -1): void {
    this.#events += sign * block.lines;
    this.#bytes += sign * block.data.length;
    const n = (this.#perSource.get(block.sourceId) ?? 0) + sign * block.lines;
    if (n === 0) this.#perSource.delete(block.sourceId);
    else this.#perSource.set(block.sourceId, n);
  }
}

/** A block cut into one block per line (the unit `drop` works on); keys follow their lines. */
export function splitLines(data: Uint8Array, info: BlockInfo): { data: Uint8Array; info: BlockInfo }[] {
  if (info.lines <= 1) return [{ data, info }];
  const out: { data: Uint8Array; info: BlockInfo }[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    end = end === -1 ? data.length : end + 1;
    const key = info.keys?.[out.length];
    out.push({
      data: data.subarray(start, end),
      info: { sourceId: info.sourceId, lines: 1, ...(key !== undefined ? { keys: [key] } : {}) },
    });
    start = end;
  }
  return out;
}
