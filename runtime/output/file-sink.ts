import { dirname } from "node:path";
import type { RunEvents } from "../observe/events.ts";
import { type FileOps, nodeFileOps, type OutputFile } from "./file-ops.ts";
import { type CountFailure, failureCounter } from "./output-failures.ts";
import { planSizeWrites, type RotatePolicy, rotatedPath, utcDate, utcStamp } from "./rotation.ts";
import { causeText, OutputError, type Sink } from "./sink.ts";

export interface FileSinkOptions {
  readonly rotate?: RotatePolicy | undefined;
  /** The clock that decides rotation (tests inject one). */
  readonly now?: () => Date;
  readonly fs?: FileOps;
  /**
   * Gets the first failure (it is sticky) as an `output_error`: for the source of the write that
   * failed, or, for a failed fsync, every source written since the last one.
   */
  readonly events?: RunEvents;
}

/**
 * Appends NDJSON to a file, optionally rotating it. `flush` fsyncs, so a checkpoint never gets
 * ahead of the disk. A rotation fsyncs and closes the full file before renaming it, and fsyncs
 * the directory after, so a crash leaves every written line in exactly one file.
 *
 * Operations run one at a time in call order (sources write concurrently), so lines of two
 * writes never interleave and a flush covers every write issued before it.
 */
export async function fileSink(path: string, options: FileSinkOptions = {}): Promise<Sink> {
  const sink = new RotatingFile(
    path,
    options.rotate,
    options.now ?? (() => new Date()),
    options.fs ?? nodeFileOps,
    failureCounter(options.events),
  );
  await sink.open();
  return {
    write: (data, block) => sink.writeAhead(toBuffer(data), block?.sourceId),
    flush: () => sink.enqueue(() => sink.flush(), "FLUSH", "cannot fsync"),
    close: () => sink.close(),
  };
}

/** Output a file sink accepts ahead of the disk before `write` waits. */
const WRITE_AHEAD_BYTES = 8 * 1024 * 1024;

class RotatingFile {
  #file: OutputFile | undefined;
  #size = 0;
  /** UTC date of the lines in the current file (undefined while it is empty). */
  #contentDate: string | undefined;
  #dirty = false;
  #tail: Promise<void> = Promise.resolve();
  #failure: OutputError | undefined;
  #closed = false;
  /** Bytes of writes queued and not yet done. */
  #queued = 0;
  /** Sources written since the last fsync: whose lines a failed fsync leaves in doubt. */
  #unsynced = new Set<string>();

  constructor(
    readonly path: string,
    readonly rotate: RotatePolicy | undefined,
    readonly now: () => Date,
    readonly fs: FileOps,
    readonly count: CountFailure,
  ) {}

  async open(): Promise<void> {
    try {
      const file = await this.fs.open(this.path);
      const { size, mtime } = await file.stat();
      this.#file = file;
      this.#size = size;
      // An existing file holds lines written up to its last modification.
      this.#contentDate = size > 0 ? utcDate(mtime) : undefined;
      await this.fs.syncDir(dirname(this.path));
    } catch (error) {
      throw new OutputError("HELR_OUTPUT_OPEN", `cannot open output file ${this.path}: ${causeText(error)}`);
    }
  }

  /**
   * Queues a write and resolves at once while at most {@link WRITE_AHEAD_BYTES} are queued, so
   * the engine renders the next lines while the file takes these; past that, resolves when this
   * write is done (backpressure). A failure is sticky: the next write, and the flush a
   * checkpoint waits for, reject with it, so nothing after a hole is checkpointed.
   */
  writeAhead(data: Buffer, sourceId?: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#queued += data.length;
    // Rotation goes by when the lines were handed over, not when the file got to them.
    const at = this.now();
    const write = async (): Promise<void> => {
      await this.write(data, at);
      if (sourceId !== undefined) this.#unsynced.add(sourceId);
    };
    const done = this.enqueue(write, "WRITE", "cannot write", sourceId).finally(() => {
      this.#queued -= data.length;
    });
    if (this.#queued > WRITE_AHEAD_BYTES) return done;
    done.catch(() => undefined);
    return Promise.resolve();
  }

  /** Runs `op` after every earlier operation; the first failure is sticky (a later write never skips a hole). */
  /**
   * `sourceId` is whose lines `op` writes; without it (a flush) a failure is counted for every
   * source written since the last fsync.
   */
  enqueue(op: () => Promise<void>, code: "WRITE" | "FLUSH", what: string, sourceId?: string): Promise<void> {
    const run = this.#tail.then(async () => {
      if (this.#failure) throw this.#failure;
      if (this.#closed) throw new OutputError("HELR_OUTPUT_CLOSED", `output file ${this.path} is closed`);
      try {
        await op();
      } catch (error) {
        this.#failure =
          error instanceof OutputError
            ? error
            : new OutputError(
                `HELR_OUTPUT_${code}`,
                `output file ${this.path}: ${what}: ${causeText(error)}`,
              );
        this.count(sourceId ?? this.#unsynced, this.#failure.code);
        throw this.#failure;
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async write(data: Buffer, at: Date): Promise<void> {
    const policy = this.rotate;
    if (policy?.kind === "size") {
      for (const step of planSizeWrites(data, this.#size, policy.bytes)) {
        if (step.kind === "rotate") await this.#rotate(utcStamp(at));
        else await this.#append(step.data);
      }
      return;
    }
    if (policy?.kind === "daily") {
      const today = utcDate(at);
      if (this.#contentDate !== undefined && this.#contentDate !== today)
        await this.#rotate(this.#contentDate);
      this.#contentDate = today;
    }
    await this.#append(data);
  }

  async flush(): Promise<void> {
    if (!this.#dirty || !this.#file) return;
    await this.#file.sync();
    this.#dirty = false;
    this.#unsynced.clear();
  }

  /** Waits for queued operations, then fsyncs (unless a write failed) and closes. Idempotent. */
  close(): Promise<void> {
    const run = this.#tail.then(async () => {
      if (this.#closed) return;
      this.#closed = true;
      const file = this.#file;
      this.#file = undefined;
      if (!file) return;
      try {
        if (this.#dirty && !this.#failure) await file.sync();
      } catch (error) {
        const failure = new OutputError(
          "HELR_OUTPUT_FLUSH",
          `output file ${this.path}: cannot fsync: ${causeText(error)}`,
        );
        this.count(this.#unsynced, failure.code);
        throw failure;
      } finally {
        await file.close().catch(() => undefined);
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #append(data: Buffer): Promise<void> {
    if (!this.#file) throw new OutputError("HELR_OUTPUT_CLOSED", `output file ${this.path} is not open`);
    this.#dirty = true;
    await this.#file.write(data);
    this.#size += data.length;
  }

  /** fsync + close the full file, rename it (never over an existing file), start a new one. */
  async #rotate(label: string): Promise<void> {
    const file = this.#file;
    if (!file) return;
    try {
      await file.sync();
      this.#dirty = false;
      this.#unsynced.clear();
      this.#file = undefined;
      await file.close();
      let target = rotatedPath(this.path, label);
      for (let attempt = 1; await this.fs.exists(target); attempt++)
        target = rotatedPath(this.path, label, attempt);
      await this.fs.rename(this.path, target);
      this.#file = await this.fs.open(this.path);
      this.#size = 0;
      this.#contentDate = undefined;
      await this.fs.syncDir(dirname(this.path));
    } catch (error) {
      throw new OutputError(
        "HELR_OUTPUT_ROTATE",
        `output file ${this.path}: cannot rotate: ${causeText(error)}`,
      );
    }
  }
}

/** Bytes to write, without a copy when they already are. */
function toBuffer(data: string | Uint8Array): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
