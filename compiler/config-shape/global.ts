import { DEFAULTS } from "../ir/defaults.ts";
import { envName, filePath } from "./common.ts";
import { decimal, flag, integer, object, oneOfValues, planned, text } from "./kit.ts";
import { OUTPUT_SCHEMA } from "./output.ts";

/**
 * A server block (`api`, `metrics`). The address defaults to loopback (the Rust Helr binds
 * `0.0.0.0`: docs/differences.md); an IPv6 address is written without brackets.
 */
const serverKeys = (what: string, defaults: { readonly address: string; readonly port: number }) => ({
  enabled: flag(`Start the ${what} server.`, false),
  address: text("Bind address (IPv4, IPv6 without brackets, or a host name).", {
    default: defaults.address,
  }),
  port: integer("Port.", 1, 65535, defaults.port),
});
const server = (what: string, defaults: { readonly address: string; readonly port: number }) =>
  object(serverKeys(what, defaults));

/**
 * `global.api.auth`: the bearer token every `/api/v1` route then requires (one of the two keys;
 * validate/global-rules.ts). Without it the API may only listen on a loopback address.
 */
const apiAuth = object(
  {
    token_env: envName,
    token_file: filePath,
  },
  {
    description:
      "Bearer token the REST API requires (`Authorization: Bearer <token>`), from a variable or a file (trimmed); without it the API only listens on loopback.",
  },
);

const bp = DEFAULTS.backpressure;
const backpressure = object({
  enabled: flag("Bound the output queue.", false),
  detection: object({
    event_queue_size: integer("Queued events before the strategy applies.", 1, undefined, bp.eventQueueSize),
    memory_threshold_mb: integer("Process RSS limit in MB (checked at each write, after every wait).", 1),
    stdout_buffer_size: integer(
      "Queued bytes before the strategy applies (0 = no cap; a larger line still passes an empty queue).",
      0,
      undefined,
      bp.stdoutBufferSize,
    ),
  }),
  strategy: oneOfValues(
    ["block", "disk_buffer", "drop"],
    "What to do when the queue is full (`disk_buffer` needs `disk_buffer.path`).",
    bp.strategy,
  ),
  drop_policy: oneOfValues(["oldest_first", "newest_first", "random"], "Which event to drop.", bp.dropPolicy),
  max_queue_age_secs: integer("Drop events queued longer than this.", 1),
  disk_buffer: object(
    {
      path: text("Spill file prefix: segments are `<path>.<n>`, in a directory that must exist."),
      max_size_mb: integer("Maximum spill size in MB; when full, polling waits.", 1, undefined, bp.maxSizeMb),
      segment_size_mb: integer("Spill segment size in MB.", 1, undefined, bp.segmentSizeMb),
    },
    { required: ["path"] },
  ),
});

const hooks = object({
  enabled: flag("Run the sources' JS hooks (docs/hooks.md).", DEFAULTS.hooksEnabled),
  path: text("Directory of `hooks.script` files, relative to the config file.", {
    default: DEFAULTS.hooksPath,
  }),
  timeout_secs: integer(
    "Longest one hook call may take (awaited Promises and fetch() included); the script is stopped.",
    1,
    undefined,
    DEFAULTS.hooksTimeoutSecs,
  ),
  memory_limit_mb: integer(
    "Memory cap of each source's sandbox in MB (at least 16).",
    1,
    undefined,
    DEFAULTS.hooksMemoryLimitMb,
  ),
  allow_network: flag(
    "Define fetch() in hook sandboxes (the source's hosts only).",
    DEFAULTS.hooksAllowNetwork,
  ),
  allow_fs: planned(flag("Accepted for compatibility; hooks never have file access.", false)),
  auth_cache_ttl_secs: integer(
    "Reuse a getAuth result this long (0 = call it on every poll).",
    0,
    undefined,
    DEFAULTS.hooksAuthCacheTtlSecs,
  ),
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
    replicas: object(
      {
        enabled: flag(
          "Run several copies of this bundle on one Redis or Postgres state store: each source is polled by the one replica holding its lease.",
          DEFAULTS.replicasEnabled,
        ),
        lease_ttl_secs: integer(
          "How long a source's lease lives without renewal (store clock); a dead replica's sources move after this.",
          1,
          undefined,
          DEFAULTS.leaseTtlSecs,
        ),
        renew_every_secs: decimal(
          "Heartbeat, renewal and rebalancing period (default: a third of `lease_ttl_secs`; at most half of it).",
          { above: 0 },
        ),
      },
      { description: "Several replicas sharing the sources through leases with fencing (docs/deploy.md)." },
    ),
    api: object({ ...serverKeys("health probe and REST API", DEFAULTS.api), auth: apiAuth }),
    metrics: server("Prometheus `/metrics`", DEFAULTS.metrics),
    backpressure,
    degradation: object({
      state_store_fallback: oneOfValues(
        ["memory"],
        "Backend to use when the state store fails to open or fails mid-run; the primary is retried.",
      ),
      emit_without_checkpoint: flag("Keep emitting when state writes fail."),
      reduced_frequency_multiplier: decimal(
        "Poll interval multiplier while degraded.",
        { above: 0 },
        DEFAULTS.reducedFrequencyMultiplier,
      ),
    }),
    reload: object(
      {
        restart_sources_on_sighup: flag(
          "On reload (SIGHUP, `POST /api/v1/reload`), restart every source: circuits, tokens and connections start afresh, not only those of changed sources.",
          false,
        ),
      },
      { description: "Applying a rebuilt bundle in the running process (docs/operations/reload.md)." },
    ),
    dump_on_sigusr1: object(
      {
        destination: oneOfValues(
          ["log", "file"],
          "Where SIGUSR1 dumps go: one log line, or a file (rewritten at each signal).",
          DEFAULTS.dumpDestination,
        ),
        path: text("Dump file when destination is file (`${VAR}` allowed)."),
      },
      {
        description:
          "On SIGUSR1, write the stored state (the `helr state export` shape) and the metrics text; without this block SIGUSR1 is ignored with a log line.",
      },
    ),
    bulkhead: object({
      max_concurrent_sources: integer("Sources polling at once (0 = no limit).", 0),
      max_concurrent_requests: integer("Requests per source at once (0 = no limit).", 0),
    }),
    load_shedding: object({
      skip_priority_below: integer(
        "While backpressure is active, sources whose `priority` is below this are not polled.",
        0,
        10,
      ),
    }),
    hooks,
    audit: object({
      enabled: flag("Write audit log lines.", DEFAULTS.auditEnabled),
      log_credential_access: flag("Log when a secret is read.", DEFAULTS.auditLogCredentialAccess),
      log_config_changes: flag("Log config loads and reloads.", DEFAULTS.auditLogConfigChanges),
    }),
    output: OUTPUT_SCHEMA,
  },
  { description: "Settings shared by all sources." },
);
