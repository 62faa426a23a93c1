import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { buildOutput } from "../../../compiler/ir/build-output.ts";
import { type NatsSinkOptions, natsSink } from "../../../runtime/output/nats-sink.ts";
import { type BlockInfo, OutputError, type Sink } from "../../../runtime/output/sink.ts";
import type { NatsSinkSpec } from "../../../runtime/spec.ts";

const NATS_SINK_DEFAULTS = buildOutput(undefined).nats;

import { parseOutputTarget } from "../../../runtime/output/sink-url.ts";
import {
  adminConnection,
  countStream,
  createStream,
  deleteStream,
  describeNats,
  SHARED_NATS,
  sharedNatsProblem,
  uniqueName,
} from "../../support/nats.ts";
import { until } from "../../support/ndjson-receiver.ts";
import { closedPort } from "../../support/tcp-proxy.ts";

const line = (n: number) => `{"event":{"n":${n}},"meta":{"id":"e${n}"}}\n`;

/** A block as the engine passes it: the lines and one key per line. */
function block(from: number, to: number): { text: string; info: BlockInfo } {
  const numbers = Array.from({ length: to - from }, (_, i) => from + i);
  return {
    text: numbers.map(line).join(""),
    info: { sourceId: "okta", lines: numbers.length, keys: numbers.map((n) => `okta:e${n}`) },
  };
}

const fast: NatsSinkSpec = {
  ...NATS_SINK_DEFAULTS,
  connectTimeoutSecs: 2,
  ackTimeoutSecs: 1,
  retry: { ...NATS_SINK_DEFAULTS.retry, maxRetries: 2, initialBackoffSecs: 0.01, maxBackoffSecs: 0.05 },
};

async function open(
  url: string,
  spec: NatsSinkSpec = fast,
  options: Partial<NatsSinkOptions> = {},
): Promise<Sink> {
  const target = parseOutputTarget(url);
  if (target.kind !== "nats") throw new Error(`not a nats target: ${url}`);
  const sink = await natsSink(target, spec, { env: {}, ...options });
  sinks.push(sink);
  return sink;
}

async function failure(promise: Promise<unknown>): Promise<OutputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutputError);
    return error as OutputError;
  }
  throw new Error("expected a rejection");
}

const sinks: Sink[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close().catch(() => undefined);
});

describeNats(await sharedNatsProblem(), "NATS sink on the shared server", () => {
  let admin: NatsConnection;
  let stream: string;
  let subject: string;
  beforeAll(async () => {
    admin = await adminConnection(SHARED_NATS);
  });
  afterAll(async () => {
    await admin.close();
  });
  afterEach(async () => {
    await deleteStream(admin, stream);
  });
  const fresh = async (): Promise<string> => {
    stream = uniqueName("HELR_TEST");
    subject = `helr.test.${stream}`;
    await createStream(admin, stream, subject);
    return `nats://${SHARED_NATS}/${subject}`;
  };

  it("publishes one JetStream message per line, Nats-Msg-Id = the line's key; flush waits for the acks", async () => {
    const sink = await open(await fresh());
    expect(sink.wantsKeys).toBe(true);
    const { text, info } = block(0, 5);
    await sink.write(text, info);
    await sink.flush();
    const contents = await countStream(admin, stream);
    expect(contents.ids).toEqual(info.keys);
    expect(contents.payloads).toEqual(text.trimEnd().split("\n"));
  });

  it("stores a re-emit of the same events (a crash before the checkpoint) once", async () => {
    const url = await fresh();
    const first = await open(url);
    await first.write(block(0, 10).text, block(0, 10).info);
    await first.write(line(100)); // no key: the line's hash is its id
    await first.flush();
    await first.close();
    // The next run fetches the uncheckpointed page again and writes it again.
    const second = await open(url);
    await second.write(block(5, 15).text, block(5, 15).info);
    await second.write(line(100));
    await second.flush();
    const contents = await countStream(admin, stream);
    expect(contents.ids).toHaveLength(16);
    expect(contents.duplicates).toEqual([]);
    expect(contents.ids.at(10)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("takes global.output.nats.subject over the URL's subject", async () => {
    await fresh();
    const sink = await open(`nats://${SHARED_NATS}/not.this.one`, { ...fast, subject });
    await sink.write(line(1));
    await sink.flush();
    expect((await countStream(admin, stream)).ids).toHaveLength(1);
  });

  it("fails at start when no stream captures the subject, saying how to fix it", async () => {
    stream = uniqueName("HELR_NONE");
    const error = await failure(open(`nats://${SHARED_NATS}/helr.test.${stream}`));
    expect(error.code).toBe("HELR_OUTPUT_NATS_NO_STREAM");
    expect(error.message).toContain(`no JetStream stream captures subject "helr.test.${stream}"`);
    expect(error.message).toContain("nats stream add");
    expect(error.message).toContain("global.output.nats.jetstream: false");
  });

  it("publishes to core NATS only when configured, without acks; flush waits for the server", async () => {
    stream = uniqueName("HELR_CORE");
    const core = `helr.test.${stream}`;
    const received: string[] = [];
    const sub = admin.subscribe(core, { callback: (_err, msg) => void received.push(msg.string()) });
    await admin.flush();
    const sink = await open(`nats://${SHARED_NATS}/${core}`, { ...fast, jetstream: false });
    expect(sink.wantsKeys).toBeUndefined();
    await sink.write(block(0, 3).text, block(0, 3).info);
    await sink.flush();
    await until(() => received.length === 3, "the core messages");
    expect(received).toEqual(block(0, 3).text.trimEnd().split("\n"));
    sub.unsubscribe();
  });
});

it("refuses a configured subject one cannot publish to, before connecting", async () => {
  const error = await failure(open("nats://127.0.0.1:1/ok", { ...fast, subject: "audit.>" }));
  expect(error.code).toBe("HELR_OUTPUT_URL");
  expect(error.message).toContain('global.output.nats.subject: "audit.>"');
});

it("fails at start when the server is unreachable, naming it without the credentials", async () => {
  const port = await closedPort();
  const error = await failure(open(`nats://helr:s3cr3t-pass@127.0.0.1:${port}/helr.events`));
  expect(error.code).toBe("HELR_OUTPUT_NATS_CONNECT");
  expect(error.message).toMatch(
    new RegExp(
      `^output nats://127\\.0\\.0\\.1:${port}/helr\\.events: cannot connect to NATS at 127\\.0\\.0\\.1:${port}: .*nats-server is running`,
    ),
  );
  expect(error.message).not.toContain("s3cr3t-pass");
});
