import { spawn } from "node:child_process";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { OutputError } from "../../../runtime/output/sink.ts";
import { streamSink } from "../../../runtime/output/stream-sink.ts";

describe("stream sink", () => {
  it("resolves writes once the stream accepted them, and flush after the last one", async () => {
    const chunks: string[] = [];
    const pending: Array<() => void> = [];
    const slow = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        pending.push(done);
      },
    });
    const sink = streamSink(slow);
    let flushed = false;
    void sink.write("a\n");
    const flush = sink.flush().then(() => (flushed = true));
    // The stream holds the chunk; once every pending continuation has run (a setImmediate
    // turn), the flush must still be waiting for it.
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(["a\n"]);
    expect(flushed).toBe(false);
    for (const done of pending.splice(0)) done();
    await flush;
    expect(chunks).toEqual(["a\n"]);
  });

  it("a reader that closes early: writes reject with a broken-pipe error naming the output", async () => {
    // A child that reads a few bytes and exits, as `helr run | head -c 10` would.
    const reader = spawn(process.execPath, ["-e", 'process.stdin.once("data", () => process.exit(0))'], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    const sink = streamSink(reader.stdin, "stdout");
    const page = `${JSON.stringify({ pad: "x".repeat(1000) })}\n`.repeat(100);
    let error: unknown;
    try {
      // Up to 20 MB: far more than a pipe buffer, so the reader's exit must surface.
      for (let i = 0; i < 200; i++) await sink.write(page);
      await sink.flush();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputError);
    expect(error).toMatchObject({
      code: "HELR_OUTPUT_EPIPE",
      message: expect.stringMatching(/stdout.*broken pipe/),
    });
    // Sticky: later writes and flushes fail the same way instead of hanging.
    await expect(sink.write("more\n")).rejects.toBe(error);
    await expect(sink.flush()).rejects.toBe(error);
    await sink.close();
  });

  it("any other stream error is HELR_OUTPUT_WRITE, its code given once", async () => {
    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
      },
    });
    failing.on("error", () => undefined);
    const sink = streamSink(failing, "out.ndjson");
    await expect(sink.write("a\n")).rejects.toMatchObject({
      code: "HELR_OUTPUT_WRITE",
      message: "output out.ndjson: cannot write: ENOSPC: no space left on device, write",
    });
  });

  it("close leaves the stream open (stdout outlives the sink)", async () => {
    const stream = new PassThrough();
    const sink = streamSink(stream);
    await sink.write("x\n");
    await sink.close();
    expect(stream.writableEnded).toBe(false);
  });
});
