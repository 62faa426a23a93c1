/**
 * The catalog of every error code a running bundle can report (`HELR_*`), like the compiler's
 * diagnostic codes: one `as const` table, grouped by what failed, never reused. Every error a
 * user can see carries one of these codes (errors are {@link HelrError}s); docs/errors.md is
 * generated from this table. `kind` says what the failure is about; `retry` says whether the
 * HTTP layer may send the same request again after it (decided here once, not per call site).
 */
export const ERROR_CODES = {
  // ── configuration and environment ──────────────────────────────────────────────────────────
  HELR_ENV_UNSET: {
    kind: "config",
    title: "A `${VAR}` placeholder names a variable that is not set",
    fix: "Set the variable in the environment the bundle runs in, or give a default: `${VAR:-value}`.",
  },
  HELR_CONFIG_URL: {
    kind: "config",
    title: "A source's URL is not a valid absolute URL once its placeholders are filled in",
    fix: "Check the variables the URL is built from (the message names the source; the URL is shown redacted).",
  },
  HELR_HEADER_INVALID: {
    kind: "config",
    title: "A request header name or value is not allowed (CR, LF or another control character)",
    fix: "Remove line breaks from the variable or secret file the header value comes from; the request was not sent.",
  },
  HELR_SECRET_MISSING: {
    kind: "config",
    title: "A secret (token, key, password) could not be read from its file or variable",
    fix: "Create the file or set the variable the message names; a file wins over a variable when both are set.",
  },
  HELR_TLS_CONFIG: {
    kind: "config",
    title: "A TLS setting (CA, client certificate or key) could not be loaded",
    fix: "Check the PEM files or variables named in `resilience.tls` and that certificate and key belong together.",
  },
  HELR_RELOAD_REJECTED: {
    kind: "config",
    title:
      "A reload (SIGHUP, `POST /api/v1/reload`) was refused: the new bundle does not load or its configuration fails",
    fix: "The old configuration keeps running. Fix what the message names, rebuild with `helrc build` over the same file and reload again.",
  },
  HELR_USAGE: {
    kind: "config",
    title: "The command line is not valid (exit code 2)",
    fix: "Run `helr --help` for the commands and flags.",
  },
  // ── authentication ────────────────────────────────────────────────────────────────────────
  HELR_AUTH_TOKEN: {
    kind: "auth",
    title: "The OAuth2 or Google token endpoint refused to issue a token, or could not be reached",
    fix: "The message gives the endpoint's answer: check the client id, secret or key, the scopes, and the token URL.",
  },
  HELR_AUTH_KEY: {
    kind: "auth",
    title: "A private key (private_key_jwt, service account) could not be parsed or used",
    fix: "Give a PEM private key (RSA or EC); in an environment variable, `\\n` sequences are accepted for line breaks.",
  },
  // ── talking to the API ────────────────────────────────────────────────────────────────────
  "HELR_HTTP_<status>": {
    kind: "http",
    title: "The API answered with a non-2xx status (the code carries it: `HELR_HTTP_403`)",
    fix: "4xx: the request or credentials are wrong (the message has the API's answer and usually a hint); 5xx, 408 and 429: the API had trouble, and every retry was used.",
  },
  HELR_HTTP_TIMEOUT: {
    kind: "http",
    retry: true,
    title: "A request timed out (connect, headers or body; the message names the limit)",
    fix: "Raise the `resilience.timeouts` value the message names, or check the network path to the API.",
  },
  HELR_HTTP_TRANSPORT: {
    kind: "http",
    retry: true,
    title: "The connection failed (refused, reset, DNS, TLS handshake)",
    fix: "Check the host, the network path and, for TLS errors, the CA settings in `resilience.tls`.",
  },
  HELR_TLS_VERIFY: {
    kind: "http",
    title: "The API's TLS certificate was not trusted or did not match its host name",
    fix: "Point `resilience.tls.ca_file` at the CA that issued it, or fix the URL's host name; retrying cannot help, so it is not retried.",
  },
  HELR_HTTP_ABORTED: {
    kind: "http",
    title: "A request was cancelled by a shutdown or by the poll's time limit",
    fix: "Nothing, for a shutdown. For `timeouts.poll_tick_secs`, raise the limit or lower `max_pages`.",
  },
  HELR_CIRCUIT_OPEN: {
    kind: "http",
    title: "The source's circuit breaker is open: requests fail fast until the next probe",
    fix: "The API failed repeatedly (the message says how); it is probed again at the time given.",
  },
  HELR_POLL_TIMEOUT: {
    kind: "http",
    title: "A whole poll ran longer than `resilience.timeouts.poll_tick_secs`",
    fix: "Raise `poll_tick_secs`, or lower `max_pages` so a poll does less; pages already checkpointed are kept.",
  },
  HELR_FOREIGN_ORIGIN: {
    kind: "http",
    title: "The API pointed the next page at another origin (scheme, host, port) than the source's URL",
    fix: "Credentials are only ever sent to the configured origin, so the pass ended there. If the API really moved, change the source's `url`.",
  },
  HELR_API_ERROR: {
    kind: "http",
    title: "A 2xx response reported an error in its body (`ok: false`, an `error`/`errors` member)",
    fix: "The message quotes the API's error (redacted); it is usually a credential, scope or parameter problem.",
  },
  // ── reading responses ─────────────────────────────────────────────────────────────────────
  HELR_PARSE: {
    kind: "parse",
    title:
      "A response body is not JSON, is not valid UTF-8, has no events array where one was expected, or is too large",
    fix: "See `on_parse_error`, `on_invalid_utf8`, `response_events_path` and `max_response_bytes`; no event of that page was written and its position was not passed.",
  },
  HELR_LINE_TOO_LONG: {
    kind: "parse",
    title: "An NDJSON line is longer than `max_line_bytes` (with `max_line_bytes_behavior: fail`)",
    fix: "Raise `max_line_bytes`, or choose `truncate` or `skip`.",
  },
  HELR_SCAN_THREAD: {
    kind: "parse",
    title: "The thread that scans large pages stopped",
    fix: "Nothing to do: the page is fetched again on the next poll and pages are scanned on the main thread from then on.",
  },
  // ── hooks ─────────────────────────────────────────────────────────────────────────────────
  HELR_HOOK_LOAD: {
    kind: "hook",
    title:
      "A hook script did not load: a syntax error, a top-level throw, no hooks, a hook that is not a function",
    fix: "The message names the script and line; `helrc check` reports most of these at build time.",
  },
  HELR_HOOK_ERROR: {
    kind: "hook",
    title: "A hook threw, or the Promise it returned rejected",
    fix: "The message names the hook and the script line; the poll failed and the next one calls the hook again.",
  },
  HELR_HOOK_TIMEOUT: {
    kind: "hook",
    title: "A hook call ran past `global.hooks.timeout_secs` and was stopped",
    fix: "Look for a loop or a slow fetch at the line named; raise `timeout_secs` only if the work is real.",
  },
  HELR_HOOK_MEMORY: {
    kind: "hook",
    title: "A hook call reached `global.hooks.memory_limit_mb` and was stopped (the sandbox was rebuilt)",
    fix: "Look for an allocation that grows without bound; raise `memory_limit_mb` only for real page sizes.",
  },
  HELR_HOOK_SHAPE: {
    kind: "hook",
    title:
      "A hook returned a value of the wrong shape (the message says which field of which hook and event)",
    fix: "Return what docs/hooks.md documents for that hook; the types in runtime/hooks/hooks.d.ts check it.",
  },
  HELR_HOOK_HOST: {
    kind: "hook",
    title: "A hook pointed a request or `fetch` at a host the source may not reach",
    fix: "Add the host to `hooks.allow_hosts` if it is meant; credentials stay with the source's own hosts.",
  },
  HELR_HOOK_STALLED: {
    kind: "hook",
    title: "A hook returned a Promise that nothing can settle",
    fix: "Make sure every Promise the hook awaits is resolved by a `fetch` or by the hook's own code.",
  },
  HELR_HOOK_SANDBOX: {
    kind: "hook",
    title: "The QuickJS sandbox itself failed; it is rebuilt on the next call",
    fix: "Please report it with the message; the source's other polls go on.",
  },
  HELR_HOOK_CLOSED: {
    kind: "hook",
    title: "A hook was called after its sandbox was closed (during shutdown)",
    fix: "Nothing: the poll is repeated after the restart from its last checkpoint.",
  },
  // ── output ────────────────────────────────────────────────────────────────────────────────
  HELR_OUTPUT_OPEN: {
    kind: "output",
    title: "The output file could not be opened",
    fix: "Check that the directory exists and is writable.",
  },
  HELR_OUTPUT_WRITE: {
    kind: "output",
    title: "Writing the output failed (disk full, I/O error)",
    fix: "Free space or fix the device; the run stops so that no checkpoint passes events that were not written.",
  },
  HELR_OUTPUT_EPIPE: {
    kind: "output",
    title: "The program reading stdout closed the pipe",
    fix: "Keep the downstream collector running (the exit is non-zero so a supervisor restarts both), or write to a file.",
  },
  HELR_OUTPUT_FLUSH: {
    kind: "output",
    title: "The output could not be made durable (fsync failed)",
    fix: "Check the device; no checkpoint was written for lines that were not synced.",
  },
  HELR_OUTPUT_ROTATE: {
    kind: "output",
    title: "Rotating the output file failed",
    fix: "Check permissions and space in the output directory.",
  },
  HELR_OUTPUT_CLOSED: {
    kind: "output",
    title: "A write reached an output that was already closed (during shutdown)",
    fix: "Nothing: the page is written again after the restart, because its checkpoint was not taken.",
  },
  HELR_OUTPUT_URL: {
    kind: "output",
    title: "`--output` is not a file path, `-`, an `http(s)://` URL or a `nats://` URL",
    fix: "Use one of those forms; the message shows what was given, without credentials.",
  },
  HELR_OUTPUT_HTTP_AUTH: {
    kind: "output",
    title: "The HTTP sink's credentials could not be read",
    fix: "Set the variable or create the file `global.output.http.auth` names.",
  },
  HELR_OUTPUT_HTTP_TLS: {
    kind: "output",
    title: "The HTTP sink's TLS settings could not be loaded",
    fix: "Check the PEM files or variables in `global.output.http.tls`.",
  },
  HELR_OUTPUT_HTTP_REJECTED: {
    kind: "output",
    title: "The HTTP receiver refused a batch with a status no retry can fix (4xx other than 408 and 429)",
    fix: "The message has the status and the receiver's answer: fix the credentials (401, 403), the URL (404) or the receiver's limits (413); no checkpoint passed the refused events.",
  },
  HELR_OUTPUT_HTTP_UNAVAILABLE: {
    kind: "output",
    title: "The HTTP receiver could not take a batch after every retry (`run --once`, or a shutdown)",
    fix: "Bring the receiver back and run again: the unsent events are polled again from the last checkpoint.",
  },
  HELR_OUTPUT_HTTP: {
    kind: "output",
    title: "The HTTP sink failed in an unexpected way",
    fix: "The message says how; state was not advanced past the events it held.",
  },
  HELR_OUTPUT_NATS_CONNECT: {
    kind: "output",
    title: "The NATS server could not be reached or refused the connection at start",
    fix: "Check the URL (shown without credentials), the credentials and TLS settings in `global.output.nats`.",
  },
  HELR_OUTPUT_NATS_AUTH: {
    kind: "output",
    title: "The NATS sink's credentials could not be read",
    fix: "Set the variable or create the file `global.output.nats.auth` names.",
  },
  HELR_OUTPUT_NATS_TLS: {
    kind: "output",
    title: "The NATS sink's TLS settings could not be loaded",
    fix: "Check the PEM files or variables in `global.output.nats.tls`.",
  },
  HELR_OUTPUT_NATS_NO_JETSTREAM: {
    kind: "output",
    title: "The NATS server has no JetStream",
    fix: "Start it with JetStream (`nats-server -js`), or set `global.output.nats.jetstream: false` for core NATS (at most once).",
  },
  HELR_OUTPUT_NATS_NO_STREAM: {
    kind: "output",
    title: "No JetStream stream captures the sink's subject",
    fix: "Create one (`nats stream add … --subjects <subject> --dupe-window 2h`); Helr does not create streams itself.",
  },
  HELR_OUTPUT_NATS_REJECTED: {
    kind: "output",
    title: "JetStream refused a message for good (too large, stream sealed, no permission)",
    fix: "The message has the server's answer; no checkpoint passed the refused events.",
  },
  HELR_OUTPUT_NATS_UNAVAILABLE: {
    kind: "output",
    title: "JetStream did not acknowledge messages after every retry (`run --once`, or a shutdown)",
    fix: "Bring the server back and run again: the unacknowledged events are polled again from the last checkpoint.",
  },
  HELR_OUTPUT_NATS: {
    kind: "output",
    title: "The NATS sink failed in an unexpected way",
    fix: "The message says how; state was not advanced past the events it held.",
  },
  HELR_OUTPUT_SPILL_OPEN: {
    kind: "output",
    title:
      "The disk buffer (`backpressure.disk_buffer.path`) cannot be used: its directory is missing or read-only",
    fix: "Create the directory or fix its permissions; the run does not start rather than fall back to another strategy.",
  },
  HELR_OUTPUT_SPILL: {
    kind: "output",
    title: "Writing, syncing or reading a disk-buffer segment failed (disk full, I/O error)",
    fix: "Free space or fix the device; no checkpoint passed events that were not spilled or written.",
  },
  // ── state ─────────────────────────────────────────────────────────────────────────────────
  HELR_STATE_CONFIG: {
    kind: "state",
    title: "The state store's settings are incomplete or its backend is not in this bundle",
    fix: "Set `global.state.url` (Redis, Postgres) or rebuild with the backend configured.",
  },
  HELR_STATE_OPEN: {
    kind: "state",
    title: "The SQLite state file could not be opened or created",
    fix: "Check that the directory exists and is writable (`--state-path` or HELR_STATE_PATH move it).",
  },
  HELR_STATE_LOCKED: {
    kind: "state",
    title: "Another process has the SQLite state file open",
    fix: "Run one collector per state file; for several replicas use Redis or Postgres.",
  },
  HELR_STATE_NATIVE: {
    kind: "state",
    title: "The embedded SQLite addon could not be loaded",
    fix: "Build the bundle on the platform and Node.js version it runs on (the message names both ABIs).",
  },
  HELR_STATE_CONNECT: {
    kind: "state",
    title: "The Redis or Postgres state store could not be reached",
    fix: "Check the URL (shown without its password), the network and the credentials.",
  },
  HELR_STATE_READ: {
    kind: "state",
    title: "Reading state failed after the store was opened",
    fix: "Check the store's health; the poll did not run.",
  },
  HELR_STATE_WRITE: {
    kind: "state",
    title: "Writing a checkpoint failed (nothing of it was kept)",
    fix: "Check the store; see `on_state_write_error` to keep polling without checkpoints.",
  },
  HELR_LEASE_LOST: {
    kind: "state",
    title: "This replica lost its lease on a source (another replica took it, or the store was out of reach)",
    fix: "Nothing: the checkpoint was refused so the new holder's state stays intact; this replica stops polling the source.",
  },
  HELR_STATE_IMPORT: {
    kind: "state",
    title: "`helr state import` was given a document it cannot read",
    fix: "Give the JSON `helr state export` writes: `{source: {key: value}}` with string values.",
  },
  // ── servers (metrics, health, REST API) ──────────────────────────────────────────────────
  HELR_SERVER_BIND: {
    kind: "config",
    title:
      "A server (metrics, health/API) could not listen: port in use, address not on this host, two servers on one port",
    fix: "Change the `address` or `port` the message names, or stop what holds the port; nothing was polled.",
  },
  // ── record and replay ─────────────────────────────────────────────────────────────────────
  HELR_API_UNPROTECTED: {
    kind: "config",
    title: "The REST API would listen on a non-loopback address without a token",
    fix: "Set `global.api.auth.token_env` (or `token_file`) to require a bearer token, or bind `global.api.address` to 127.0.0.1 / ::1.",
  },
  HELR_RECORD_WRITE: {
    kind: "record",
    title: "A response could not be saved under `--record-dir`",
    fix: "Check that the directory is writable; the request failed rather than go unrecorded.",
  },
  HELR_REPLAY_EXHAUSTED: {
    kind: "record",
    title: "`--replay-dir` has no (more) recordings for a source",
    fix: "Record more pages with `--record-dir`, or replay fewer sources with `--source`.",
  },
  // ── bugs ──────────────────────────────────────────────────────────────────────────────────
  HELR_INTERNAL: {
    kind: "internal",
    title: "A bug in Helr",
    fix: "Please report it with the message; HELR_DEBUG=1 prints the stack.",
  },
} as const satisfies Readonly<Record<string, ErrorEntry>>;

/** One catalog entry. */
export interface ErrorEntry {
  readonly kind: ErrorKind;
  readonly title: string;
  readonly fix: string;
  /** The HTTP layer sends the request again after this (while attempts remain). */
  readonly retry?: boolean;
}

/** What an error is about; `output` failures stop the whole run (nothing may be checkpointed past them). */
export type ErrorKind =
  | "config"
  | "auth"
  | "http"
  | "parse"
  | "hook"
  | "output"
  | "state"
  | "record"
  | "internal";

type CatalogKey = keyof typeof ERROR_CODES;

/** Every code a `HelrError` may carry: the catalog's, with `HELR_HTTP_<status>` spelled out. */
export type ErrorCode = Exclude<CatalogKey, "HELR_HTTP_<status>"> | `HELR_HTTP_${number}`;

/** The catalog entry of `code` (the `HELR_HTTP_<status>` family for any status). */
export function errorEntry(code: ErrorCode): ErrorEntry {
  if (/^HELR_HTTP_\d+$/.test(code)) return ERROR_CODES["HELR_HTTP_<status>"];
  return ERROR_CODES[code as Exclude<CatalogKey, "HELR_HTTP_<status>">];
}

/** Whether `text` is a code of the catalog. */
export function isErrorCode(text: unknown): text is ErrorCode {
  if (typeof text !== "string") return false;
  return /^HELR_HTTP_\d+$/.test(text) || (text in ERROR_CODES && text !== "HELR_HTTP_<status>");
}
