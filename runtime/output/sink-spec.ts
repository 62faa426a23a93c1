/**
 * Settings of the network sinks (`global.output.http`, `global.output.nats`). These belong in
 * `GlobalSpec` (runtime/spec.ts) once the config schema has the keys; until then they live here,
 * with the defaults the compiler's IR is to fill in ({@link HTTP_SINK_DEFAULTS},
 * {@link NATS_SINK_DEFAULTS}). The URL itself comes from `--output` (or `HELR_OUTPUT`), as in the
 * Rust Helr; the settings apply to whichever sink that URL selects.
 */
import type { SecretRef, Template, TlsSpec } from "../spec.ts";

/** How a network sink retries a batch (HTTP) or a message (NATS) that was not acknowledged. */
export interface DeliveryRetrySpec {
  /**
   * Retries after the first attempt before a batch counts as failed. A continuous run keeps
   * retrying after that (polling stays paused, nothing is dropped) and reports the sink as
   * failing; `run --once` and shutdown give up, fail the run and leave state where it was.
   */
  readonly maxRetries: number;
  /** Wait before retry 1; each later wait is `multiplier` times longer, up to `maxBackoffSecs`. */
  readonly initialBackoffSecs: number;
  readonly maxBackoffSecs: number;
  readonly multiplier: number;
  /** Each wait × (1 + U[−jitter, +jitter]), 0–1. */
  readonly jitter: number;
  /** Longest wait taken from a 429/503 `Retry-After` (honoured up to this, then capped). */
  readonly maxRetryAfterSecs: number;
}

/** Credentials the HTTP sink sends, read from env or file before every attempt (rotation works). */
export type HttpSinkAuthSpec =
  | {
      readonly type: "bearer";
      readonly token: SecretRef;
      /** Authorization scheme; `Bearer` by default. */
      readonly prefix: string;
    }
  | {
      readonly type: "basic";
      readonly user: SecretRef;
      /** Absent means an empty password. */
      readonly password?: SecretRef;
    };

/** `global.output.http`: the Rust Helr's keys plus auth, gzip, TLS, retries and a memory bound. */
export interface HttpSinkSpec {
  /** Extra request headers (values may hold `${VAR}`). `Content-Type` defaults to `application/x-ndjson`. */
  readonly headers: Readonly<Record<string, Template>>;
  /** Lines per POST. */
  readonly batchSize: number;
  /** A partial batch is sent this long after its first line arrived. */
  readonly batchTimeoutMs: number;
  /** One POST, connect to last response byte. */
  readonly timeoutSecs: number;
  /** Gzip each body and send `Content-Encoding: gzip`. */
  readonly gzip: boolean;
  readonly auth?: HttpSinkAuthSpec;
  /** CA, client certificate and minimum version, as a source's `resilience.tls`. */
  readonly tls?: TlsSpec;
  readonly retry: DeliveryRetrySpec;
  /** Bytes written and not yet acknowledged before `write` waits (the backpressure point). */
  readonly maxBufferBytes: number;
}

/** How the NATS sink authenticates (at most one; a URL's `user:pass@` or `token@` also works). */
export interface NatsSinkAuthSpec {
  readonly token?: SecretRef;
  readonly user?: SecretRef;
  readonly password?: SecretRef;
  /** A `.creds` file (JWT + NKey seed), as `nsc` writes it. */
  readonly credentials?: SecretRef;
}

/** `global.output.nats`. */
export interface NatsSinkSpec {
  /** Overrides the subject of the `nats://host:port/subject` URL (default `helr.events`). */
  readonly subject?: string;
  /**
   * Publish to JetStream and wait for each ack (default). `false` uses core NATS publish:
   * at-most-once, for subjects no stream captures. Never chosen implicitly.
   */
  readonly jetstream: boolean;
  readonly auth?: NatsSinkAuthSpec;
  readonly tls?: TlsSpec;
  /** Connect timeout at start. */
  readonly connectTimeoutSecs: number;
  /** Wait for one publish's ack. */
  readonly ackTimeoutSecs: number;
  /** Publishes waiting for their ack before `write` waits (the backpressure point). */
  readonly maxInFlight: number;
  readonly retry: DeliveryRetrySpec;
}

/** `global.output`. */
export interface OutputSpec {
  readonly http: HttpSinkSpec;
  readonly nats: NatsSinkSpec;
}

/** Retries as the Rust Helr (3 retries, 200 ms doubling), with waits capped and jittered. */
export const DELIVERY_RETRY_DEFAULTS: DeliveryRetrySpec = {
  maxRetries: 3,
  initialBackoffSecs: 0.2,
  maxBackoffSecs: 30,
  multiplier: 2,
  jitter: 0.2,
  maxRetryAfterSecs: 300,
};

/** Defaults of `global.output.http` (batch size, timeout and retries as in the Rust Helr). */
export const HTTP_SINK_DEFAULTS: HttpSinkSpec = {
  headers: {},
  batchSize: 100,
  batchTimeoutMs: 500,
  timeoutSecs: 30,
  gzip: false,
  retry: DELIVERY_RETRY_DEFAULTS,
  maxBufferBytes: 8 * 1024 * 1024,
};

/** Defaults of `global.output.nats`. */
export const NATS_SINK_DEFAULTS: NatsSinkSpec = {
  jetstream: true,
  connectTimeoutSecs: 10,
  ackTimeoutSecs: 5,
  maxInFlight: 1024,
  retry: DELIVERY_RETRY_DEFAULTS,
};
