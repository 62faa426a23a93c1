import type { Writable } from "node:stream";
import type { RunEvents } from "../observe/events.ts";
import { failureCounter } from "./output-failures.ts";
import { causeText, OutputError, type Sink } from "./sink.ts";

/**
 * A sink over a writable stream (stdout). `write` resolves when the stream's callback fires,
 * i.e. the bytes were handed to the OS (this is also the backpressure point), and `flush` waits
 * for the last write, which a stream completes in order. The first error is sticky: after a
 * broken pipe every write and flush rejects with it, naming the output. That first failure is
 * published once on `events` as an `output_error` per source with a write in progress.
 */
export function streamSink(stream: Writable, name = "stdout", events?: RunEvents): Sink {
  let failure: OutputError | undefined;
  let last: Promise<void> = Promise.resolve();
  const count = failureCounter(events);
  /** Sources of the writes the stream has not completed yet, with how many each. */
  const writing = new Map<string, number>();
  const fail = (error: NodeJS.ErrnoException, sourceId?: string): OutputError => {
    if (failure) return failure;
    failure = toOutputError(error, name);
    count(sourceId ?? writing.keys(), failure.code);
    return failure;
  };
  // Without a listener an EPIPE 'error' event would be thrown as an uncaught exception.
  stream.on("error", fail);
  return {
    write(text, block) {
      if (failure) return Promise.reject(failure);
      const sourceId = block?.sourceId;
      if (stream.destroyed || stream.writableEnded) return Promise.reject(fail(closedError(), sourceId));
      if (sourceId !== undefined) writing.set(sourceId, (writing.get(sourceId) ?? 0) + 1);
      last = new Promise<void>((resolve, reject) => {
        stream.write(text, (error) => {
          if (error) reject(fail(error, sourceId));
          else resolve();
          if (sourceId === undefined) return;
          const left = (writing.get(sourceId) ?? 1) - 1;
          if (left === 0) writing.delete(sourceId);
          else writing.set(sourceId, left);
        });
      });
      return last;
    },
    async flush() {
      await last;
      if (failure) throw failure;
    },
    async close() {
      // The stream outlives the sink (stdout): it stays open, and its error listener stays so a
      // late EPIPE is never an uncaught exception.
      await last.catch(() => undefined);
    },
  };
}

function closedError(): NodeJS.ErrnoException {
  return Object.assign(new Error("stream is closed"), { code: "ERR_STREAM_DESTROYED" });
}

function toOutputError(error: NodeJS.ErrnoException, name: string): OutputError {
  if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
    return new OutputError("HELR_OUTPUT_EPIPE", `output ${name}: the reader closed the pipe (broken pipe)`);
  }
  return new OutputError("HELR_OUTPUT_WRITE", `output ${name}: cannot write: ${causeText(error)}`);
}
