import type { Writable } from "node:stream";
import { causeText, OutputError, type Sink } from "./sink.ts";

/**
 * A sink over a writable stream (stdout). `write` resolves when the stream's callback fires,
 * i.e. the bytes were handed to the OS (this is also the backpressure point), and `flush` waits
 * for the last write, which a stream completes in order. The first error is sticky: after a
 * broken pipe every write and flush rejects with it, naming the output.
 */
export function streamSink(stream: Writable, name = "stdout"): Sink {
  let failure: OutputError | undefined;
  let last: Promise<void> = Promise.resolve();
  const fail = (error: NodeJS.ErrnoException): OutputError => {
    failure ??= toOutputError(error, name);
    return failure;
  };
  // Without a listener an EPIPE 'error' event would be thrown as an uncaught exception.
  stream.on("error", fail);
  return {
    write(text) {
      if (failure) return Promise.reject(failure);
      if (stream.destroyed || stream.writableEnded) return Promise.reject(fail(closedError()));
      last = new Promise<void>((resolve, reject) => {
        stream.write(text, (error) => (error ? reject(fail(error)) : resolve()));
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
