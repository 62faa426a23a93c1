import type {
  DeliveryRetrySpec,
  HttpSinkAuthSpec,
  HttpSinkSpec,
  NatsSinkAuthSpec,
  NatsSinkSpec,
  OutputSpec,
} from "../../runtime/spec.ts";
import type { RawGlobal } from "../config-shape/types.ts";
import { secretRef } from "./build-auth.ts";
import { buildTls } from "./build-resilience.ts";
import { DEFAULTS } from "./defaults.ts";
import { mapValues, optional, required, unescapeDollars } from "./text.ts";

type RawOutput = NonNullable<RawGlobal["output"]>;
type RawHttp = NonNullable<RawOutput["http"]>;
type RawNats = NonNullable<RawOutput["nats"]>;
type RawRetry = Partial<
  Pick<RawHttp, "max_retries" | "initial_backoff_secs" | "max_backoff_secs" | "multiplier" | "jitter">
> & { readonly max_retry_after_secs?: number };

/**
 * `global.output` with every default filled (the sinks read nothing else). `buildOutput(undefined)`
 * is the settings of a config without the block, which tests use as "the defaults".
 */
export function buildOutput(raw: RawOutput | undefined): OutputSpec {
  return { http: buildHttp(raw?.http), nats: buildNats(raw?.nats) };
}

function buildRetry(raw: RawRetry | undefined): DeliveryRetrySpec {
  const d = DEFAULTS.sinkRetry;
  return {
    maxRetries: raw?.max_retries ?? d.maxRetries,
    initialBackoffSecs: raw?.initial_backoff_secs ?? d.initialBackoffSecs,
    maxBackoffSecs: raw?.max_backoff_secs ?? d.maxBackoffSecs,
    multiplier: raw?.multiplier ?? d.multiplier,
    jitter: raw?.jitter ?? d.jitter,
    maxRetryAfterSecs: raw?.max_retry_after_secs ?? d.maxRetryAfterSecs,
  };
}

function buildHttp(raw: RawHttp | undefined): HttpSinkSpec {
  const d = DEFAULTS.httpSink;
  const auth = raw?.auth === undefined ? undefined : buildHttpAuth(raw.auth);
  const tls = buildTls(raw?.tls);
  return {
    ...optional("url", raw?.url),
    headers: mapValues(raw?.headers, (value) => value),
    batchSize: raw?.batch_size ?? d.batchSize,
    batchTimeoutMs: raw?.batch_timeout_ms ?? d.batchTimeoutMs,
    timeoutSecs: raw?.timeout_secs ?? d.timeoutSecs,
    gzip: raw?.gzip ?? d.gzip,
    ...optional("auth", auth),
    ...optional("tls", tls),
    retry: buildRetry(raw),
    maxBufferBytes: raw?.max_buffer_bytes ?? d.maxBufferBytes,
  };
}

/** Validation guaranteed the secret each type needs and warned about the other type's keys. */
function buildHttpAuth(raw: NonNullable<RawHttp["auth"]>): HttpSinkAuthSpec {
  const token = secretRef(raw, "token");
  const user = secretRef(raw, "user");
  const password = secretRef(raw, "password");
  if (raw.type === "bearer") {
    return {
      type: "bearer",
      token: required(token, "output.http.auth token"),
      prefix: unescapeDollars(raw.prefix ?? DEFAULTS.bearerPrefix),
    };
  }
  return {
    type: "basic",
    user: required(user, "output.http.auth user"),
    ...optional("password", password),
  };
}

function buildNats(raw: RawNats | undefined): NatsSinkSpec {
  const d = DEFAULTS.natsSink;
  const auth = raw?.auth === undefined ? undefined : buildNatsAuth(raw.auth);
  const tls = buildTls(raw?.tls);
  return {
    ...optional("subject", raw?.subject),
    jetstream: raw?.jetstream ?? d.jetstream,
    ...optional("auth", auth),
    ...optional("tls", tls),
    connectTimeoutSecs: raw?.connect_timeout_secs ?? d.connectTimeoutSecs,
    ackTimeoutSecs: raw?.ack_timeout_secs ?? d.ackTimeoutSecs,
    maxInFlight: raw?.max_in_flight ?? d.maxInFlight,
    retry: buildRetry(raw),
  };
}

function buildNatsAuth(raw: NonNullable<RawNats["auth"]>): NatsSinkAuthSpec {
  return {
    ...optional("token", secretRef(raw, "token")),
    ...optional("user", secretRef(raw, "user")),
    ...optional("password", secretRef(raw, "password")),
    ...optional("credentials", secretRef(raw, "credentials")),
  };
}
