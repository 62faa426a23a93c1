import type { Writable } from "node:stream";
import { OutputError, type Sink } from "./sink.ts";

/**
 * A sink over a writable stream (stdout). `write` resolves when the stream's callback fires,
 * i.e. the bytes were handed to the OS, which is what `flush` waits for too.
 */
export function streamSink(stream: Writable): Sink {
  let failure: OutputError | undefined;
  let last: Promise<void> = Promise.resolve();
  stream.on("error", (error: NodeJS.ErrnoException) => {
    failure ??= toOutputError(error);
  });
  return {
    write(text) {
      if (failure) return Promise.reject(failure);
      last = new Promise<void>((resolve, reject) => {
        stream.write(text, (error) => (error ? reject(toOutputError(error)) : resolve()));
      });
      return last;
    },
    async flush() {
      await last;
      if (failure) throw failure;
    },
    async close() {
      await last.catch(() => undefined);
    },
  };
}

function toOutputError(error: NodeJS.ErrnoException): OutputError {
  if (error.code === "EPIPE") {
    return new OutputError("HELR_OUTPUT_EPIPE", "output closed by the reader (broken pipe)");
  }
  return new OutputError("HELR_OUTPUT_WRITE", `cannot write output: ${error.message}`);
}
