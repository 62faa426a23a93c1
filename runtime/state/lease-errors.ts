import type { Fence } from "./lease.ts";
import { StateError } from "./store.ts";

/**
 * What a store without leases (SQLite, memory) answers to a fenced commit: it belongs to one
 * process, so there is no lease to check, and silently writing would hide a wiring mistake.
 */
export function fenceUnsupported(backend: string): StateError {
  return new StateError(
    "HELR_STATE_CONFIG",
    `state backend ${backend} has no leases, so it cannot check a fenced commit; ` +
      "replicas (global.replicas) need state.backend redis or postgres",
  );
}

/** The refusal of a fenced commit: names the source, the token and the replica, nothing secret. */
export function leaseLost(sourceId: string, fence: Fence): StateError {
  return new StateError(
    "HELR_LEASE_LOST",
    `source ${JSON.stringify(sourceId)}: lease token ${fence.token} of replica ${fence.holder} is no longer ` +
      "current (it expired or another replica took the source); the checkpoint was not written",
  );
}

/** The warning about live replicas that run a bundle with another source set: what it means, what to do. */
export function mismatchMessage(replicaIds: readonly string[], fingerprint: string): string {
  return (
    `replica(s) ${replicaIds.join(", ")} share this state store but run a bundle with a different set of ` +
    `sources (this bundle's fingerprint is ${fingerprint}); each bundle spreads its sources over its own ` +
    "replicas only, and a source both bundles define is still polled by one replica at a time. If this is not " +
    "a rollout in progress, give each bundle its own state store (another Redis database, Postgres database or schema)"
  );
}
