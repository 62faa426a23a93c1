/**
 * The NATS sink (`--output nats://host:port/subject`). By default every line is one JetStream
 * message carrying `Nats-Msg-Id` = the line's key (`<source>:<event id>` or
 * `<source>:sha256:<hex>`, {@link BlockInfo.keys}); publishes are pipelined up to `maxInFlight`
 * unacknowledged messages, and `flush()` resolves once every message written before it was
 * acknowledged by the stream. A retried publish, and an event re-emitted after a crash, reuse the
 * key, so the stream's duplicate window stores it once. Core NATS (`jetstream: false`) publishes
 * without acks: at most once, only when configured.
 */
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import type { Env } from "../config/env.ts";
import type { RunEvents } from "../observe/events.ts";
import type { NatsSinkSpec } from "../spec.ts";
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
import { connectNats, findStream, type NatsTarget } from "./nats-connect.ts";
import { publishOutcome } from "./nats-errors.ts";
import { type CountFailure, failureCounter } from "./output-failures.ts";
import { type BlockInfo, OutputError, type Sink } from "./sink.ts";
import { isPublishSubject, OutputUrlError } from "./sink-url.ts";

/** What the NATS sink needs from the run. */
export interface NatsSinkOptions {
  readonly env: Env;
  readonly log?: SinkLog;
  /** Give up on a message after `maxRetries` from the start (`run --once`). */
  readonly bounded?: boolean;
  /** Shutdown: from then on retries are bounded. */
  readonly signal?: AbortSignal;
  /** Gets an `output_error` for the message's source on every failed publish attempt. */
  readonly events?: RunEvents;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/**
 * Connects at start (an unreachable server, refused credentials or, with JetStream, no stream
 * for the subject fail here, naming the server and subject), then publishes what is written.
 */
export async function natsSink(
  target: NatsTarget,
  spec: NatsSinkSpec,
  options: NatsSinkOptions,
): Promise<Sink> {
  const subject = spec.subject ?? target.subject;
  if (!isPublishSubject(subject)) {
    throw new OutputUrlError(
      `global.output.nats.subject: "${subject}" is not a NATS subject to publish to (dot-separated tokens, no spaces, no * or >)`,
    );
  }
  const named = { ...target, subject, display: `nats://${target.server}/${subject}` };
  const nc = await connectNats(named, spec, options.env);
  watchStatus(nc, named.display, options.log);
  if (!spec.jetstream) return coreSink(nc, named, options.log, failureCounter(options.events));
  try {
    const { stream, duplicateWindowMs } = await findStream(nc, named);
    options.log?.info(
      { sink: named.display, stream, duplicateWindowSecs: duplicateWindowMs / 1000 },
      `output ${named.display}: publishing to JetStream stream ${stream}; a retry or re-emit within its ` +
        `duplicate window (${duplicateWindowMs / 1000} s) is stored once`,
    );
  } catch (error) {
    await nc.close();
    throw error;
  }
  return new JetStreamSink(nc, jetstream(nc), named, spec, options);
}

class JetStreamSink implements Sink {
  readonly wantsKeys = true;
  readonly #wake = new AbortController();
  readonly #run: RetryRun;
  readonly #report: FailureReport;
  readonly #count: CountFailure;
  readonly #pending = new Set<Promise<void>>();
  #waiters: Array<() => void> = [];
  #failure: OutputError | undefined;
  #bounded: boolean;
  #closed: Promise<void> | undefined;

  constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly target: NatsTarget,
    readonly spec: NatsSinkSpec,
    readonly options: NatsSinkOptions,
  ) {
    // Every publish waiting to retry listens on it.
    setMaxListeners(0, this.#wake.signal);
    this.#bounded = options.bounded === true;
    options.signal?.addEventListener("abort", this.#bound, { once: true });
    if (options.signal?.aborted) this.#bound();
    this.#report = failureReport(target.display, options.log);
    this.#count = failureCounter(options.events);
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

  /** Issues one publish per line; resolves once all are issued and at most `maxInFlight` are unacknowledged. */
  async write(data: string | Uint8Array, block?: BlockInfo): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw closedError(this.target.display);
    let index = 0;
    for (const line of lines(data)) {
      while (this.#pending.size >= this.spec.maxInFlight && !this.#failure) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
      if (this.#failure) throw this.#failure;
      this.#publish(line, messageId(block?.keys?.[index], line), block?.sourceId);
      index += 1;
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#failure) throw this.#failure;
  }

  /** Bounds the retries, waits for every ack, closes the connection. Rejects only for a failure of its own. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const before = this.#failure;
      this.#bound();
      this.options.signal?.removeEventListener("abort", this.#bound);
      await Promise.all(this.#pending);
      await this.nc.close();
      if (this.#failure && this.#failure !== before) throw this.#failure;
    })();
    return this.#closed;
  }

  readonly #bound = (): void => {
    this.#bounded = true;
    this.#wake.abort();
  };

  #publish(payload: Uint8Array, msgID: string, sourceId: string | undefined): void {
    const timeout = this.spec.ackTimeoutSecs * 1000;
    const attempt = async (): Promise<AttemptOutcome> => {
      try {
        await this.js.publish(this.target.subject, payload, { msgID, timeout });
        return { kind: "acked" };
      } catch (error) {
        const outcome = publishOutcome(error, this.target, timeout);
        if (outcome.kind === "retry") this.#count(sourceId, "HELR_OUTPUT_NATS_UNAVAILABLE");
        return outcome;
      }
    };
    const done = deliverWithRetries(attempt, this.#run)
      .then((result) => {
        if (result.kind === "gave_up") throw gaveUp(this.target.display, result.attempts, result.reason);
        this.#report.acked();
      })
      .catch((error: unknown) => {
        const failure =
          error instanceof OutputError
            ? error
            : new OutputError(
                "HELR_OUTPUT_NATS",
                `output ${this.target.display}: ${(error as Error).message}`,
              );
        // A give-up's last attempt was counted as it failed; a permanent one is counted here.
        if (!(error instanceof GaveUp)) this.#count(sourceId, failure.code);
        this.#failure ??= failure;
      })
      .finally(() => {
        this.#pending.delete(done);
        // After a failure every blocked writer must learn of it, not just the next one.
        if (this.#failure) for (const wake of this.#waiters.splice(0)) wake();
        else this.#waiters.shift()?.();
      });
    this.#pending.add(done);
  }
}

/** A message given up on after its retries (each failed attempt was counted already). */
class GaveUp extends OutputError {}

function gaveUp(display: string, attempts: number, reason: string): OutputError {
  return new GaveUp(
    "HELR_OUTPUT_NATS_UNAVAILABLE",
    `output ${display}: a message was not acknowledged after ${attempts} attempts (last: ${reason}); ` +
      "state is not advanced past it",
  );
}

/**
 * Core NATS: `publish` without acks (at most once: a message published while no server holds it
 * is gone). `flush()` waits for the server's PONG, i.e. that it received everything before.
 */
function coreSink(
  nc: NatsConnection,
  target: NatsTarget,
  log: SinkLog | undefined,
  count: CountFailure,
): Sink {
  log?.warn(
    { sink: target.display },
    `output ${target.display}: core NATS (global.output.nats.jetstream: false): delivery is at most once`,
  );
  let failure: OutputError | undefined;
  /** Sources published since the last successful flush: whose lines a failed flush may have lost. */
  let unflushed = new Set<string>();
  const fail = (error: unknown, sources: Iterable<string> | string | undefined): OutputError => {
    if (failure) return failure;
    failure = new OutputError("HELR_OUTPUT_NATS", `output ${target.display}: ${(error as Error).message}`);
    count(sources, failure.code);
    return failure;
  };
  return {
    async write(data, block) {
      if (failure) throw failure;
      let index = 0;
      if (block) unflushed.add(block.sourceId);
      try {
        for (const line of lines(data)) {
          const headers = natsHeaders();
          headers.set("Nats-Msg-Id", messageId(block?.keys?.[index], line));
          nc.publish(target.subject, line, { headers });
          index += 1;
        }
      } catch (error) {
        throw fail(error, block?.sourceId);
      }
    },
    async flush() {
      if (failure) throw failure;
      const sources = unflushed;
      unflushed = new Set();
      await nc.flush().catch((error: unknown) => Promise.reject(fail(error, sources)));
    },
    async close() {
      if (!nc.isClosed()) await nc.flush().catch(() => undefined);
      await nc.close();
    },
  };
}

/** Each line of `data` without its `\n` (the message is the JSON document). */
function* lines(data: string | Uint8Array): Generator<Uint8Array> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    if (stop > start) yield bytes.subarray(start, stop);
    start = stop + 1;
  }
}

const HEADER_SAFE = /^[\x21-\x7e][\x20-\x7e]{0,255}$/;

/**
 * The message id: the engine's key for the line, else a hash of the line. A key a header cannot
 * carry as is (control characters, non-ASCII, very long) is hashed, which is just as stable.
 */
export function messageId(key: string | undefined, line: Uint8Array): string {
  if (key !== undefined && HEADER_SAFE.test(key)) return key;
  const hash = createHash("sha256");
  hash.update(key ?? line);
  return `sha256:${hash.digest("hex")}`;
}

function watchStatus(nc: NatsConnection, display: string, log?: SinkLog): void {
  if (!log) return;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect")
        log.warn({ sink: display }, `output ${display}: disconnected from NATS`);
      if (status.type === "reconnect") log.info({ sink: display }, `output ${display}: reconnected to NATS`);
    }
  })().catch(() => undefined);
}

function closedError(display: string): OutputError {
  return new OutputError("HELR_OUTPUT_CLOSED", `output ${display} is closed`);
}
