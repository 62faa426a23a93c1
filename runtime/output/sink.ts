/**
 * Where NDJSON goes. The engine writes a page's lines, then calls `flush()` before it
 * commits state: a sink resolves `flush()` only once everything written so far is safely
 * handed on (stdout: accepted by the OS; file: fsynced; later an HTTP sink: acknowledged).
 */
export interface Sink {
  /** Queues whole lines (UTF-8 bytes or text); resolves when accepted (this is the backpressure point). */
  write(data: string | Uint8Array): Promise<void>;
  /** Durability barrier before a checkpoint. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Output failures (broken pipe, disk full) carry stable codes and end the run non-zero. */
export class OutputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
