/**
 * `helr_output_errors_total{source}` is fed by the sinks: every failed write, fsync, batch attempt
 * or publish attempt publishes `output_error` for the sources whose lines it held, and a sticky
 * failure's later refusals are not counted again. (NATS: test/slow/nats-sink-restart.test.ts.)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { buildOutput } from "../../../compiler/ir/build-output.ts";
import { createRunEvents, type RunEvents } from "../../../runtime/observe/events.ts";
import { createMetrics } from "../../../runtime/observe/metrics.ts";
import type { Sleep } from "../../../runtime/output/delivery-retry.ts";
import { nodeFileOps } from "../../../runtime/output/file-ops.ts";
import { fileSink } from "../../../runtime/output/file-sink.ts";
import { httpSink } from "../../../runtime/output/http-sink.ts";
import { openSink } from "../../../runtime/output/open-sink.ts";
import { failureCounter, UNKNOWN_SOURCE_LABEL } from "../../../runtime/output/output-failures.ts";
import type { BlockInfo, Sink } from "../../../runtime/output/sink.ts";
import { parseOutputTarget } from "../../../runtime/output/sink-url.ts";
import { streamSink } from "../../../runtime/output/stream-sink.ts";
import type { HttpSinkSpec } from "../../../runtime/spec.ts";
import { type ReceiverAction, startReceiver } from "../../support/ndjson-receiver.ts";

const OUTPUT = buildOutput(undefined);
const line = (n: number) => `{"event":{"n":${n}}}\n`;
const block = (sourceId: string, ...numbers: number[]): [string, BlockInfo] => [
  numbers.map(line).join(""),
  { sourceId, lines: numbers.length },
];

/** A bus and the `output_error` events on it, as `source code`. */
function recorded(): { events: RunEvents; errors: string[] } {
  const events = createRunEvents();
  const errors: string[] = [];
  events.subscribe((e) => {
    if (e.type === "output_error") errors.push(`${e.sourceId} ${e.code}`);
  });
  return { events, errors };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const noWait: Sleep = async () => undefined;

function fastHttp(overrides: Partial<HttpSinkSpec> = {}): HttpSinkSpec {
  return { ...OUTPUT.http, batchSize: 3, batchTimeoutMs: 60_000, timeoutSecs: 2, ...overrides };
}

async function http(script: ReceiverAction[], events: RunEvents, bounded = false) {
  const r = await startReceiver({ behave: (i) => script[i] ?? { kind: "accept" } });
  cleanups.push(() => r.kill());
  const target = parseOutputTarget(r.url);
  if (target.kind !== "http") throw new Error("not http");
  const retry = { ...OUTPUT.http.retry, maxRetries: 2, jitter: 0 };
  const sink = await httpSink(target, fastHttp({ retry }), { env: {}, events, sleep: noWait, bounded });
  cleanups.push(() => sink.close());
  return { r, sink };
}

describe("failureCounter", () => {
  it("publishes once per distinct source, and under the unknown label when none is known", () => {
    const { events, errors } = recorded();
    const count = failureCounter(events);
    count(["okta", "github", "okta"], "X");
    count(undefined, "Y");
    count([], "Z");
    count("slack", "W");
    expect(errors).toEqual([
      "okta X",
      "github X",
      `${UNKNOWN_SOURCE_LABEL} Y`,
      `${UNKNOWN_SOURCE_LABEL} Z`,
      "slack W",
    ]);
    // Without a bus it does nothing (and does not throw).
    failureCounter(undefined)(["okta"], "X");
  });
});

describe("HTTP sink failures", () => {
  it("counts every failed attempt of a batch for each source in it, and nothing once acknowledged", async () => {
    const { events, errors } = recorded();
    const { r, sink } = await http(
      [
        { kind: "status", status: 503 },
        { kind: "reset" },
        { kind: "accept" },
        { kind: "status", status: 500 },
      ],
      events,
    );
    // Batch 1 = okta 1, okta 2, github 3 (503, reset, then 2xx); batch 2 = github 4 (500, then 2xx).
    await sink.write(...block("okta", 1, 2));
    await sink.write(...block("github", 3, 4));
    await sink.flush();
    expect(r.requests).toHaveLength(5);
    expect(errors.sort()).toEqual(
      [
        "okta HELR_OUTPUT_HTTP_UNAVAILABLE",
        "github HELR_OUTPUT_HTTP_UNAVAILABLE",
        "okta HELR_OUTPUT_HTTP_UNAVAILABLE",
        "github HELR_OUTPUT_HTTP_UNAVAILABLE",
        "github HELR_OUTPUT_HTTP_UNAVAILABLE",
      ].sort(),
    );
  });

  it("a permanent rejection counts once per source; the refusals after it do not count", async () => {
    const { events, errors } = recorded();
    const { sink } = await http([{ kind: "status", status: 400, body: "bad" }], events);
    await sink.write(...block("okta", 1, 2, 3));
    await expect(sink.flush()).rejects.toMatchObject({ code: "HELR_OUTPUT_HTTP_REJECTED" });
    await expect(sink.write(...block("github", 4))).rejects.toMatchObject({
      code: "HELR_OUTPUT_HTTP_REJECTED",
    });
    await expect(sink.flush()).rejects.toBeDefined();
    expect(errors).toEqual(["okta HELR_OUTPUT_HTTP_REJECTED"]);
  });

  it("a give-up in --once counts its attempts, not one more for the give-up", async () => {
    const { events, errors } = recorded();
    const down = Array.from({ length: 10 }, (): ReceiverAction => ({ kind: "status", status: 503 }));
    const { r, sink } = await http(down, events, true);
    await sink.write(...block("okta", 1));
    await expect(sink.flush()).rejects.toMatchObject({ code: "HELR_OUTPUT_HTTP_UNAVAILABLE" });
    expect(r.requests).toHaveLength(3);
    expect(errors).toEqual(Array(3).fill("okta HELR_OUTPUT_HTTP_UNAVAILABLE"));
  });

  it("feeds helr_output_errors_total{source}, with no URL in any label", async () => {
    const { events } = recorded();
    const metrics = createMetrics({
      version: "0.1.0",
      bundleHash: "deadbeef",
      sources: [{ id: "okta", intervalSecs: 60 }],
      now: () => 1_750_000_000_000,
    });
    events.subscribe(metrics.observe);
    const { r, sink } = await http([{ kind: "status", status: 503 }], events);
    await sink.write(...block("okta", 1));
    await sink.flush();
    const text = await metrics.render();
    expect(text).toContain('helr_output_errors_total{source="okta"} 1');
    expect(text).not.toContain(String(r.port));
  });
});

describe("file and stdout failures", () => {
  it("file: a failed write counts once for its source; the sticky refusals after it do not", async () => {
    const { events, errors } = recorded();
    const dir = mkdtempSync(join(tmpdir(), "helr-output-failures-"));
    const ops = {
      ...nodeFileOps,
      async open(path: string) {
        const file = await nodeFileOps.open(path);
        return {
          ...file,
          write: async () =>
            Promise.reject(Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" })),
        };
      },
    };
    const sink = await fileSink(join(dir, "o.ndjson"), { fs: ops, events });
    cleanups.push(() => sink.close());
    await sink.write(...block("okta", 1));
    await expect(sink.flush()).rejects.toMatchObject({ code: "HELR_OUTPUT_WRITE" });
    await expect(sink.write(...block("github", 2))).rejects.toMatchObject({ code: "HELR_OUTPUT_WRITE" });
    expect(errors).toEqual(["okta HELR_OUTPUT_WRITE"]);
  });

  it("file: a failed fsync counts for every source written since the last one", async () => {
    const { events, errors } = recorded();
    const dir = mkdtempSync(join(tmpdir(), "helr-output-failures-"));
    let syncs = 0;
    const ops = {
      ...nodeFileOps,
      async open(path: string) {
        const file = await nodeFileOps.open(path);
        return {
          ...file,
          sync: async () => {
            syncs += 1;
            if (syncs > 1) throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
            await file.sync();
          },
        };
      },
    };
    const sink = await fileSink(join(dir, "o.ndjson"), { fs: ops, events });
    cleanups.push(() => sink.close());
    await sink.write(...block("slack", 1));
    await sink.flush();
    await sink.write(...block("okta", 2));
    await sink.write(...block("github", 3));
    await expect(sink.flush()).rejects.toMatchObject({ code: "HELR_OUTPUT_FLUSH" });
    expect(errors.sort()).toEqual(["github HELR_OUTPUT_FLUSH", "okta HELR_OUTPUT_FLUSH"]);
  });

  it("stdout: a failed write counts once, for its source", async () => {
    const { events, errors } = recorded();
    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
      },
    });
    failing.on("error", () => undefined);
    const sink: Sink = streamSink(failing, "stdout", events);
    await expect(sink.write(...block("okta", 1))).rejects.toMatchObject({ code: "HELR_OUTPUT_WRITE" });
    await expect(sink.write(...block("okta", 2))).rejects.toMatchObject({ code: "HELR_OUTPUT_WRITE" });
    expect(errors).toEqual(["okta HELR_OUTPUT_WRITE"]);
  });
});

describe("openSink", () => {
  it("hands the run's events to the sink it opens", async () => {
    const { events, errors } = recorded();
    const r = await startReceiver({ behave: () => ({ kind: "status", status: 401 }) });
    cleanups.push(() => r.kill());
    const sink = await openSink(r.url, { env: {}, output: OUTPUT, once: true, events });
    cleanups.push(() => sink.close());
    await sink.write(...block("okta", 1));
    await expect(sink.flush()).rejects.toMatchObject({ code: "HELR_OUTPUT_HTTP_REJECTED" });
    expect(errors).toEqual(["okta HELR_OUTPUT_HTTP_REJECTED"]);
  });
});
