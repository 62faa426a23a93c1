/**
 * NATS for the sink's tests: the shared server (127.0.0.1:4222, JetStream on; `HELR_TEST_NATS_URL`
 * overrides it), private `nats-server -js` processes a test may kill -9 and restart on the same
 * port and store, uniquely named streams, and {@link countStream}: every message of a stream
 * with its `Nats-Msg-Id`, for "all present, none twice" checks (also from an end-to-end test that
 * kills the bundle).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { describe, it } from "vitest";

/** The shared server, as `host:port`. */
export const SHARED_NATS = (process.env.HELR_TEST_NATS_URL ?? "nats://127.0.0.1:4222").replace(
  /^nats:\/\//,
  "",
);

/** A name no other test run uses: letters, digits and `_`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid.toString(36)}_${randomBytes(4).toString("hex")}`;
}

/** Undefined when the shared server is up with JetStream; otherwise why not. */
export async function sharedNatsProblem(): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: SHARED_NATS, timeout: 2000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return undefined;
    } finally {
      await nc.close();
    }
  } catch (error) {
    return `${(error as Error).message} (${SHARED_NATS})`;
  }
}

/** Undefined when `nats-server` can be run; otherwise why not. */
export function natsServerProblem(): string | undefined {
  try {
    execFileSync("nats-server", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch (error) {
    return `nats-server cannot be run: ${(error as Error).message}`;
  }
}

/** `describe` that skips with a note when NATS is missing, and fails instead under CI. */
export function describeNats(problem: string | undefined, title: string, body: () => void): void {
  const ci = process.env.CI;
  if (problem !== undefined && ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") {
    describe(title, () => {
      it("needs NATS, which is required under CI", () => {
        throw new Error(problem);
      });
    });
    return;
  }
  if (problem !== undefined) console.warn(`${title}: skipped, ${problem}; under CI this fails`);
  describe.skipIf(problem !== undefined)(title, body);
}

/** A private `nats-server -js` on a free loopback port, with its own store directory. */
export interface PrivateNats {
  /** `127.0.0.1:<port>` */
  readonly server: string;
  /** Kills the process with SIGKILL (no clean shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Kills it and removes its store. */
  destroy(): Promise<void>;
}

/** Starts a private server; `extraArgs` e.g. `["--auth", token]`. */
export async function startPrivateNats(extraArgs: readonly string[] = []): Promise<PrivateNats> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), "helr-nats-"));
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store, ...extraArgs];
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn("nats-server", args, { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    await ready(proc);
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    server: `127.0.0.1:${port}`,
    kill,
    start,
    destroy: async () => {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

/** Resolves when the server logs that it is ready; rejects with its output if it exits first. */
function ready(proc: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("Server is ready")) resolve();
    });
    proc.once("exit", (code) =>
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${output}`)),
    );
    proc.once("error", reject);
  });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Opens a connection for the test's own use (stream admin, counting); close it after. */
export function adminConnection(server: string, options: { token?: string } = {}): Promise<NatsConnection> {
  return connect({ servers: server, timeout: 5000, ...options });
}

/** Creates a file-backed stream capturing `subject`, with a duplicate window (default 2 min). */
export async function createStream(
  nc: NatsConnection,
  name: string,
  subject: string,
  duplicateWindowMs = 120_000,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [subject], duplicate_window: duplicateWindowMs * 1e6 });
}

/** Deletes a stream (ignoring one that is already gone). */
export async function deleteStream(nc: NatsConnection, name: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(name).catch(() => false);
}

/** Every message of a stream, in stream order. */
export interface StreamContents {
  /** `Nats-Msg-Id` of each message ("" when it had none). */
  readonly ids: readonly string[];
  readonly payloads: readonly string[];
  /** Ids stored more than once (should be empty). */
  readonly duplicates: readonly string[];
}

/** Reads the whole stream through an ordered consumer. */
export async function countStream(nc: NatsConnection, stream: string): Promise<StreamContents> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const ids: string[] = [];
  const payloads: string[] = [];
  if (total > 0) {
    const consumer = await jetstream(nc).consumers.get(stream);
    const messages = await consumer.consume();
    for await (const msg of messages) {
      ids.push(msg.headers?.get("Nats-Msg-Id") ?? "");
      payloads.push(msg.string());
      if (ids.length >= total) break;
    }
    await messages.close();
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  return { ids, payloads, duplicates };
}
