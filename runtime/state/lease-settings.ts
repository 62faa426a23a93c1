import type { StateBackend } from "../spec.ts";

/** `global.replicas`: several copies of one bundle sharing a Redis or Postgres state store. */
export interface ReplicaSettings {
  readonly enabled: boolean;
  /** How long a lease (and a membership record) lives without renewal, by the store's clock. */
  readonly leaseTtlSecs: number;
  /** How often the keeper heartbeats, renews and rebalances; absent: a third of the TTL. */
  readonly renewEverySecs?: number;
}

/** Defaults in one table: the TTL, and how the renewal period and safety margin derive from it. */
export const REPLICA_DEFAULTS = {
  leaseTtlSecs: 10,
  /** Renewal period as a fraction of the TTL: two retries fit before the lease could expire. */
  renewFraction: 1 / 3,
  /** Safety margin as a fraction of the TTL (clock rate drift, a slow event loop). */
  marginFraction: 0.2,
  maxMarginMs: 2_000,
} as const;

/** The keeper's timings, in milliseconds. */
export interface LeaseTimings {
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  /** Given up this long before the store could expire a lease. */
  readonly marginMs: number;
  /** How long after a renewal was sent the replica trusts it: `ttlMs - marginMs`. */
  readonly validMs: number;
}

/** Timings for a TTL and an optional renewal period. */
export function leaseTimings(ttlMs: number, renewEveryMs?: number): LeaseTimings {
  const marginMs = Math.min(ttlMs * REPLICA_DEFAULTS.marginFraction, REPLICA_DEFAULTS.maxMarginMs);
  return {
    ttlMs,
    renewEveryMs: renewEveryMs ?? ttlMs * REPLICA_DEFAULTS.renewFraction,
    marginMs,
    validMs: ttlMs - marginMs,
  };
}

/** One problem with the replica settings, at a config path, for `helrc check` and `helr run`. */
export interface SettingProblem {
  readonly severity: "error" | "warning";
  /** The key to change, e.g. `global.replicas.lease_ttl_secs`. */
  readonly path: string;
  readonly message: string;
}

/** What the check needs to know about the rest of the bundle. */
export interface ReplicaContext {
  readonly backend: StateBackend;
  readonly sources: readonly { readonly id: string; readonly requestTimeoutSecs: number }[];
}

const TTL = "global.replicas.lease_ttl_secs";

/**
 * Checks `global.replicas` against the bundle (pure). Errors: replicas without a shared store,
 * a TTL under a second, a renewal period that leaves no room for a retry. Warning: a source
 * whose request can outlast the lease (see docs/deploy.md, "TTL sizing").
 */
export function replicaSettingProblems(settings: ReplicaSettings, context: ReplicaContext): SettingProblem[] {
  if (!settings.enabled) return [];
  const problems: SettingProblem[] = [];
  if (context.backend !== "redis" && context.backend !== "postgres") {
    problems.push({
      severity: "error",
      path: "global.replicas.enabled",
      message:
        `replicas need a state store they all share, but state.backend is ${context.backend}, which belongs ` +
        "to one process; set global.state.backend to redis or postgres (with state.url), or turn replicas off",
    });
  }
  const ttl = settings.leaseTtlSecs;
  if (ttl < 1) {
    problems.push({
      severity: "error",
      path: TTL,
      message: `lease_ttl_secs is ${ttl}; it must be at least 1`,
    });
    return problems;
  }
  const renew = settings.renewEverySecs ?? ttl * REPLICA_DEFAULTS.renewFraction;
  if (renew <= 0 || renew > ttl / 2) {
    problems.push({
      severity: "error",
      path: "global.replicas.renew_every_secs",
      message:
        `renew_every_secs (${renew}) must be above 0 and at most half of lease_ttl_secs (${ttl}), ` +
        "so that a failed renewal is retried before the lease can expire",
    });
    return problems;
  }
  const renewFor = (t: number) => settings.renewEverySecs ?? t * REPLICA_DEFAULTS.renewFraction;
  for (const source of context.sources) {
    if (ttl > source.requestTimeoutSecs + renew) continue;
    // The default renewal period grows with the TTL: suggest the least whole TTL that passes.
    let least = Math.max(1, Math.floor(source.requestTimeoutSecs));
    while (least <= source.requestTimeoutSecs + renewFor(least)) least += 1;
    problems.push({
      severity: "warning",
      path: TTL,
      message:
        `source ${JSON.stringify(source.id)}: lease_ttl_secs (${ttl} s) is not longer than its request timeout ` +
        `(${source.requestTimeoutSecs} s) plus the renewal period (${round(renew)} s), so a state store outage ` +
        "can cut one of its page requests off (a replica stops a source before its lease can expire) and the " +
        `page is fetched again; raise lease_ttl_secs to ${least} or more, or lower the source's resilience.timeouts.request_secs`,
    });
  }
  return problems;
}

function round(secs: number): number {
  return Math.round(secs * 10) / 10;
}
