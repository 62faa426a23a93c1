/**
 * Cuts written NDJSON into batches of at most `batchSize` lines, never splitting a line. Pure:
 * the sink decides when a partial batch is sent (timeout, flush, memory bound). A batch keeps
 * slices of the written buffers, not copies.
 */

/** Lines for one POST. */
export interface Batch {
  /** Slices of the written data; together they are whole lines, each ending with `\n`. */
  readonly chunks: readonly Uint8Array[];
  readonly lines: number;
  readonly bytes: number;
  /** The sources whose lines are in the batch (empty when the writes did not say). */
  readonly sources: ReadonlySet<string>;
}

const NEWLINE = 0x0a;

/** Accumulates lines; {@link add} returns the batches it filled, {@link take} the partial one. */
export class BatchBuilder {
  #chunks: Uint8Array[] = [];
  #lines = 0;
  #bytes = 0;
  #sources = new Set<string>();
  /** The source of the data {@link add} is cutting. */
  #source: string | undefined;

  constructor(readonly batchSize: number) {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
    }
  }

  /** Lines in the partial batch. */
  get lines(): number {
    return this.#lines;
  }

  /** Bytes in the partial batch. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Adds whole lines (a last line without `\n` gets one, so it cannot merge with the next
   * write). `source` is whose lines they are. Returns the batches that reached `batchSize` lines,
   * in order.
   */
  add(data: Uint8Array, source?: string): Batch[] {
    this.#source = source;
    const full: Batch[] = [];
    let start = 0;
    let pos = 0;
    while (pos < data.length) {
      const end = data.indexOf(NEWLINE, pos);
      if (end === -1) {
        this.#push(data.subarray(start));
        this.#push(Uint8Array.of(NEWLINE));
        this.#lines += 1;
        start = data.length;
        break;
      }
      pos = end + 1;
      this.#lines += 1;
      if (this.#lines === this.batchSize) {
        this.#push(data.subarray(start, pos));
        start = pos;
        full.push(this.#seal());
      }
    }
    if (start < data.length) this.#push(data.subarray(start));
    if (this.#lines === this.batchSize) full.push(this.#seal());
    return full;
  }

  /** The partial batch (undefined when empty); the builder starts afresh. */
  take(): Batch | undefined {
    return this.#lines === 0 ? undefined : this.#seal();
  }

  #push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#source !== undefined) this.#sources.add(this.#source);
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  #seal(): Batch {
    const batch = { chunks: this.#chunks, lines: this.#lines, bytes: this.#bytes, sources: this.#sources };
    this.#sources = new Set();
    this.#chunks = [];
    this.#lines = 0;
    this.#bytes = 0;
    return batch;
  }
}

/** One buffer for the request body. */
export function batchBody(batch: Batch): Buffer {
  return Buffer.concat(batch.chunks as Uint8Array[], batch.bytes);
}
