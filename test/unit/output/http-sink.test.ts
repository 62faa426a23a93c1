import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildOutput } from "../../../compiler/ir/build-output.ts";
import type { Sleep } from "../../../runtime/output/delivery-retry.ts";
import { type HttpSinkOptions, httpSink } from "../../../runtime/output/http-sink.ts";
import { OutputError, type Sink } from "../../../runtime/output/sink.ts";
import type { HttpSinkSpec } from "../../../runtime/spec.ts";

const HTTP_SINK_DEFAULTS = buildOutput(undefined).http;

import { parseOutputTarget } from "../../../runtime/output/sink-url.ts";
import { makeTestPki } from "../../support/certs.ts";
import {
  type NdjsonReceiver,
  type ReceiverAction,
  startReceiver,
  until,
} from "../../support/ndjson-receiver.ts";
import { recordingLog } from "../../support/recording-log.ts";
import { startTlsServer } from "../../support/tls-server.ts";

const line = (n: number) => `{"event":{"n":${n}},"meta":{"id":"e${n}"}}\n`;
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i));

/** Fast settings: short timeouts and waits, no jitter, no timer-sent batches unless asked. */
function spec(overrides: Partial<HttpSinkSpec> = {}): HttpSinkSpec {
  return {
    ...HTTP_SINK_DEFAULTS,
    batchSize: 3,
    batchTimeoutMs: 60_000,
    timeoutSecs: 2,
    retry: {
      ...HTTP_SINK_DEFAULTS.retry,
      maxRetries: 2,
      initialBackoffSecs: 0.005,
      maxBackoffSecs: 0.02,
      jitter: 0,
    },
    ...overrides,
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(behave?: (index: number) => ReceiverAction, down = false): Promise<NdjsonReceiver> {
  const r = await startReceiver({ ...(behave ? { behave } : {}), down });
  cleanups.push(() => r.kill());
  return r;
}

async function open(
  url: string,
  settings: HttpSinkSpec,
  options: Partial<HttpSinkOptions> = {},
): Promise<Sink> {
  const target = parseOutputTarget(url);
  if (target.kind !== "http") throw new Error(`not an http target: ${url}`);
  const sink = await httpSink(target, settings, { env: {}, ...options });
  cleanups.push(() => sink.close().catch(() => undefined));
  return sink;
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<OutputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutputError);
    return error as OutputError;
  }
  throw new Error("expected a rejection");
}

describe("HTTP sink: batches", () => {
  it("POSTs NDJSON in batches of batch_size whole lines; flush sends the partial one", async () => {
    const r = await receiver();
    const sink = await open(r.url, spec());
    await sink.write(lines(0, 10).join(""));
    await sink.flush();
    expect(r.requests.map((q) => q.lines.length)).toEqual([3, 3, 3, 1]);
    expect(r.requests.every((q) => q.endsWithNewline && q.url === "/ingest")).toBe(true);
    expect(r.requests[0]?.headers["content-type"]).toBe("application/x-ndjson");
    expect(r.stored).toEqual(lines(0, 10).map((l) => l.trimEnd()));
  });

  it("sends a partial batch batch_timeout_ms after its first line, without a flush", async () => {
    const r = await receiver();
    const sink = await open(r.url, spec({ batchSize: 100, batchTimeoutMs: 20 }));
    await sink.write(line(1));
    await until(() => r.stored.length === 1, "the timed batch");
    expect(r.requests).toHaveLength(1);
  });

  it("gzips the body with Content-Encoding: gzip when asked", async () => {
    const r = await receiver();
    const sink = await open(r.url, spec({ gzip: true, headers: { "X-Tenant": "t1" } }));
    await sink.write(lines(0, 3).join(""));
    await sink.flush();
    expect(r.requests[0]?.headers["content-encoding"]).toBe("gzip");
    expect(r.requests[0]?.headers["x-tenant"]).toBe("t1");
    expect(r.stored).toEqual(lines(0, 3).map((l) => l.trimEnd()));
  });
});

describe("HTTP sink: auth and TLS", () => {
  it("reads a bearer token file before each batch, so a rotated token is used at once", async () => {
    const r = await receiver();
    const file = join(mkdtempSync(join(tmpdir(), "helr-http-sink-")), "token");
    writeFileSync(file, "token-one\n");
    const sink = await open(r.url, spec({ auth: { type: "bearer", token: { file }, prefix: "Bearer" } }));
    await sink.write(line(1));
    await sink.flush();
    writeFileSync(file, "token-two\n");
    await sink.write(line(2));
    await sink.flush();
    expect(r.requests.map((q) => q.headers.authorization)).toEqual(["Bearer token-one", "Bearer token-two"]);
  });

  it("sends a URL's user:password as Basic auth, and the URL without them", async () => {
    const r = await receiver();
    const sink = await open(r.url.replace("http://", "http://ingest:pa%24%24word@"), spec());
    await sink.write(line(1));
    await sink.flush();
    expect(r.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("ingest:pa$$word").toString("base64")}`,
    );
  });

  it("sends global.output.http.auth basic: the user from the environment, the password from a file", async () => {
    const r = await receiver();
    const file = join(mkdtempSync(join(tmpdir(), "helr-http-sink-")), "password");
    writeFileSync(file, "s3cret-pw\n");
    const auth = { type: "basic" as const, user: { env: "SINK_USER" }, password: { file } };
    const sink = await open(r.url, spec({ auth }), { env: { SINK_USER: "sink-user-7f3a" } });
    await sink.write(line(1));
    await sink.flush();
    expect(r.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("sink-user-7f3a:s3cret-pw").toString("base64")}`,
    );
  });

  it("fails at start, naming the sink's setting and variable, when the token is not set", async () => {
    const r = await receiver();
    const error = await failure(
      open(r.url, spec({ auth: { type: "bearer", token: { env: "SIEM_TOKEN" }, prefix: "Bearer" } })),
    );
    expect(error.code).toBe("HELR_OUTPUT_HTTP_AUTH");
    expect(error.message).toBe("global.output.http.auth token environment variable SIEM_TOKEN is not set");
  });
});

describe("HTTP sink: TLS", () => {
  it("uses global.output.http.tls: the CA it trusts and the client certificate it presents", async () => {
    const pki = makeTestPki();
    cleanups.push(async () => pki.cleanup());
    const server = await startTlsServer({
      cert: pki.pem.serverCert,
      key: pki.pem.serverKey,
      clientCa: pki.pem.ca,
      requireClientCert: true,
    });
    cleanups.push(() => server.close());
    const tls = {
      caOnly: true,
      clientCert: { file: pki.files.clientCert },
      clientKey: { file: pki.files.clientKey },
    };
    const trusted = await open(
      `${server.url}/ingest`,
      spec({ tls: { ...tls, ca: { file: pki.files.ca } } }),
      {
        bounded: true,
      },
    );
    await trusted.write(line(1));
    await trusted.flush();
    expect(server.clients).toEqual(["helr-client"]);

    const other = await open(
      `${server.url}/ingest`,
      spec({ tls: { ...tls, ca: { file: pki.files.otherCa } } }),
      {
        bounded: true,
      },
    );
    await other.write(line(2));
    const error = await failure(other.flush());
    expect(error.code).toBe("HELR_OUTPUT_HTTP_UNAVAILABLE");
    expect(error.message).toContain("not signed by a trusted CA");
  });

  it("fails at start, naming the setting and the file, when a TLS file is missing", async () => {
    const error = await failure(
      open(
        "https://127.0.0.1:1/ingest",
        spec({ tls: { caOnly: true, ca: { file: "/nonexistent/ca.pem" } } }),
      ),
    );
    expect(error.code).toBe("HELR_OUTPUT_HTTP_TLS");
    expect(error.message).toMatch(
      /^output https:\/\/127\.0\.0\.1:1\/ingest: global\.output\.http\.tls: .*\/nonexistent\/ca\.pem/,
    );
  });
});

describe("HTTP sink: acknowledgements", () => {
  it("resolves flush only once the receiver answered 2xx", async () => {
    const r = await receiver(() => ({ kind: "hold" }));
    const sink = await open(r.url, spec());
    await sink.write(lines(0, 2).join(""));
    let flushed = false;
    const flush = sink.flush().then(() => {
      flushed = true;
    });
    await until(() => r.requests.length === 1, "the held request");
    // The receiver has the lines but has not answered: the engine must not checkpoint yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    r.release();
    await flush;
    expect(flushed).toBe(true);
  });

  it("treats a 401 as permanent: no retry, flush and later writes reject, no credential in the message", async () => {
    const token = "s3cr3t-token-value";
    const r = await receiver(() => ({
      kind: "status",
      status: 401,
      body: `{"error":"bad token Bearer ${token}"}`,
    }));
    const sink = await open(
      r.url,
      spec({ auth: { type: "bearer", token: { env: "T" }, prefix: "Bearer" } }),
      {
        env: { T: token },
      },
    );
    await sink.write(lines(0, 2).join(""));
    const error = await failure(sink.flush());
    expect(error.code).toBe("HELR_OUTPUT_HTTP_REJECTED");
    expect(error.message).toContain(
      `output ${r.url}: the receiver rejected a batch of 2 lines with HTTP 401`,
    );
    expect(error.message).toContain("check global.output.http.auth");
    expect(error.message).toMatch(/bad token (Bearer )?REDACTED/);
    expect(error.message).not.toContain(token);
    expect(r.requests).toHaveLength(1);
    expect(await failure(sink.write(line(3)))).toBe(error);
    expect(await failure(sink.flush())).toBe(error);
  });

  it("retries 429, 503, 500, 408 and resets, waiting what Retry-After says", async () => {
    const script: ReceiverAction[] = [
      { kind: "status", status: 429, headers: { "retry-after": "3" } },
      { kind: "status", status: 503, headers: { "retry-after": "2" } },
      { kind: "status", status: 500 },
      { kind: "status", status: 408 },
      { kind: "reset" },
      { kind: "accept" },
    ];
    const r = await receiver((i) => script[i] ?? { kind: "accept" });
    const waits: number[] = [];
    const sleep: Sleep = async (ms) => void waits.push(ms);
    const sink = await open(r.url, spec(), { sleep });
    await sink.write(line(1));
    await sink.flush();
    expect(r.requests).toHaveLength(6);
    expect(waits.slice(0, 2)).toEqual([3000, 2000]);
    expect(waits.slice(2)).toEqual([20, 20, 20]);
    expect(r.stored).toEqual([line(1).trimEnd()]);
  });
});

describe("HTTP sink: a receiver that is down", () => {
  it("in --once gives up after max_retries: flush rejects naming the URL without credentials", async () => {
    const r = await receiver(undefined, true);
    const sink = await open(r.url.replace("http://", "http://user:hunter2pw@"), spec(), { bounded: true });
    await sink.write(line(1));
    const error = await failure(sink.flush());
    expect(error.code).toBe("HELR_OUTPUT_HTTP_UNAVAILABLE");
    expect(error.message).toMatch(
      new RegExp(
        `^output ${r.url}: a batch of 1 lines was not acknowledged after 3 attempts \\(last: .*ECONNREFUSED`,
      ),
    );
    expect(error.message).not.toContain("hunter2pw");
  });

  it("while running, retries without limit and blocks write at max_buffer_bytes; nothing is lost", async () => {
    const r = await receiver(undefined, true);
    let waits = 0;
    // Fake time: each backoff wait is counted and lasts one event-loop turn.
    const sleep: Sleep = async () => {
      waits += 1;
      await new Promise((resolve) => setImmediate(resolve));
    };
    const bytes = Buffer.byteLength(line(10));
    const { lines: logged, log } = recordingLog();
    const sink = await open(r.url, spec({ maxBufferBytes: bytes * 10 }), { sleep, log });
    let accepted = 0;
    let blocked: Promise<void> | undefined;
    for (let n = 10; n < 100 && !blocked; n++) {
      let resolved = false;
      const write = sink.write(line(n)).then(() => {
        resolved = true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      if (resolved) accepted += 1;
      else blocked = write;
    }
    expect(blocked).toBeDefined();
    expect(accepted).toBe(10);
    // Far past max_retries (2), still no failure: the write just waits.
    await until(() => waits > 8, "retries during the outage");
    await r.start();
    await blocked;
    await sink.flush();
    expect(new Set(r.stored)).toEqual(new Set(lines(10, 21).map((l) => l.trimEnd())));
    expect(logged.filter((l) => l.level !== "debug").map((l) => `${l.level}: ${l.msg}`)).toEqual([
      expect.stringMatching(
        /^error: output http:\S+: not acknowledged after 2 retries \(.*ECONNREFUSED.*\); still retrying/,
      ),
      expect.stringMatching(/^info: output http:\S+: recovered$/),
    ]);
  });

  it("close() during an outage bounds the retries and rejects, and so does the pending flush", async () => {
    const r = await receiver(undefined, true);
    const sink = await open(r.url, spec());
    await sink.write(line(1));
    const flush = failure(sink.flush());
    const close = failure(sink.close());
    expect((await close).code).toBe("HELR_OUTPUT_HTTP_UNAVAILABLE");
    expect(await flush).toBe(await close);
  });

  it("the shutdown signal bounds the retries the same way", async () => {
    const r = await receiver(undefined, true);
    const shutdown = new AbortController();
    const sink = await open(r.url, spec(), { signal: shutdown.signal });
    await sink.write(line(1));
    const flush = failure(sink.flush());
    shutdown.abort();
    expect((await flush).code).toBe("HELR_OUTPUT_HTTP_UNAVAILABLE");
  });
});
