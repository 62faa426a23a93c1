/**
 * The bodies of `/healthz`, `/readyz` and `/startupz`: exactly the Rust Helr's field names and
 * shapes (helr.md §5.2), plus additive fields only, so its probes and scripts keep working.
 * Pure: the caller passes the model's snapshot and the probe results.
 */
import type { BreakerView, SourceHealth } from "./health.ts";

/** A breaker in the Rust Helr's three shapes. */
export type CircuitStateJson =
  | { readonly state: "closed"; readonly failures: number }
  | { readonly state: "open"; readonly open_until_secs: number }
  | { readonly state: "half_open"; readonly successes: number };

/** One source's entry under `sources` (and `GET /api/v1/sources/{id}`). */
export interface SourceStatusJson {
  readonly status: SourceHealth["status"];
  readonly circuit_state: CircuitStateJson;
  /** Absent when the last poll succeeded (the Rust Helr omits the key rather than sending null). */
  readonly last_error?: string;
  /** Additive: when a poll last failed (ISO 8601), kept after a success. */
  readonly last_error_at?: string;
  /** Additive: when a poll last succeeded (ISO 8601). */
  readonly last_success_at?: string;
  /** Additive: polls failed in a row. */
  readonly consecutive_failures: number;
  /** Additive: lines written in the last hour. */
  readonly events_last_hour: number;
}

/** What every probe body starts with. */
export interface ProcessInfo {
  readonly version: string;
  readonly uptimeSecs: number;
  /** The state store failed at start-up and memory stands in (`degradation.state_store_fallback`). */
  readonly fallbackActive: boolean;
  /** Epoch ms, for the open circuit's remaining time. */
  readonly nowMs: number;
}

/** The readiness inputs, already probed. */
export interface ReadinessInputs {
  /** The output can take lines (a file output opens for append); true for stdout. */
  readonly outputWritable: boolean;
  /** The state store answers. */
  readonly stateStoreConnected: boolean;
}

/** A status code and a JSON body. */
export interface ProbeAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** `{"state":"open","open_until_secs":12.5}`: the remaining time, never negative. */
export function circuitStateJson(view: BreakerView, nowMs: number): CircuitStateJson {
  switch (view.phase) {
    case "open":
      return { state: "open", open_until_secs: Math.max(0, ((view.openUntilMs ?? nowMs) - nowMs) / 1000) };
    case "half_open":
      return { state: "half_open", successes: view.probeSuccesses ?? 0 };
    default:
      return { state: "closed", failures: view.consecutiveFailures };
  }
}

export function sourceStatusJson(source: SourceHealth, nowMs: number): SourceStatusJson {
  return {
    status: source.status,
    circuit_state: circuitStateJson(source.circuit, nowMs),
    ...(source.lastError ? { last_error: source.lastError.message } : {}),
    ...(source.lastErrorAtMs !== undefined ? { last_error_at: iso(source.lastErrorAtMs) } : {}),
    ...(source.lastSuccessMs !== undefined ? { last_success_at: iso(source.lastSuccessMs) } : {}),
    consecutive_failures: source.consecutiveFailures,
    events_last_hour: source.eventsLastHour,
  };
}

/** `/healthz`: always 200; `{version, uptime_secs, sources, state_store_fallback_active?}`. */
export function healthzAnswer(info: ProcessInfo, sources: readonly SourceHealth[]): ProbeAnswer {
  const entries = sources.map((s) => [s.id, sourceStatusJson(s, info.nowMs)] as const);
  return {
    status: 200,
    body: {
      ...head(info),
      sources: Object.fromEntries(entries),
      ...fallback(info),
    },
  };
}

/**
 * `/readyz`: 200 when the output is writable, the store connected and at least one source is
 * not unhealthy; 503 otherwise, with the same body saying which condition failed.
 */
export function readyzAnswer(
  info: ProcessInfo,
  sources: readonly SourceHealth[],
  inputs: ReadinessInputs,
): ProbeAnswer {
  const anyHealthy = sources.some((s) => s.status !== "unhealthy");
  const ready = inputs.outputWritable && inputs.stateStoreConnected && anyHealthy;
  return {
    status: ready ? 200 : 503,
    body: {
      ...head(info),
      ready,
      output_writable: inputs.outputWritable,
      state_store_connected: inputs.stateStoreConnected,
      at_least_one_source_healthy: anyHealthy,
      ...fallback(info),
    },
  };
}

/**
 * `/startupz`: `started` is false until the state store is open and the first schedule is set,
 * and then the answer is 503, so a Kubernetes startup probe waits (the Rust Helr always answers
 * 200 `started: true`, even before it could poll).
 */
export function startupzAnswer(info: ProcessInfo, started: boolean): ProbeAnswer {
  return { status: started ? 200 : 503, body: { ...head(info), started } };
}

function head(info: ProcessInfo): { version: string; uptime_secs: number } {
  return { version: info.version, uptime_secs: info.uptimeSecs };
}

function fallback(info: ProcessInfo): { state_store_fallback_active?: true } {
  return info.fallbackActive ? { state_store_fallback_active: true } : {};
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
