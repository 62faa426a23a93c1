import type { GlobalSpec, ServerSpec, StateSpec } from "../../runtime/spec.ts";
import type { RawGlobal } from "../config-shape/types.ts";
import { DEFAULTS } from "./defaults.ts";
import { optional, unescapeDollars } from "./text.ts";

/** The resolved global settings; every field has a value (defaults from {@link DEFAULTS}). */
export function buildGlobal(raw: RawGlobal | undefined): GlobalSpec {
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
    api: buildServer(raw?.api, DEFAULTS.api),
    metrics: buildServer(raw?.metrics, DEFAULTS.metrics),
  };
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

function buildState(raw: RawGlobal["state"]): StateSpec {
  const backend = raw?.backend ?? DEFAULTS.stateBackend;
  // Only networked backends read a URL; validation requires one for postgres.
  const networked = backend === "redis" || backend === "postgres";
  const url = networked ? (raw?.url ?? (backend === "redis" ? DEFAULTS.redisUrl : undefined)) : undefined;
  return { backend, path: raw?.path ?? DEFAULTS.statePath, ...optional("url", url) };
}
