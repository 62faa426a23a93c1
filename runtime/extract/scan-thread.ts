/**
 * The byte scan of big pages on a second thread. The scan (validate the body, find the events
 * and the members the engine reads) is a pure function of the bytes and about a third of a
 * backfill's CPU; on its own thread it runs while the main thread writes and checkpoints the
 * page before, and reads the next response.
 *
 * The thread is small: a bundle carries this module's thread side, bundled on its own
 * (scan-thread-main.ts, compiler/bundle/scan-thread.ts), as a script the main thread starts
 * with `eval`, so the thread loads a few kilobytes, not the bundle. Bodies move to the thread
 * and back without a copy. Without that script (tests, `tsx`), every scan runs inline.
 */
import { type MessagePort, Worker } from "node:worker_threads";
import { HelrError } from "../errors/helr-error.ts";
import { type ArrayScan, type DocumentScan, type ScanPlan, scanDocument } from "./byte-scan.ts";

interface ScanRequest {
  readonly id: number;
  readonly body: Uint8Array;
  readonly plan: ScanPlan;
}

interface ScanReply {
  readonly id: number;
  readonly body: Uint8Array;
  /** undefined: the body is not one JSON text. */
  readonly scan: DocumentScan | undefined;
}

/** The thread's side: scans each body it is sent and sends it back with the offsets. */
export function serveScans(port: MessagePort): void {
  port.on("message", ({ id, body, plan }: ScanRequest) => {
    const scan = scanDocument(body, plan);
    const reply: ScanReply = { id, body, scan: scan && compact(scan) };
    port.postMessage(reply, [body.buffer as ArrayBuffer, ...(reply.scan ? buffersOf(reply.scan) : [])]);
  });
}

/** The offset lists as typed arrays, whose memory moves to the main thread without a copy. */
function compact(scan: DocumentScan): DocumentScan {
  const arrays = new Map<string, ArrayScan | null>();
  for (const [key, found] of scan.arrays)
    arrays.set(
      key,
      found && { elements: Float64Array.from(found.elements), picks: Float64Array.from(found.picks) },
    );
  return { arrays, top: scan.top };
}

function buffersOf(scan: DocumentScan): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const found of scan.arrays.values()) {
    if (!found) continue;
    buffers.push(
      (found.elements as Float64Array<ArrayBuffer>).buffer,
      (found.picks as Float64Array<ArrayBuffer>).buffer,
    );
  }
  return buffers;
}

/** A failure of the scan thread; the page it held is not lost: the pass fails before it is written. */
export class ScanThreadError extends HelrError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("HELR_SCAN_THREAD", message, options);
  }
}

/**
 * One thread, started on the first scan, that scans bodies in the order they are sent. A body is
 * moved to the thread (the caller must not touch it until `scan` resolves) and comes back in a
 * new Buffer. If the thread fails, its pending scans reject with {@link ScanThreadError} and
 * later scans are refused (callers then scan inline). The thread never keeps the process alive
 * once no scan is pending.
 */
export class ScanThread {
  readonly #source: string;
  readonly #pending = new Map<number, (reply: ScanReply | Error) => void>();
  #worker: Worker | undefined;
  #failed = false;
  #nextId = 0;

  /** `source`: a script that calls {@link serveScans} with its parent port. */
  constructor(source: string) {
    this.#source = source;
  }

  /** False once the thread failed. */
  get usable(): boolean {
    return !this.#failed;
  }

  /** Scans `body`, which must own its whole ArrayBuffer (it moves to the thread and back). */
  scan(body: Buffer, plan: ScanPlan): Promise<{ body: Buffer; scan: DocumentScan | undefined }> {
    if (this.#failed) return Promise.reject(new ScanThreadError("the page scan thread failed earlier"));
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) => {
        if (reply instanceof Error) return reject(reply);
        const back = Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
        resolve({ body: back, scan: reply.scan });
      });
      if (this.#pending.size === 1) worker.ref();
      try {
        worker.postMessage({ id, body, plan } satisfies ScanRequest, [body.buffer as ArrayBuffer]);
      } catch (error) {
        // Not transferable (a shared buffer): nothing was sent.
        this.#settle(id, error as Error);
      }
    });
  }

  /** Ends the thread; pending scans reject. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#source, {
      eval: true,
      // The thread holds one body (at most 16 MiB) at a time and builds two offset lists: about
      // 12 bytes per event and 16 per picked member, so even a body of 3-byte events fits.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 },
    });
    worker.unref();
    worker.on("message", (reply: ScanReply) => this.#settle(reply.id, reply));
    worker.on("error", (error) => this.#fail(error));
    worker.on("exit", (code) => {
      if (this.#worker === worker) this.#fail(new Error(`exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  #settle(id: number, reply: ScanReply | Error): void {
    const settle = this.#pending.get(id);
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker?.unref();
    settle?.(reply);
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#worker = undefined;
    const failure = new ScanThreadError(`the page scan thread failed: ${error.message}`);
    for (const id of [...this.#pending.keys()]) this.#settle(id, failure);
  }
}

let shared: ScanThread | undefined;

/** Scans of big pages go to a thread started from `source` (undefined: scan inline). */
export function useScanThread(source: string | undefined): void {
  void shared?.close();
  shared = source !== undefined ? new ScanThread(source) : undefined;
}

/** The process's scan thread, if it has one that has not failed. */
export function sharedScanThread(): ScanThread | undefined {
  return shared?.usable ? shared : undefined;
}
