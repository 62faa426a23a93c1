import type {
  ApiServerSpec,
  BackpressureSpec,
  DegradationSpec,
  GlobalHooksSpec,
  GlobalSpec,
  ServerSpec,
  StateSpec,
} from "../../runtime/spec.ts";
import type { RawGlobal } from "../config-shape/types.ts";
import { buildOutput } from "./build-output.ts";
import { DEFAULTS } from "./defaults.ts";
import { optional, unescapeDollars } from "./text.ts";

/** The resolved global settings; every field has a value (defaults from {@link DEFAULTS}). */
export function buildGlobal(raw: RawGlobal | undefined, anyHooks = false): GlobalSpec {
  const sources = raw?.bulkhead?.max_concurrent_sources;
  return {
    logLevel: raw?.log_level ?? DEFAULTS.logLevel,
    logFormat: raw?.log_format ?? DEFAULTS.logFormat,
    labelKey: unescapeDollars(raw?.source_label_key ?? DEFAULTS.labelKey),
    labelValue: unescapeDollars(raw?.source_label_value ?? DEFAULTS.globalLabelValue),
    state: buildState(raw?.state),
    // 0 means "no limit" in the reference; the IR leaves the field out.
    ...optional("maxConcurrentSources", sources === 0 ? undefined : sources),
    audit: {
      enabled: raw?.audit?.enabled ?? DEFAULTS.auditEnabled,
      logCredentialAccess: raw?.audit?.log_credential_access ?? DEFAULTS.auditLogCredentialAccess,
      logConfigChanges: raw?.audit?.log_config_changes ?? DEFAULTS.auditLogConfigChanges,
    },
    api: buildApi(raw?.api),
    metrics: buildServer(raw?.metrics, DEFAULTS.metrics),
    output: buildOutput(raw?.output),
    replicas: {
      enabled: raw?.replicas?.enabled ?? DEFAULTS.replicasEnabled,
      leaseTtlSecs: raw?.replicas?.lease_ttl_secs ?? DEFAULTS.leaseTtlSecs,
      ...optional("renewEverySecs", raw?.replicas?.renew_every_secs),
    },
    ...optional("backpressure", buildBackpressure(raw?.backpressure)),
    ...optional("degradation", buildDegradation(raw?.degradation)),
    ...optional("loadShedding", buildLoadShedding(raw)),
    // Only programs that have hooks (or say how to run them) carry the block.
    ...optional("hooks", raw?.hooks !== undefined || anyHooks ? buildHooks(raw?.hooks) : undefined),
    ...optional("dumpOnSigusr1", buildDump(raw?.dump_on_sigusr1)),
    ...optional(
      "reload",
      raw?.reload === undefined
        ? undefined
        : { restartSourcesOnSighup: raw.reload.restart_sources_on_sighup ?? false },
    ),
  };
}

/** `global.api`; `auth` only when a token source is named (validation allows exactly one). */
function buildApi(raw: RawGlobal["api"]): ApiServerSpec {
  const auth = raw?.auth;
  const ref =
    auth?.token_file !== undefined
      ? { file: auth.token_file }
      : auth?.token_env !== undefined
        ? { env: auth.token_env }
        : undefined;
  return { ...buildServer(raw, DEFAULTS.api), ...optional("auth", ref) };
}

function buildDump(raw: RawGlobal["dump_on_sigusr1"]): GlobalSpec["dumpOnSigusr1"] {
  if (raw === undefined) return undefined;
  const destination = raw.destination ?? DEFAULTS.dumpDestination;
  return { destination, ...optional("path", destination === "file" ? raw.path : undefined) };
}

function buildServer(
  raw: RawGlobal["api"] | RawGlobal["metrics"],
  defaults: { readonly address: string; readonly port: number },
): ServerSpec {
  return {
    enabled: raw?.enabled ?? false,
    address: raw?.address ?? defaults.address,
    port: raw?.port ?? defaults.port,
  };
}

function buildHooks(raw: RawGlobal["hooks"]): GlobalHooksSpec {
  return {
    enabled: raw?.enabled ?? DEFAULTS.hooksEnabled,
    timeoutMs: (raw?.timeout_secs ?? DEFAULTS.hooksTimeoutSecs) * 1000,
    memoryLimitMb: raw?.memory_limit_mb ?? DEFAULTS.hooksMemoryLimitMb,
    allowNetwork: raw?.allow_network ?? DEFAULTS.hooksAllowNetwork,
    authCacheTtlSecs: raw?.auth_cache_ttl_secs ?? DEFAULTS.hooksAuthCacheTtlSecs,
  };
}

function buildBackpressure(raw: RawGlobal["backpressure"]): BackpressureSpec | undefined {
  if (raw?.enabled !== true) return undefined;
  const d = DEFAULTS.backpressure;
  const strategy = raw.strategy ?? d.strategy;
  const disk = raw.disk_buffer;
  return {
    eventQueueSize: raw.detection?.event_queue_size ?? d.eventQueueSize,
    ...optional("memoryThresholdMb", raw.detection?.memory_threshold_mb),
    stdoutBufferSize: raw.detection?.stdout_buffer_size ?? d.stdoutBufferSize,
    strategy,
    dropPolicy: raw.drop_policy ?? d.dropPolicy,
    ...optional("maxQueueAgeSecs", raw.max_queue_age_secs),
    ...optional(
      "diskBuffer",
      strategy === "disk_buffer" && disk !== undefined
        ? {
            path: disk.path,
            maxSizeMb: disk.max_size_mb ?? d.maxSizeMb,
            segmentSizeMb: disk.segment_size_mb ?? d.segmentSizeMb,
          }
        : undefined,
    ),
  };
}

function buildDegradation(raw: RawGlobal["degradation"]): DegradationSpec | undefined {
  if (raw === undefined) return undefined;
  return {
    ...optional("stateStoreFallback", raw.state_store_fallback),
    emitWithoutCheckpoint: raw.emit_without_checkpoint ?? false,
    reducedFrequencyMultiplier: raw.reduced_frequency_multiplier ?? DEFAULTS.reducedFrequencyMultiplier,
  };
}

/** Load shedding acts only under backpressure (HLR3015 warns when it is set without). */
function buildLoadShedding(raw: RawGlobal | undefined): GlobalSpec["loadShedding"] {
  const below = raw?.load_shedding?.skip_priority_below;
  if (below === undefined || raw?.backpressure?.enabled !== true) return undefined;
  return { skipPriorityBelow: below };
}

function buildState(raw: RawGlobal["state"]): StateSpec {
  const backend = raw?.backend ?? DEFAULTS.stateBackend;
  // Only networked backends read a URL; validation requires one for postgres.
  const networked = backend === "redis" || backend === "postgres";
  const url = networked ? (raw?.url ?? (backend === "redis" ? DEFAULTS.redisUrl : undefined)) : undefined;
  return { backend, path: raw?.path ?? DEFAULTS.statePath, ...optional("url", url) };
}
