import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildOutput } from "../../../compiler/ir/build-output.ts";
import { openSink } from "../../../runtime/output/open-sink.ts";
import { OutputError, type Sink } from "../../../runtime/output/sink.ts";
import { type NdjsonReceiver, startReceiver } from "../../support/ndjson-receiver.ts";

let sink: Sink | undefined;
let receiver: NdjsonReceiver | undefined;
afterEach(async () => {
  await sink?.close();
  await receiver?.kill();
  sink = undefined;
  receiver = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<OutputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutputError);
    return error as OutputError;
  }
  throw new Error("expected a rejection");
}

const output = buildOutput(undefined);

describe("openSink", () => {
  it("opens a file for a path", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "helr-open-sink-")), "out.ndjson");
    sink = await openSink(path, { env: {}, output });
    await sink.write('{"a":1}\n');
    await sink.flush();
    expect(readFileSync(path, "utf8")).toBe('{"a":1}\n');
  });

  it("opens the HTTP sink for an http:// URL", async () => {
    receiver = await startReceiver();
    sink = await openSink(receiver.url, { env: {}, output, once: true });
    await sink.write('{"a":1}\n');
    await sink.flush();
    expect(receiver.stored).toEqual(['{"a":1}']);
  });

  it("rejects an unknown scheme before opening anything", async () => {
    const error = await rejection(openSink("kafka://user:pw123456@broker/topic", { env: {}, output }));
    expect(error.code).toBe("HELR_OUTPUT_URL");
    expect(error.message).not.toContain("pw123456");
  });

  it("rejects --output-rotate for anything but a file", async () => {
    const error = await rejection(
      openSink("https://siem.example/ingest", { env: {}, output, rotate: { kind: "daily" } }),
    );
    expect(error.message).toBe("--output-rotate needs a file output, not https://siem.example/ingest");
  });
});
