/**
 * Connecting the NATS sink: connection options from the URL and `global.output.nats` (token,
 * user/password or a `.creds` file; TLS like a source's), the connection at start (unreachable or
 * refused → an error naming the server, never the credentials), and the JetStream stream that
 * must capture the subject. Streams are not created here: which retention, storage, replicas and
 * duplicate window a stream has is the NATS operator's decision, not a collector's.
 */
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { readSecret } from "../auth/secret.ts";
import type { Env } from "../config/env.ts";
import { tlsConnectOptions } from "../http/tls.ts";
import type { NatsSinkSpec, SecretRef } from "../spec.ts";
import { OutputError } from "./sink.ts";

/** The NATS part of an `--output` target (runtime/output/sink-url.ts). */
export interface NatsTarget {
  readonly server: string;
  readonly subject: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly display: string;
}

/** The label secret reads are audited under. */
const LABEL = "output.nats";

/** Connects, or throws `HELR_OUTPUT_NATS_CONNECT` naming the server and what to check. */
export async function connectNats(target: NatsTarget, spec: NatsSinkSpec, env: Env): Promise<NatsConnection> {
  const options = await connectionOptions(target, spec, env);
  try {
    return await connect(options);
  } catch (error) {
    throw new OutputError(
      "HELR_OUTPUT_NATS_CONNECT",
      `output ${target.display}: cannot connect to NATS at ${target.server}: ${connectReason(error)}`,
    );
  }
}

async function connectionOptions(
  target: NatsTarget,
  spec: NatsSinkSpec,
  env: Env,
): Promise<NodeConnectionOptions> {
  return {
    servers: target.server,
    name: "helr",
    timeout: spec.connectTimeoutSecs * 1000,
    // After the first connection: reconnect for ever; publishes wait (and are retried) meanwhile.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    ...(await auth(target, spec, env)),
    ...(spec.tls ? { tls: await tls(spec, env, target.display) } : {}),
  };
}

async function auth(
  target: NatsTarget,
  spec: NatsSinkSpec,
  env: Env,
): Promise<{ token?: string; user?: string; pass?: string; authenticator?: Authenticator }> {
  const configured = spec.auth;
  const read = (ref: SecretRef, what: string) => secret(ref, env, what, target.display);
  if (configured?.credentials) {
    const creds = await read(configured.credentials, "credentials");
    return { authenticator: credsAuthenticator(new TextEncoder().encode(creds)) };
  }
  if (configured?.token) return { token: await read(configured.token, "token") };
  if (configured?.user) {
    const user = await read(configured.user, "user");
    const pass = configured.password ? await read(configured.password, "password") : "";
    return { user, pass };
  }
  if (target.token !== undefined) return { token: target.token };
  if (target.user !== undefined) return { user: target.user, pass: target.password ?? "" };
  return {};
}

async function secret(ref: SecretRef, env: Env, what: string, display: string): Promise<string> {
  try {
    return await readSecret(ref, env, LABEL, `global.output.nats.auth ${what}`);
  } catch (error) {
    const message = (error as Error).message.replace(`source "${LABEL}": `, "");
    throw new OutputError("HELR_OUTPUT_NATS_AUTH", `output ${display}: ${message}`);
  }
}

async function tls(
  spec: NatsSinkSpec,
  env: Env,
  display: string,
): Promise<NonNullable<NodeConnectionOptions["tls"]>> {
  try {
    const options = await tlsConnectOptions(spec.tls ?? { caOnly: false }, env, LABEL);
    const ca = Array.isArray(options.ca) ? options.ca.join("\n") : options.ca;
    // The transport merges these into tls.connect's options, so minVersion passes too.
    return Object.assign(
      {},
      ca !== undefined ? { ca: String(ca) } : {},
      options.cert !== undefined ? { cert: String(options.cert) } : {},
      options.key !== undefined ? { key: String(options.key) } : {},
      options.minVersion !== undefined ? { minVersion: options.minVersion } : {},
    );
  } catch (error) {
    const message = (error as Error).message.replace(`source "${LABEL}": `, "");
    throw new OutputError("HELR_OUTPUT_NATS_TLS", `output ${display}: global.output.nats.tls: ${message}`);
  }
}

function connectReason(error: unknown): string {
  const err = error as Error & { code?: string; cause?: { code?: string } };
  const name = err.constructor?.name ?? "";
  if (name === "AuthorizationError" || /authorization/i.test(err.message)) {
    return `the server refused the credentials (${err.message}); check global.output.nats.auth or the URL's token@ / user:password@`;
  }
  const code = err.cause?.code ?? err.code;
  const detail = code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  return `${detail}; check the host and port and that nats-server is running`;
}

/**
 * The stream that captures `subject`, or `HELR_OUTPUT_NATS_NO_STREAM` saying how to create one
 * (or how to choose core NATS knowingly). Returns the stream's name and duplicate window.
 */
export async function findStream(
  nc: NatsConnection,
  target: NatsTarget,
): Promise<{ readonly stream: string; readonly duplicateWindowMs: number }> {
  const where = `output ${target.display}`;
  const core = "or set global.output.nats.jetstream: false for core NATS (at most once)";
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    throw new OutputError(
      "HELR_OUTPUT_NATS_NO_JETSTREAM",
      `${where}: the server has no JetStream (${(error as Error).message}): enable it (nats-server -js), ${core}`,
    );
  }
  let stream: string;
  try {
    stream = await jsm.streams.find(target.subject);
  } catch (error) {
    throw new OutputError(
      "HELR_OUTPUT_NATS_NO_STREAM",
      `${where}: no JetStream stream captures subject "${target.subject}" (${(error as Error).message}); ` +
        `create one, e.g. nats stream add HELR --subjects '${target.subject}' --dupe-window 2h, ${core}`,
    );
  }
  const info = await jsm.streams.info(stream);
  return { stream, duplicateWindowMs: info.config.duplicate_window / 1e6 };
}
