import { constants } from "node:fs";
import {
  access,
  type FileHandle,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OutputError } from "../output/sink.ts";

/** One spill file `<path>.<n>`: `size` bytes appended, the first `delivered` handed to the sink. */
interface Segment {
  readonly seq: number;
  readonly file: string;
  size: number;
  delivered: number;
  /** Open for appending (the newest segment only). */
  handle?: FileHandle;
  /** Appended bytes not yet fsynced. */
  dirty: boolean;
}

export interface SpillOptions {
  readonly maxBytes: number;
  readonly segmentBytes: number;
}

/** Bytes read per chunk handed back to the sink. */
const CHUNK = 1024 * 1024;
const SEGMENT = /^(.*)\.(\d{10})$/;

/**
 * The disk buffer of `strategy: disk_buffer`: NDJSON lines appended to numbered segments
 * `<path>.0000000001`, `…2`, read back oldest first. What a flush covers is fsynced before it
 * resolves (spilled = written, so a checkpoint may pass it); a segment is deleted only once the
 * sink flushed everything read from it, and the read position of a partly delivered segment is
 * kept in `<segment>.pos`, so a crash repeats lines at most, never loses one.
 */
export class Spill {
  readonly #path: string;
  readonly #options: SpillOptions;
  readonly #segments: Segment[] = [];
  #nextSeq = 1;
  #appends = 0;
  #chain: Promise<void> = Promise.resolve();

  private constructor(path: string, options: SpillOptions) {
    this.#path = path;
    this.#options = options;
  }

  /**
   * Opens the buffer at `path`, taking over the segments a previous run left (they are drained
   * before anything new). @throws OutputError HELR_OUTPUT_SPILL_OPEN when the directory is
   * missing or not writable.
   */
  static async open(path: string, options: SpillOptions): Promise<Spill> {
    const dir = dirname(path);
    try {
      if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
      await access(dir, constants.W_OK);
      // access() answers yes to root on a directory it still cannot write (a read-only file
      // system, sysfs): create and remove a probe file, as a spill will.
      const probe = `${path}.probe-${process.pid}`;
      await writeFile(probe, "", { flag: "wx" });
      await unlink(probe);
    } catch (error) {
      throw new OutputError(
        "HELR_OUTPUT_SPILL_OPEN",
        `backpressure disk buffer ${path}: directory ${dir} is missing or not writable (${(error as Error).message})`,
      );
    }
    const spill = new Spill(path, options);
    await spill.#recover();
    return spill;
  }

  /** Nothing waits on disk and no append is under way: new lines may go to memory again. */
  get empty(): boolean {
    return this.#appends === 0 && this.#segments.every((s) => s.delivered === s.size);
  }

  /** Bytes on disk not yet delivered. */
  get bytes(): number {
    let total = 0;
    for (const s of this.#segments) total += s.size - s.delivered;
    return total;
  }

  /** Whether `bytes` more fit under `max_size_mb` (always when the buffer is empty). */
  fits(bytes: number): boolean {
    const held = this.bytes;
    return held === 0 || held + bytes <= this.#options.maxBytes;
  }

  /** Appends whole lines, after every earlier append. */
  append(data: Uint8Array): Promise<void> {
    this.#appends++;
    const run = this.#chain.then(() => this.#write(data));
    this.#chain = run.catch(() => undefined);
    return run.finally(() => this.#appends--);
  }

  /** Waits for the appends so far and fsyncs what they wrote. */
  async sync(): Promise<void> {
    await this.#chain;
    for (const s of this.#segments) {
      if (!s.dirty || s.handle === undefined) continue;
      s.dirty = false;
      await guard(`sync ${s.file}`, () => (s.handle as FileHandle).sync());
    }
  }

  /** The next bytes to deliver (whole lines, at most 1 MiB unless one line is longer), if any. */
  async read(): Promise<Uint8Array | undefined> {
    const segment = this.#segments.find((s) => s.delivered < s.size);
    if (segment === undefined) return undefined;
    const length = Math.min(segment.size - segment.delivered, CHUNK);
    const bytes = await guard(`read ${segment.file}`, async () => {
      const handle = await open(segment.file, "r");
      try {
        const buf = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buf, 0, length, segment.delivered);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    });
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end > 0) return bytes.subarray(0, end);
    // One line longer than a chunk: read it whole.
    const whole = await readFile(segment.file);
    const stop = whole.indexOf(0x0a, segment.delivered);
    return whole.subarray(segment.delivered, stop === -1 ? segment.size : stop + 1);
  }

  /**
   * Records that the sink flushed the `n` bytes last {@link read}; deletes a segment once all of
   * it was delivered and nothing more will be appended to it.
   */
  async delivered(n: number): Promise<void> {
    const segment = this.#segments.find((s) => s.delivered < s.size);
    if (segment === undefined) return;
    segment.delivered += n;
    const last = segment === this.#segments[this.#segments.length - 1];
    if (segment.delivered < segment.size || (last && this.#appends > 0)) {
      await writePosition(segment);
      return;
    }
    // Gone from the list now (synchronously), so a new append opens a new segment.
    this.#segments.splice(this.#segments.indexOf(segment), 1);
    await guard(`remove ${segment.file}`, async () => {
      await segment.handle?.close();
      await unlink(segment.file);
      await unlink(`${segment.file}.pos`).catch(() => undefined);
    });
  }

  /** Syncs and closes; segments delivered in full are removed (one may linger after a race with an append). */
  async close(): Promise<void> {
    await this.sync();
    for (const s of this.#segments) {
      await s.handle?.close();
      if (s.delivered === s.size)
        await guard(`remove ${s.file}`, async () => {
          await unlink(s.file);
          await unlink(`${s.file}.pos`).catch(() => undefined);
        });
    }
  }

  async #write(data: Uint8Array): Promise<void> {
    let segment = this.#segments[this.#segments.length - 1];
    if (segment === undefined || segment.handle === undefined || segment.size >= this.#options.segmentBytes) {
      if (segment?.handle !== undefined) await this.#seal(segment);
      segment = await this.#create();
    }
    const target = segment;
    await guard(`append to ${target.file}`, async () => {
      await (target.handle as FileHandle).write(data);
    });
    target.size += data.length;
    target.dirty = true;
  }

  async #seal(segment: Segment): Promise<void> {
    const handle = segment.handle as FileHandle;
    delete segment.handle;
    await guard(`sync ${segment.file}`, async () => {
      if (segment.dirty) await handle.sync();
      await handle.close();
    });
    segment.dirty = false;
  }

  async #create(): Promise<Segment> {
    const seq = this.#nextSeq++;
    const file = `${this.#path}.${String(seq).padStart(10, "0")}`;
    const handle = await guard(`create ${file}`, () => open(file, "a"));
    // The new name must survive a crash as well as the bytes in it.
    await guard(`sync ${dirname(file)}`, () => syncDir(dirname(file)));
    const segment: Segment = { seq, file, size: 0, delivered: 0, handle, dirty: false };
    this.#segments.push(segment);
    return segment;
  }

  /** Segments of a previous run, oldest first; a torn last line (never flushed) is cut off. */
  async #recover(): Promise<void> {
    const dir = dirname(this.#path);
    const prefix = basename(this.#path);
    const found: { seq: number; file: string }[] = [];
    for (const name of await readdir(dir)) {
      const match = SEGMENT.exec(name);
      if (match?.[1] === prefix) found.push({ seq: Number(match[2]), file: join(dir, name) });
    }
    found.sort((a, b) => a.seq - b.seq);
    for (const { seq, file } of found) {
      const bytes = await readFile(file);
      const size = bytes.lastIndexOf(0x0a) + 1;
      if (size < bytes.length) await guard(`truncate ${file}`, () => truncateFile(file, size));
      const delivered = await readPosition(file, bytes, size);
      this.#nextSeq = Math.max(this.#nextSeq, seq + 1);
      if (delivered >= size) {
        await unlink(file);
        await unlink(`${file}.pos`).catch(() => undefined);
        continue;
      }
      this.#segments.push({ seq, file, size, delivered, dirty: false });
    }
  }
}

async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new OutputError(
      "HELR_OUTPUT_SPILL",
      `backpressure disk buffer: cannot ${what}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function truncateFile(file: string, size: number): Promise<void> {
  const handle = await open(file, "r+");
  try {
    await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The recorded read position; one that is not at a line start of this segment counts as 0. */
async function readPosition(file: string, bytes: Buffer, size: number): Promise<number> {
  const text = await readFile(`${file}.pos`, "utf8").catch(() => "");
  const at = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(at) || at <= 0 || at > size || bytes[at - 1] !== 0x0a) return 0;
  return at;
}

/** Written then renamed, so a crash leaves the old position or the new one, never a torn one. */
async function writePosition(segment: Segment): Promise<void> {
  const pos = `${segment.file}.pos`;
  await guard(`record the position of ${segment.file}`, async () => {
    await writeFile(`${pos}.tmp`, String(segment.delivered));
    await rename(`${pos}.tmp`, pos);
  });
}
