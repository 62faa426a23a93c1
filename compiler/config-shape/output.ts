/**
 * `global.output`: settings of the network sinks that `--output` (or `HELR_OUTPUT`) selects. The
 * Rust Helr's keys (`batch_size`, `batch_timeout_ms`, `headers`, `timeout_secs`, `max_retries`,
 * `subject`) plus auth, gzip, TLS, retry waits and a memory bound (docs/output.md).
 */
import { DEFAULTS } from "../ir/defaults.ts";
import { envName, filePath, headers } from "./common.ts";
import { decimal, flag, integer, object, oneOfValues, text } from "./kit.ts";
import { TLS_SCHEMA } from "./resilience.ts";

const retry = DEFAULTS.sinkRetry;

/** Retry keys shared by both sinks (a NATS server sends no `Retry-After`, hence `http` only for it). */
const retryKeys = {
  max_retries: integer(
    "Retries of a batch (HTTP) or message (NATS) before it counts as failing; `run --once` and shutdown then give up, a continuous run keeps retrying.",
    0,
    undefined,
    retry.maxRetries,
  ),
  initial_backoff_secs: decimal("Wait before the first retry.", { above: 0 }, retry.initialBackoffSecs),
  max_backoff_secs: decimal("Longest wait between retries.", { above: 0 }, retry.maxBackoffSecs),
  multiplier: decimal("Each wait is this many times the one before.", { min: 1 }, retry.multiplier),
  jitter: decimal("Each wait × (1 ± jitter), 0–1.", { min: 0, max: 1 }, retry.jitter),
};

/** One block for both types (validate/global-rules.ts checks the secret each type needs). */
const httpAuth = object(
  {
    type: oneOfValues(
      ["bearer", "basic"],
      "`bearer`: `Authorization: <prefix> <token>`; `basic`: HTTP Basic.",
    ),
    token_env: envName,
    token_file: filePath,
    prefix: text("Authorization scheme (bearer).", { default: DEFAULTS.bearerPrefix }),
    user_env: envName,
    user_file: filePath,
    password_env: envName,
    password_file: filePath,
  },
  {
    required: ["type"],
    description:
      "How the HTTP sink authenticates, read before every request (wins over an `Authorization` header and the URL's `user:password@`).",
  },
);

const http = object({
  url: text(
    "Receiver URL, used when `run` has no `--output` (Flicker's `destination.endpoint`); `--output` wins.",
  ),
  batch_size: integer("Lines per POST.", 1, undefined, DEFAULTS.httpSink.batchSize),
  batch_timeout_ms: integer(
    "Send a partial batch this long after its first line.",
    1,
    undefined,
    DEFAULTS.httpSink.batchTimeoutMs,
  ),
  headers,
  timeout_secs: integer(
    "One POST, connect to last response byte.",
    1,
    undefined,
    DEFAULTS.httpSink.timeoutSecs,
  ),
  gzip: flag("Gzip each body (`Content-Encoding: gzip`).", DEFAULTS.httpSink.gzip),
  auth: httpAuth,
  tls: TLS_SCHEMA,
  ...retryKeys,
  max_retry_after_secs: integer(
    "Longest `Retry-After` of a 429 or 503 that is honoured.",
    0,
    undefined,
    retry.maxRetryAfterSecs,
  ),
  max_buffer_bytes: integer(
    "Bytes written and not yet acknowledged before polling waits.",
    1,
    undefined,
    DEFAULTS.httpSink.maxBufferBytes,
  ),
});

const natsAuth = object(
  {
    token_env: envName,
    token_file: filePath,
    user_env: envName,
    user_file: filePath,
    password_env: envName,
    password_file: filePath,
    credentials_env: envName,
    credentials_file: filePath,
  },
  {
    description:
      "At most one of a token, user and password, or a `.creds` file; without it, the URL's `token@` or `user:password@`.",
  },
);

const nats = object({
  subject: text("Subject to publish to; overrides the URL's (default `helr.events`)."),
  jetstream: flag(
    "Publish to JetStream and wait for each ack; `false` is core NATS (at most once).",
    DEFAULTS.natsSink.jetstream,
  ),
  auth: natsAuth,
  tls: TLS_SCHEMA,
  connect_timeout_secs: integer("Connecting at start.", 1, undefined, DEFAULTS.natsSink.connectTimeoutSecs),
  ack_timeout_secs: integer(
    "Wait for one publish's ack before retrying it.",
    1,
    undefined,
    DEFAULTS.natsSink.ackTimeoutSecs,
  ),
  max_in_flight: integer(
    "Publishes waiting for their ack before polling waits.",
    1,
    undefined,
    DEFAULTS.natsSink.maxInFlight,
  ),
  ...retryKeys,
});

/** `global.output`: the HTTP and NATS sinks' settings (the URL comes from `--output`). */
export const OUTPUT_SCHEMA = object({ http, nats });
