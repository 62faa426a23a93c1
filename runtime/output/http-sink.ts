/**
 * The HTTP sink (`--output http(s)://…`): NDJSON lines POSTed in batches, at least once. A batch
 * is sent when it has `batchSize` lines, `batchTimeoutMs` after its first line, on `flush()`, or
 * when the buffer is full; batches go out one at a time, in order. `flush()` resolves only when
 * every batch written before it was answered with a 2xx, so the engine's checkpoint never covers
 * a line the receiver has not acknowledged. Retries follow delivery-retry.ts; a permanent
 * rejection (or a bounded give-up) is sticky: every later write and flush rejects with it.
 */
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import type { Env } from "../config/env.ts";
import { codeOf } from "../errors/helr-error.ts";
import { createHttpClient, type HttpClient } from "../http/client.ts";
import { tlsConnectOptions } from "../http/tls.ts";
import type { RunEvents } from "../observe/events.ts";
import type { HttpSinkSpec, TlsSpec } from "../spec.ts";
import {
  type AttemptOutcome,
  deliverWithRetries,
  type FailureReport,
  failureReport,
  type RetryRun,
  type SinkLog,
  type Sleep,
  timerSleep,
} from "./delivery-retry.ts";
import { type Batch, BatchBuilder, batchBody } from "./http-batch.ts";
import { classifyResponse, type HttpSinkTarget, sinkHeaders, transportOutcome } from "./http-sink-request.ts";
import { type CountFailure, failureCounter } from "./output-failures.ts";
import { type BlockInfo, type OutputCode, OutputError, type Sink } from "./sink.ts";

const gzip = promisify(gzipCallback);

/** What the HTTP sink needs from the run. */
export interface HttpSinkOptions {
  readonly env: Env;
  readonly log?: SinkLog;
  /** Give up after `maxRetries` from the start (`run --once`). */
  readonly bounded?: boolean;
  /** Shutdown: from then on retries are bounded, and waits of exhausted batches end. */
  readonly signal?: AbortSignal;
  /** Gets an `output_error` per source for every failed attempt of a batch holding its lines. */
  readonly events?: RunEvents;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Keeps an error body's start for the message, no more. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Opens the sink: reads its credentials and TLS files once (a missing token or a bad CA fails
 * here, naming the sink), then sends nothing until lines are written.
 */
export async function httpSink(
  target: HttpSinkTarget,
  spec: HttpSinkSpec,
  options: HttpSinkOptions,
): Promise<Sink> {
  await sinkHeaders(spec, target, options.env, true);
  const tls = spec.tls ? await loadTls(spec.tls, options.env, target.display) : undefined;
  const secs = spec.timeoutSecs;
  const client = createHttpClient(
    { connectSecs: Math.min(10, secs), requestSecs: secs, readSecs: secs, idleSecs: 30 },
    { owner: `output ${target.display}`, ...(tls ? { tls: async () => tls } : {}) },
  );
  return new HttpSink(target, spec, options, client);
}

async function loadTls(spec: TlsSpec, env: Env, display: string) {
  try {
    return await tlsConnectOptions(spec, env, "output.http");
  } catch (error) {
    const message = (error as Error).message.replace('source "output.http": ', "");
    throw new OutputError("HELR_OUTPUT_HTTP_TLS", `output ${display}: global.output.http.tls: ${message}`);
  }
}

class HttpSink implements Sink {
  readonly #builder: BatchBuilder;
  readonly #wake = new AbortController();
  readonly #run: RetryRun;
  readonly #report: FailureReport;
  readonly #count: CountFailure;
  #timer: NodeJS.Timeout | undefined;
  /** The last batch's delivery; never rejects (failures land in #failure). */
  #tail: Promise<void> = Promise.resolve();
  /** Bytes written and not yet acknowledged (or given up on). */
  #unacked = 0;
  #waiters: Array<() => void> = [];
  #failure: OutputError | undefined;
  #bounded: boolean;
  #closed: Promise<void> | undefined;

  constructor(
    readonly target: HttpSinkTarget,
    readonly spec: HttpSinkSpec,
    readonly options: HttpSinkOptions,
    readonly client: HttpClient,
  ) {
    this.#builder = new BatchBuilder(spec.batchSize);
    this.#report = failureReport(target.display, options.log, options.now);
    this.#bounded = options.bounded === true;
    this.#count = failureCounter(options.events);
    options.signal?.addEventListener("abort", this.#bound, { once: true });
    if (options.signal?.aborted) this.#bound();
    this.#run = {
      spec: spec.retry,
      bounded: () => this.#bounded,
      wake: this.#wake.signal,
      sleep: options.sleep ?? timerSleep,
      random: options.random ?? Math.random,
      onFailing: this.#report.onFailing,
      onStillFailing: this.#report.onStillFailing,
    };
  }

  write(data: string | Uint8Array, block?: BlockInfo): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(closedError(this.target.display));
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.#unacked += bytes.length;
    const full = this.#builder.add(bytes, block?.sourceId);
    for (const batch of full) this.#send(batch);
    if (this.#builder.lines === 0) this.#disarm();
    else if (full.length > 0 || this.#timer === undefined) this.#arm();
    if (this.#unacked <= this.spec.maxBufferBytes) return Promise.resolve();
    this.#sendPartial();
    return this.#space();
  }

  async flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#sendPartial();
    await this.#tail;
    if (this.#failure) throw this.#failure;
  }

  /** Bounds the retries, sends what is left and waits for it. Rejects only for a failure of its own. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const before = this.#failure;
      this.#bound();
      this.options.signal?.removeEventListener("abort", this.#bound);
      this.#sendPartial();
      await this.#tail;
      await this.client.close();
      if (this.#failure && this.#failure !== before) throw this.#failure;
    })();
    return this.#closed;
  }

  readonly #bound = (): void => {
    this.#bounded = true;
    this.#wake.abort();
  };

  #arm(): void {
    this.#disarm();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sendPartial();
    }, this.spec.batchTimeoutMs);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #sendPartial(): void {
    this.#disarm();
    const batch = this.#builder.take();
    if (batch) this.#send(batch);
  }

  #send(batch: Batch): void {
    const done = this.#tail
      .then(() => this.#deliver(batch))
      .catch((error: unknown) => {
        const failure = asOutputError(error, this.target.display);
        // A give-up's last attempt was counted as it failed; a permanent one is counted here.
        if (!(error instanceof GaveUp)) this.#count(batch.sources, failure.code);
        this.#failure ??= failure;
      })
      .finally(() => {
        this.#unacked -= batch.bytes;
        for (const wake of this.#waiters.splice(0)) wake();
      });
    this.#tail = done;
  }

  async #space(): Promise<void> {
    while (this.#unacked > this.spec.maxBufferBytes && !this.#failure) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#failure) throw this.#failure;
  }

  async #deliver(batch: Batch): Promise<void> {
    if (this.#failure) return;
    const plain = batchBody(batch);
    const body = this.spec.gzip ? await gzip(plain) : plain;
    const result = await deliverWithRetries(() => this.#attempt(body, batch), this.#run);
    if (result.kind === "gave_up") {
      throw new GaveUp(
        "HELR_OUTPUT_HTTP_UNAVAILABLE",
        `output ${this.target.display}: a batch of ${batch.lines} lines was not acknowledged after ` +
          `${result.attempts} attempts (last: ${result.reason}); state is not advanced past these lines`,
      );
    }
    this.#report.acked();
  }

  async #attempt(body: Buffer, batch: Batch): Promise<AttemptOutcome> {
    const lines = batch.lines;
    const { headers, secrets } = await sinkHeaders(this.spec, this.target, this.options.env);
    let outcome: AttemptOutcome;
    try {
      const res = await this.client.send({
        method: "POST",
        url: this.target.url,
        headers,
        body,
        timeoutMs: this.spec.timeoutSecs * 1000,
        maxBodyBytes: MAX_ERROR_BODY_BYTES,
        secrets,
      });
      const now = this.options.now ?? Date.now;
      outcome = classifyResponse(res, { display: this.target.display, lines, secrets }, now());
    } catch (error) {
      outcome = transportOutcome(error, this.spec.timeoutSecs);
    }
    if (outcome.kind === "retry") {
      this.#count(batch.sources, "HELR_OUTPUT_HTTP_UNAVAILABLE");
      this.options.log?.debug({ sink: this.target.display, reason: outcome.reason }, "output batch retried");
    }
    return outcome;
  }
}

/** A batch given up on after its retries (each failed attempt was counted already). */
class GaveUp extends OutputError {}

function closedError(display: string): OutputError {
  return new OutputError("HELR_OUTPUT_CLOSED", `output ${display} is closed`);
}

function asOutputError(error: unknown, display: string): OutputError {
  if (error instanceof OutputError) return error;
  const code = codeOf(error);
  const outputCode = code?.startsWith("HELR_OUTPUT_") ? (code as OutputCode) : "HELR_OUTPUT_HTTP";
  return new OutputError(outputCode, `output ${display}: ${(error as Error).message}`, { cause: error });
}
