import type { ErrorCode } from "../errors/codes.ts";
import { HelrError } from "../errors/helr-error.ts";

/**
 * Where NDJSON goes. The engine writes a page's lines, then calls `flush()` before it
 * commits state: a sink resolves `flush()` only once everything written so far is safely
 * handed on (stdout: accepted by the OS; file: fsynced; HTTP: acknowledged with a 2xx; NATS
 * JetStream: acknowledged by the stream), so a checkpoint never gets ahead of the output.
 */
export interface Sink {
  /**
   * Queues whole lines (UTF-8 bytes or text); resolves when accepted (this is the backpressure
   * point). `block` says whose lines they are; the engine always passes it, tests may not.
   */
  write(data: string | Uint8Array, block?: BlockInfo): Promise<void>;
  /** Durability barrier before a checkpoint. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /**
   * Set by sinks that need a stable identity per line (NATS `Nats-Msg-Id`): the engine then
   * fills {@link BlockInfo.keys}. Computing them costs a hash per line without an id.
   */
  readonly wantsKeys?: boolean;
}

/** What a block of lines is, for sinks that need more than its bytes. */
export interface BlockInfo {
  /** The source that produced every line of the block. */
  readonly sourceId: string;
  /** Number of lines (each ends with `\n`). */
  readonly lines: number;
  /**
   * One key per line when the sink {@link Sink.wantsKeys}: `<source>:<event id>` when the event
   * has an id (`dedupe.id_path` or `transform.id_field`), else `<source>:sha256:<hex of the event
   * text>`. The same event re-emitted after a crash gets the same key.
   */
  readonly keys?: readonly string[];
}

/** Output failures (broken pipe, disk full) carry stable codes and end the run non-zero. */
export class OutputError extends HelrError {
  constructor(code: OutputCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, message, options);
  }
}

/** The codes of {@link OutputError}: every output failure stops the run (see runtime/errors/codes.ts). */
export type OutputCode = Extract<ErrorCode, `HELR_OUTPUT_${string}`>;

/**
 * A file or stream error as `CODE: what happened`, the code once: Node's own errno messages
 * already start with it (`ENOENT: no such file or directory, open '…'`), others do not.
 */
export function causeText(error: unknown): string {
  const err = error as { code?: unknown; message?: unknown } | undefined;
  const message = typeof err?.message === "string" ? err.message : String(error);
  const code = typeof err?.code === "string" ? err.code : undefined;
  if (code === undefined || message.startsWith(`${code}:`)) return message;
  return `${code}: ${message}`;
}
