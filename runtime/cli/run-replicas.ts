import { performance } from "node:perf_hooks";
import type { App, BoundSource } from "../app.ts";
import type { PollDeps } from "../engine/poll.ts";
import { sleep } from "../engine/scheduler.ts";
import type { Logger } from "../log.ts";
import { NO_EVENTS, type RunEvents } from "../observe/events.ts";
import type { ReplicasSpec } from "../spec.ts";
import { fencedStore } from "../state/fenced.ts";
import { newReplicaId, sourceSetFingerprint } from "../state/lease.ts";
import { type LeaseEvent, LeaseKeeper } from "../state/lease-keeper.ts";
import { replicaSettingProblems } from "../state/lease-settings.ts";
import { StateError, type StateStore } from "../state/store.ts";
import type { RunOptions } from "./run-options.ts";
import { UsageError } from "./usage.ts";

/** What the run loop schedules: a source and the dependencies its poll runs with. */
interface Polled {
  readonly source: BoundSource;
  readonly deps: PollDeps;
}

/**
 * `global.replicas` in `helr run`: a {@link LeaseKeeper} decides which sources this replica
 * polls, every checkpoint goes through the fenced store (which renews the lease first, so a
 * lease is renewed at least once a page), and a source whose lease ends has its poll aborted.
 */
export interface Replicas {
  /** The store the engine uses: fenced, renewing before each commit. */
  readonly store: StateStore;
  readonly keeper: LeaseKeeper;
  /**
   * The scheduler's poll, limited to held sources: it waits until this replica holds the
   * source (returns at once when `stop` aborts first), polls under a signal that aborts when
   * the lease ends and with the lease's token (`PollDeps.leaseToken`: a poll under a new lease
   * reloads the source's dedupe window, which another replica may have changed meanwhile), and
   * keeps the keeper from handing the source over mid-poll.
   */
  gate<P extends Polled, R>(poll: (p: P) => Promise<R>, stop: AbortSignal): (p: P) => Promise<R | undefined>;
  /**
   * For `/readyz` and the health JSON: false from a lease-store call that failed (a renewal, a
   * heartbeat) until the next one that succeeds. While false, every lease runs out by its local
   * deadline and its source stops.
   */
  storeReachable(): boolean;
  /** The source ids this replica holds now (sorted): the only ones it polls. */
  held(): readonly string[];
  /** Graceful shutdown, after every poll ended: releases the leases and leaves the membership. */
  close(): Promise<void>;
}

/**
 * Starts the keeper when `global.replicas.enabled`; undefined otherwise. Every change of a held
 * lease is published on `events` as `{type: "lease", sourceId, held}` (`helr_lease_held`).
 */
export function startReplicas(
  app: App,
  store: StateStore,
  selected: readonly BoundSource[],
  options: Pick<RunOptions, "once" | "replayDir">,
  log: Logger,
  stop: AbortSignal,
  events: RunEvents = NO_EVENTS,
): Replicas | undefined {
  const settings: ReplicasSpec | undefined = app.global.replicas;
  if (settings?.enabled !== true || options.replayDir !== undefined) return undefined;
  if (options.once) {
    throw new UsageError(
      "--once polls every source now, but with global.replicas each source belongs to the replica holding its lease; run without --once",
    );
  }
  checkSettings(app, settings, store, log);
  const sourceIds = selected.map((s) => s.spec.id);
  const leases = store.leases as NonNullable<StateStore["leases"]>;
  const busy = new Set<string>();
  const waiters = new Map<string, Set<() => void>>();
  const replicaId = newReplicaId();
  const keeper = new LeaseKeeper({
    leases,
    replicaId,
    sources: sourceIds,
    fingerprint: sourceSetFingerprint(app.sources.map((s) => s.spec.id)),
    ttlMs: settings.leaseTtlSecs * 1000,
    ...(settings.renewEverySecs === undefined ? {} : { renewEveryMs: settings.renewEverySecs * 1000 }),
    clock: () => performance.now(),
    sleep,
    mayRelease: (id) => !busy.has(id),
    onEvent: (event) => {
      logLeaseEvent(log, event);
      if (event.type === "acquired" || event.type === "released" || event.type === "lost") {
        events.publish({ type: "lease", sourceId: event.sourceId, held: event.type === "acquired" });
      }
      if (event.type === "acquired") for (const wake of waiters.get(event.sourceId) ?? []) wake();
    },
  });
  log.info({ replicaId, leaseTtlSecs: settings.leaseTtlSecs }, "replicas: sharing sources through leases");
  const closing = new AbortController();
  const stopped = keeper.run(AbortSignal.any([stop, closing.signal]));
  return {
    store: renewingStore(fencedStore(store, keeper), keeper),
    keeper,
    gate: (poll, stopGate) => async (p) => {
      const id = p.source.spec.id;
      const lease = await heldLease(keeper, waiters, id, stopGate);
      if (lease === undefined) return undefined;
      busy.add(id);
      try {
        return await poll({ ...p, deps: underLease(p.deps, lease) });
      } finally {
        busy.delete(id);
      }
    },
    storeReachable: () => keeper.snapshot().storeReachable,
    held: () => keeper.heldSources(),
    async close() {
      closing.abort();
      await stopped;
      await keeper.releaseAll();
      log.info({ replicaId }, "replicas: leases released");
    },
  };
}

/** Errors stop the run (HELR_STATE_CONFIG); warnings (TTL vs request timeout) are logged. */
function checkSettings(app: App, settings: ReplicasSpec, store: StateStore, log: Logger): void {
  const problems = replicaSettingProblems(settings, {
    backend: app.global.state.backend,
    sources: app.sources.map((s) => ({
      id: s.spec.id,
      requestTimeoutSecs: s.spec.resilience.timeouts.requestSecs,
    })),
  });
  const error = problems.find((p) => p.severity === "error");
  if (error !== undefined || store.leases === undefined) {
    const message = error?.message ?? `state backend ${store.backend} has no leases`;
    throw new StateError("HELR_STATE_CONFIG", `${error?.path ?? "global.replicas.enabled"}: ${message}`);
  }
  for (const p of problems) log.warn({ path: p.path }, p.message);
}

/** A lease this replica holds: aborted when it ends, and its token. */
interface HeldLease {
  readonly ended: AbortSignal;
  readonly token: number;
}

/**
 * The poll's requests and waits end when the lease does, and it carries the lease's token: a
 * poll under a new lease (this replica took the source, maybe back from another one that
 * committed meanwhile) reloads the source's in-memory state from the store.
 */
function underLease(deps: PollDeps, lease: HeldLease): PollDeps {
  const signal = deps.signal ? AbortSignal.any([deps.signal, lease.ended]) : lease.ended;
  const waitSignal = deps.waitSignal ? AbortSignal.any([deps.waitSignal, lease.ended]) : signal;
  return { ...deps, signal, waitSignal, leaseToken: lease.token };
}

/** Renews the lease before every checkpoint: a lease is renewed at least once per page. */
function renewingStore(store: StateStore, keeper: LeaseKeeper): StateStore {
  return {
    ...store,
    async commit(sourceId, changes) {
      await keeper.renew(sourceId);
      return store.commit(sourceId, changes);
    },
  };
}

/** The source's lease once this replica holds it; undefined when `stop` aborts first. */
async function heldLease(
  keeper: LeaseKeeper,
  waiters: Map<string, Set<() => void>>,
  sourceId: string,
  stop: AbortSignal,
): Promise<HeldLease | undefined> {
  while (!stop.aborted) {
    const ended = keeper.signalFor(sourceId);
    const token = keeper.tokenFor(sourceId);
    if (ended !== undefined && token !== undefined) return { ended, token };
    await new Promise<void>((resolve) => {
      const set = waiters.get(sourceId) ?? new Set();
      waiters.set(sourceId, set);
      const done = (): void => {
        set.delete(done);
        stop.removeEventListener("abort", done);
        resolve();
      };
      set.add(done);
      stop.addEventListener("abort", done, { once: true });
    });
  }
  return undefined;
}

function logLeaseEvent(log: Logger, event: LeaseEvent): void {
  switch (event.type) {
    case "renewed":
      return;
    case "acquired":
    case "released":
      log.info({ sourceId: event.sourceId, token: event.token }, `lease ${event.type}`);
      return;
    case "lost":
      log.warn(
        { sourceId: event.sourceId, token: event.token, reason: event.reason, code: "HELR_LEASE_LOST" },
        `lease lost (${event.reason}): this replica stops polling the source`,
      );
      return;
    case "unreachable":
      log.warn({ code: "HELR_STATE_CONNECT" }, `lease store unreachable: ${event.message}`);
      return;
    case "reachable":
      log.info("lease store reachable again");
      return;
    case "mismatch":
      log.warn({ replicaIds: event.replicaIds }, event.message);
  }
}
