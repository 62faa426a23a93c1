/**
 * The one place that turns `--output` into a sink, for `helr run` and `helr test`. The network
 * sinks are imported lazily, so a bundle writing to stdout or a file never loads undici's sink
 * client or the NATS client.
 */
import type { Env } from "../config/env.ts";
import type { RunEvents } from "../observe/events.ts";
import type { OutputSpec } from "../spec.ts";
import type { SinkLog } from "./delivery-retry.ts";
import { fileSink } from "./file-sink.ts";
import type { RotatePolicy } from "./rotation.ts";
import type { Sink } from "./sink.ts";
import { OutputUrlError, parseOutputTarget } from "./sink-url.ts";
import { streamSink } from "./stream-sink.ts";

/** What {@link openSink} needs besides the `--output` value. */
export interface OpenSinkOptions {
  readonly env: Env;
  readonly log?: SinkLog;
  /** `global.output` (the IR fills every default). */
  readonly output: OutputSpec;
  /** `--output-rotate` (files only). */
  readonly rotate?: RotatePolicy | undefined;
  /** `run --once`: network sinks give up after `max_retries` instead of retrying until shutdown. */
  readonly once?: boolean;
  /** Shutdown: network sinks bound their retries from then on. */
  readonly signal?: AbortSignal;
  /**
   * The run's event bus: every sink publishes `output_error` (source id, code) on it for each
   * failed write, fsync, batch attempt or publish attempt (`helr_output_errors_total`).
   */
  readonly events?: RunEvents;
}

/**
 * Opens the sink `value` names (`-`/absent: stdout). Throws an `OutputError` (`HELR_OUTPUT_URL`,
 * `HELR_OUTPUT_OPEN`, `HELR_OUTPUT_NATS_CONNECT`, …) naming the output without credentials.
 */
export async function openSink(value: string | undefined, options: OpenSinkOptions): Promise<Sink> {
  const target = parseOutputTarget(value);
  if (options.rotate !== undefined && target.kind !== "file") {
    throw new OutputUrlError(`--output-rotate needs a file output, not ${target.display}`);
  }
  const network = {
    env: options.env,
    bounded: options.once === true,
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.events ? { events: options.events } : {}),
  };
  switch (target.kind) {
    case "stdout":
      return streamSink(process.stdout, "stdout", options.events);
    case "file":
      return fileSink(target.path, {
        rotate: options.rotate,
        ...(options.events ? { events: options.events } : {}),
      });
    case "http": {
      const { httpSink } = await import("./http-sink.ts");
      return httpSink(target, options.output.http, network);
    }
    case "nats": {
      const { natsSink } = await import("./nats-sink.ts");
      return natsSink(target, options.output.nats, network);
    }
  }
}
