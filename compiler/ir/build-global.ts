import type { GlobalHooksSpec, GlobalSpec, StateSpec } from "../../runtime/spec.ts";
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
    output: buildOutput(raw?.output),
    replicas: {
      enabled: raw?.replicas?.enabled ?? DEFAULTS.replicasEnabled,
      leaseTtlSecs: raw?.replicas?.lease_ttl_secs ?? DEFAULTS.leaseTtlSecs,
      ...optional("renewEverySecs", raw?.replicas?.renew_every_secs),
    },
    // Only programs that have hooks (or say how to run them) carry the block.
    ...optional("hooks", raw?.hooks !== undefined || anyHooks ? buildHooks(raw?.hooks) : undefined),
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

function buildState(raw: RawGlobal["state"]): StateSpec {
  const backend = raw?.backend ?? DEFAULTS.stateBackend;
  // Only networked backends read a URL; validation requires one for postgres.
  const networked = backend === "redis" || backend === "postgres";
  const url = networked ? (raw?.url ?? (backend === "redis" ? DEFAULTS.redisUrl : undefined)) : undefined;
  return { backend, path: raw?.path ?? DEFAULTS.statePath, ...optional("url", url) };
}
