import { DEFAULTS } from "../ir/defaults.ts";
import { headers } from "./common.ts";
import { decimal, flag, integer, object, oneOfValues, planned, text } from "./kit.ts";

/**
 * A server block (`api`, `metrics`). The address defaults to loopback (the Rust Helr binds
 * `0.0.0.0`: docs/differences.md); an IPv6 address is written without brackets.
 */
const server = (what: string, defaults: { readonly address: string; readonly port: number }) =>
  object({
    enabled: flag(`Start the ${what} server.`, false),
    address: text("Bind address (IPv4, IPv6 without brackets, or a host name).", {
      default: defaults.address,
    }),
    port: integer("Port.", 1, 65535, defaults.port),
  });

const backpressure = object({
  enabled: flag("Bound the output queue.", false),
  detection: object({
    event_queue_size: integer("Queued events before the strategy applies.", 1, undefined, 10000),
    memory_threshold_mb: integer("Process RSS limit in MB.", 1),
    stdout_buffer_size: integer(
      "Queued bytes before the strategy applies (0 = no cap).",
      0,
      undefined,
      65536,
    ),
  }),
  strategy: oneOfValues(
    ["block", "disk_buffer", "drop"],
    "What to do when the queue is full (`disk_buffer` needs `disk_buffer.path`).",
    "block",
  ),
  drop_policy: oneOfValues(
    ["oldest_first", "newest_first", "random"],
    "Which event to drop.",
    "oldest_first",
  ),
  max_queue_age_secs: integer("Drop events queued longer than this.", 1),
  disk_buffer: object(
    {
      path: text("Spill file."),
      max_size_mb: integer("Maximum spill size in MB.", 1, undefined, 1024),
      segment_size_mb: integer("Spill segment size in MB.", 1, undefined, 64),
    },
    { required: ["path"] },
  ),
});

const hooks = object({
  enabled: flag("Run per-source JS hooks.", false),
  path: text("Directory of hook scripts.", { default: "./hooks" }),
  timeout_secs: integer("Timeout per hook call.", 1, undefined, 5),
  memory_limit_mb: integer("Memory limit per hook call.", 1),
  allow_network: flag("Allow fetch() in hooks.", false),
  allow_fs: flag("Allow file system access in hooks.", false),
  auth_cache_ttl_secs: integer("Cache getAuth results this long (0 = off).", 0, undefined, 1800),
});

const output = object({
  http: object({
    batch_size: integer("Lines per POST.", 1, undefined, 100),
    batch_timeout_ms: integer("Flush a partial batch after this long.", 1, undefined, 500),
    headers,
    timeout_secs: integer("Request timeout.", 1, undefined, 30),
    max_retries: integer("Retries on 5xx, timeout or connect error.", 0, undefined, 3),
  }),
  nats: object({ subject: text("NATS subject.") }),
});

/** The optional `global:` block; at most one file may have it. */
export const GLOBAL_SCHEMA = object(
  {
    log_level: oneOfValues(["trace", "debug", "info", "warn", "error"], "Log level.", DEFAULTS.logLevel),
    log_format: oneOfValues(["json", "pretty"], "Format of Helr's own logs.", DEFAULTS.logFormat),
    source_label_key: text("Producer label key.", { default: DEFAULTS.labelKey }),
    source_label_value: text("Producer label value in Helr's own logs.", {
      default: DEFAULTS.globalLabelValue,
    }),
    state: object({
      backend: oneOfValues(["sqlite", "memory", "redis", "postgres"], "State store.", DEFAULTS.stateBackend),
      path: text("SQLite file.", { default: DEFAULTS.statePath }),
      url: text(`Redis or Postgres connection URL (Redis default: \`${DEFAULTS.redisUrl}\`).`),
    }),
    api: server("health probe and REST API", DEFAULTS.api),
    metrics: server("Prometheus `/metrics`", DEFAULTS.metrics),
    backpressure: planned(backpressure),
    degradation: planned(
      object({
        state_store_fallback: oneOfValues(["memory"], "Backend to use when the state store fails to open."),
        emit_without_checkpoint: flag("Keep emitting when state writes fail."),
        reduced_frequency_multiplier: decimal("Poll interval multiplier while degraded.", { above: 0 }),
      }),
    ),
    reload: planned(
      object({ restart_sources_on_sighup: flag("Reset circuits and tokens on reload.", false) }),
    ),
    dump_on_sigusr1: planned(
      object({
        destination: oneOfValues(["log", "file"], "Where SIGUSR1 dumps go.", "log"),
        path: text("Dump file when destination is file."),
      }),
    ),
    bulkhead: object({
      max_concurrent_sources: integer("Sources polling at once (0 = no limit).", 0),
      max_concurrent_requests: integer("Requests per source at once (0 = no limit).", 0),
    }),
    load_shedding: planned(
      object({ skip_priority_below: integer("Skip sources below this priority.", 0, 10) }),
    ),
    hooks: planned(hooks),
    audit: object({
      enabled: flag("Write audit log lines.", DEFAULTS.auditEnabled),
      log_credential_access: flag("Log when a secret is read.", DEFAULTS.auditLogCredentialAccess),
      log_config_changes: flag("Log config loads and reloads.", DEFAULTS.auditLogConfigChanges),
    }),
    output: planned(output),
  },
  { description: "Settings shared by all sources." },
);
