/**
 * The NATS sink against a private nats-server that the test kills with SIGKILL and restarts on
 * the same port and store: publishes in flight are retried with the same `Nats-Msg-Id`, the
 * stream's duplicate window turns the retries of messages it had already stored into no-ops, and
 * `flush()` resolves only when every message is acknowledged.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, expect, it } from "vitest";
import { buildOutput } from "../../compiler/ir/build-output.ts";
import { createRunEvents, type RunEvents } from "../../runtime/observe/events.ts";
import type { Sleep } from "../../runtime/output/delivery-retry.ts";
import { type NatsSinkOptions, natsSink } from "../../runtime/output/nats-sink.ts";
import { type BlockInfo, OutputError, type Sink } from "../../runtime/output/sink.ts";
import { parseOutputTarget } from "../../runtime/output/sink-url.ts";
import type { NatsSinkSpec } from "../../runtime/spec.ts";
import { makeTestPki } from "../support/certs.ts";
import {
  adminConnection,
  countStream,
  createStream,
  describeNats,
  natsServerProblem,
  type PrivateNats,
  startPrivateNats,
} from "../support/nats.ts";
import { until } from "../support/ndjson-receiver.ts";

const NATS_SINK_DEFAULTS = buildOutput(undefined).nats;
const SUBJECT = "audit.events";

function block(from: number, to: number): { text: string; info: BlockInfo } {
  const numbers = Array.from({ length: to - from }, (_, i) => from + i);
  return {
    text: numbers.map((n) => `{"event":{"n":${n}},"meta":{"id":"e${n}"}}\n`).join(""),
    info: { sourceId: "okta", lines: numbers.length, keys: numbers.map((n) => `okta:e${n}`) },
  };
}

const spec: NatsSinkSpec = {
  ...NATS_SINK_DEFAULTS,
  connectTimeoutSecs: 2,
  ackTimeoutSecs: 0.5,
  maxInFlight: 32,
  retry: { ...NATS_SINK_DEFAULTS.retry, maxRetries: 2, initialBackoffSecs: 0.02, maxBackoffSecs: 0.2 },
};

let server: PrivateNats | undefined;
let sink: Sink | undefined;
const admins: NatsConnection[] = [];
afterEach(async () => {
  await sink?.close().catch(() => undefined);
  for (const nc of admins.splice(0)) await nc.close().catch(() => undefined);
  await server?.destroy();
  sink = undefined;
  server = undefined;
});

async function withStream(extraArgs: readonly string[] = [], token?: string): Promise<PrivateNats> {
  server = await startPrivateNats(extraArgs);
  const nc = await adminConnection(server.server, token ? { token } : {});
  await createStream(nc, "AUDIT", SUBJECT);
  await nc.close();
  return server;
}

async function counted(target: PrivateNats, token?: string) {
  const nc = await adminConnection(target.server, token ? { token } : {});
  admins.push(nc);
  return countStream(nc, "AUDIT");
}

/** A bus and its `output_error` events, as `source code`. */
function recorded(): { events: RunEvents; errors: string[] } {
  const events = createRunEvents();
  const errors: string[] = [];
  events.subscribe((e) => {
    if (e.type === "output_error") errors.push(`${e.sourceId} ${e.code}`);
  });
  return { events, errors };
}

async function open(url: string, options: Partial<NatsSinkOptions> = {}, settings = spec) {
  const target = parseOutputTarget(url);
  if (target.kind !== "nats") throw new Error("not nats");
  sink = await natsSink(target, settings, { env: {}, ...options });
  return sink;
}

describeNats(natsServerProblem(), "NATS sink on a server that is killed and restarted", () => {
  it("stores every message exactly once across kill -9 restarts mid-stream and a re-emit after one", async () => {
    const nats = await withStream();
    const url = `nats://${nats.server}/${SUBJECT}`;
    const out = await open(url);
    const restarts: Promise<void>[] = [];
    for (let from = 0; from < 600; from += 20) {
      const { text, info } = block(from, from + 20);
      // Writes block while 32 publishes wait for acks, so a restart stalls them, never drops them.
      await out.write(text, info);
      if (from === 200 || from === 400) {
        await nats.kill();
        restarts.push(new Promise((resolve) => setTimeout(resolve, 300)).then(() => nats.start()));
      }
    }
    await Promise.all(restarts);
    await out.flush();
    await out.close();
    // The collector crashed before its checkpoint, and so did the server: after both restart,
    // the same events are published again. The restarted stream still knows their ids.
    await nats.kill();
    await nats.start();
    const again = await open(url);
    for (let from = 0; from < 600; from += 100)
      await again.write(block(from, from + 100).text, block(from, from + 100).info);
    await again.flush();
    const contents = await counted(nats);
    expect(contents.duplicates).toEqual([]);
    expect([...contents.ids].sort()).toEqual([...(block(0, 600).info.keys ?? [])].sort());
  });

  it("does not resolve flush while the server is down, and resolves once it is back", async () => {
    const nats = await withStream();
    let retries = 0;
    const sleep: Sleep = async (ms) => {
      retries += 1;
      await new Promise((resolve) => setTimeout(resolve, ms));
    };
    const { events, errors } = recorded();
    const out = await open(`nats://${nats.server}/${SUBJECT}`, { sleep, events });
    await nats.kill();
    await out.write(block(0, 5).text, block(0, 5).info);
    let flushed = false;
    const flush = out.flush().then(() => {
      flushed = true;
    });
    // Each of the 5 messages is retried past max_retries (2): a continuous run keeps waiting.
    await until(() => retries >= 5 * 4, "retries past max_retries");
    expect(flushed).toBe(false);
    await nats.start();
    await flush;
    // Every failed publish attempt (each one followed by a wait) counted for its source.
    expect(errors).toHaveLength(retries);
    expect(new Set(errors)).toEqual(new Set(["okta HELR_OUTPUT_NATS_UNAVAILABLE"]));
    // Retried messages may land out of order; each is there once.
    expect([...(await counted(nats)).ids].sort()).toEqual(block(0, 5).info.keys);
  });

  it("in --once gives up after max_retries: flush rejects naming the server, state must stay", async () => {
    const nats = await withStream();
    const { events, errors } = recorded();
    const out = await open(`nats://${nats.server}/${SUBJECT}`, { bounded: true, events });
    await nats.kill();
    await out.write(block(0, 1).text, block(0, 1).info);
    let caught: unknown;
    await out.flush().catch((error: unknown) => {
      caught = error;
    });
    expect(caught).toBeInstanceOf(OutputError);
    expect((caught as OutputError).code).toBe("HELR_OUTPUT_NATS_UNAVAILABLE");
    expect((caught as OutputError).message).toMatch(
      new RegExp(`^output nats://${nats.server}/${SUBJECT}: a message was not acknowledged after 3 attempts`),
    );
    // Its three attempts, and no fourth count for giving up.
    expect(errors).toEqual(Array(3).fill("okta HELR_OUTPUT_NATS_UNAVAILABLE"));
  });

  it("authenticates with a token from the environment, and names refused credentials", async () => {
    const token = "t0ken-for-the-test";
    const nats = await withStream(["--auth", token], token);
    const settings = { ...spec, auth: { token: { env: "NATS_TOKEN" } } };
    const out = await open(`nats://${nats.server}/${SUBJECT}`, { env: { NATS_TOKEN: token } }, settings);
    await out.write(block(0, 2).text, block(0, 2).info);
    await out.flush();
    expect((await counted(nats, token)).ids).toHaveLength(2);

    let caught: unknown;
    await open(`nats://wrong-token-value@${nats.server}/${SUBJECT}`).catch((error: unknown) => {
      caught = error;
    });
    expect((caught as OutputError).code).toBe("HELR_OUTPUT_NATS_CONNECT");
    expect((caught as OutputError).message).toContain("the server refused the credentials");
    expect((caught as OutputError).message).not.toContain("wrong-token-value");
  });

  it("authenticates with a user from the environment and a password from a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "helr-nats-auth-"));
    const password = join(dir, "password");
    writeFileSync(password, "pw-for-the-test-9c8b\n");
    server = await startPrivateNats(["--user", "helr-writer", "--pass", "pw-for-the-test-9c8b"]);
    const nc = await connect({ servers: server.server, user: "helr-writer", pass: "pw-for-the-test-9c8b" });
    admins.push(nc);
    await createStream(nc, "AUDIT", SUBJECT);
    const settings = { ...spec, auth: { user: { env: "NATS_USER" }, password: { file: password } } };
    const out = await open(
      `nats://${server.server}/${SUBJECT}`,
      { env: { NATS_USER: "helr-writer" } },
      settings,
    );
    await out.write(block(0, 2).text, block(0, 2).info);
    await out.flush();
    expect((await countStream(nc, "AUDIT")).ids).toEqual(block(0, 2).info.keys);
  });

  it("connects over TLS with global.output.nats.tls (the CA it trusts, the client certificate it presents)", async () => {
    const pki = makeTestPki();
    try {
      const tlsArgs = ["--tls", "--tlscert", pki.files.serverCert, "--tlskey", pki.files.serverKey];
      const verify = ["--tlsverify", "--tlscacert", pki.files.ca];
      server = await startPrivateNats([...tlsArgs, ...verify]);
      const adminTls = { ca: pki.pem.ca, cert: pki.pem.clientCert, key: pki.pem.clientKey };
      const nc = await connect({ servers: server.server, timeout: 5000, tls: adminTls });
      admins.push(nc);
      await createStream(nc, "AUDIT", SUBJECT);
      const url = `nats://${server.server}/${SUBJECT}`;
      const tls = { caOnly: true, ca: { file: pki.files.ca } };
      const mutual = {
        ...spec,
        tls: { ...tls, clientCert: { file: pki.files.clientCert }, clientKey: { file: pki.files.clientKey } },
      };
      const out = await open(url, {}, mutual);
      await out.write(block(0, 3).text, block(0, 3).info);
      await out.flush();
      await out.close();
      sink = undefined;
      expect((await countStream(nc, "AUDIT")).ids).toEqual(block(0, 3).info.keys);

      // Without the client certificate the server refuses it; trusting another CA, the sink
      // refuses the server: both at start, naming the server.
      for (const settings of [
        { ...spec, tls },
        { ...mutual, tls: { ...mutual.tls, ca: { file: pki.files.otherCa } } },
      ]) {
        let caught: unknown;
        await open(url, {}, settings).catch((error: unknown) => {
          caught = error;
        });
        expect(caught).toBeInstanceOf(OutputError);
        expect((caught as OutputError).code).toBe("HELR_OUTPUT_NATS_CONNECT");
        expect((caught as OutputError).message).toContain(`cannot connect to NATS at ${server.server}`);
      }
    } finally {
      pki.cleanup();
    }
  });
});
