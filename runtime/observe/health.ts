/**
 * The health of each source, kept from the run-event bus, for `/healthz`, `/readyz`, the REST API
 * and the status page. Rules (docs/operations/README.md):
 *
 * - `unhealthy`: the circuit is open, or the last {@link DEFAULT_UNHEALTHY_AFTER} polls all failed
 *   (the Rust Helr needs an open breaker, so a source without one never becomes unhealthy);
 * - `degraded`: the last poll failed, the current poll is backing off (a retry is pending), or the
 *   circuit is half-open;
 * - `ok` otherwise, including before the first poll.
 *
 * `last_error` is cleared by a successful poll (the Rust Helr keeps it forever, so one failure left
 * a source degraded for good); `last_error_at` stays.
 */
import type { BreakerPhase } from "../resilience/circuit-breaker.ts";
import { isBreakerFailure } from "../resilience/retry-policy.ts";
import type { RunEvent } from "./events.ts";
import { createMinuteRing, type MinuteRing } from "./minute-ring.ts";

export type HealthStatus = "ok" | "degraded" | "unhealthy";

/** Consecutive failed polls that make a source unhealthy when no option says otherwise. */
export const DEFAULT_UNHEALTHY_AFTER = 3;

/** A source's circuit breaker as the health endpoints show it. */
export interface BreakerView {
  readonly phase: BreakerPhase;
  /** Closed: failed requests since the last success. */
  readonly consecutiveFailures: number;
  /** Open: when the next probe may go (epoch ms), when known. */
  readonly openUntilMs?: number;
  /** Half-open: successful probes so far. */
  readonly probeSuccesses?: number;
}

/** The breaker of a source as its sender holds it; the engine passes one per source. */
export type BreakerProbe = (sourceId: string) => BreakerView | undefined;

export interface HealthOptions {
  /** Configured source ids; events of other ids (sinks) are not sources and are ignored. */
  readonly sources: readonly string[];
  /** Epoch ms. */
  readonly now: () => number;
  readonly unhealthyAfter?: number;
  /**
   * The exact breaker state (failure counts, open-until). Without it the model follows `breaker`
   * and `request` events: the phase is exact, the counts approximate the breaker's own.
   */
  readonly breakers?: BreakerProbe;
}

/** The last failed poll's error. */
export interface PollError {
  readonly code: string;
  readonly message: string;
  readonly atMs: number;
}

/** One source's health at one moment. */
export interface SourceHealth {
  readonly id: string;
  readonly status: HealthStatus;
  readonly circuit: BreakerView;
  /** The error of the last poll, when it failed; cleared by a successful poll. */
  readonly lastError?: PollError;
  /** When a poll last failed (epoch ms); kept after a success. */
  readonly lastErrorAtMs?: number;
  /** When a poll last succeeded (epoch ms). */
  readonly lastSuccessMs?: number;
  /** Polls failed in a row. */
  readonly consecutiveFailures: number;
  readonly polling: boolean;
  /** A retry is pending in the current poll. */
  readonly backingOff: boolean;
  /** Lines written in the last hour. */
  readonly eventsLastHour: number;
  /** Newest event time written so far (epoch ms), for ingest lag. */
  readonly newestEventMs?: number;
  /** Ingest lag (s) at the last poll end of each minute of the last hour, oldest first; null where no poll ended. */
  readonly lagHistory: readonly (number | null)[];
}

export interface HealthModel {
  /** Feeds one event (subscribe it to the bus: `events.subscribe(health.observe)`). */
  readonly observe: (event: RunEvent) => void;
  /** Every configured source, sorted by id. */
  sources(): SourceHealth[];
  source(id: string): SourceHealth | undefined;
  /**
   * After a reload: the model tracks exactly `ids` from now on. A source kept keeps its history;
   * a new one starts `ok` with a closed circuit; a removed one is forgotten.
   */
  track(ids: readonly string[]): void;
  /** The state store is open and the first schedule is set: `/startupz` answers `started: true`. */
  markStarted(): void;
  readonly started: boolean;
  /** Seconds since the model was created (the collector's start). */
  uptimeSecs(): number;
}

interface Tracked {
  consecutiveFailures: number;
  lastError: PollError | undefined;
  lastErrorAtMs: number | undefined;
  lastSuccessMs: number | undefined;
  polling: boolean;
  backingOff: boolean;
  breaker: { phase: BreakerPhase; failures: number; successes: number; openUntilMs: number | undefined };
  newestEventMs: number | undefined;
  readonly events: MinuteRing;
  readonly lag: MinuteRing;
}

/** A model of `options.sources`, all `ok` with a closed circuit. */
export function createHealth(options: HealthOptions): HealthModel {
  const unhealthyAfter = options.unhealthyAfter ?? DEFAULT_UNHEALTHY_AFTER;
  const createdMs = options.now();
  let tracked = new Map<string, Tracked>([...options.sources].sort().map((id) => [id, fresh()]));
  let started = false;
  const view = (id: string, t: Tracked): SourceHealth => {
    const now = options.now();
    const circuit = options.breakers?.(id) ?? eventBreaker(t);
    return {
      id,
      status: statusOf(t.consecutiveFailures, t.backingOff, circuit.phase, unhealthyAfter),
      circuit,
      ...(t.lastError ? { lastError: t.lastError } : {}),
      ...(t.lastErrorAtMs !== undefined ? { lastErrorAtMs: t.lastErrorAtMs } : {}),
      ...(t.lastSuccessMs !== undefined ? { lastSuccessMs: t.lastSuccessMs } : {}),
      consecutiveFailures: t.consecutiveFailures,
      polling: t.polling,
      backingOff: t.backingOff,
      eventsLastHour: t.events.sum(now),
      ...(t.newestEventMs !== undefined ? { newestEventMs: t.newestEventMs } : {}),
      lagHistory: t.lag.values(now).map((v) => v ?? null),
    };
  };
  return {
    observe: (event) => {
      if (event.type === "store_fallback") return;
      const t = tracked.get(event.sourceId);
      if (t) apply(t, event, options.now());
    },
    sources: () => [...tracked].map(([id, t]) => view(id, t)),
    source: (id) => {
      const t = tracked.get(id);
      return t && view(id, t);
    },
    track: (ids) => {
      tracked = new Map([...ids].sort().map((id) => [id, tracked.get(id) ?? fresh()]));
    },
    markStarted: () => {
      started = true;
    },
    get started() {
      return started;
    },
    uptimeSecs: () => (options.now() - createdMs) / 1000,
  };
}

/** The status rule, in one place (the property test checks it against whole histories). */
export function statusOf(
  consecutiveFailures: number,
  backingOff: boolean,
  phase: BreakerPhase,
  unhealthyAfter: number,
): HealthStatus {
  if (phase === "open" || consecutiveFailures >= unhealthyAfter) return "unhealthy";
  if (consecutiveFailures > 0 || backingOff || phase === "half_open") return "degraded";
  return "ok";
}

function fresh(): Tracked {
  return {
    consecutiveFailures: 0,
    lastError: undefined,
    lastErrorAtMs: undefined,
    lastSuccessMs: undefined,
    polling: false,
    backingOff: false,
    breaker: { phase: "closed", failures: 0, successes: 0, openUntilMs: undefined },
    newestEventMs: undefined,
    events: createMinuteRing(),
    lag: createMinuteRing(),
  };
}

function apply(t: Tracked, event: RunEvent, nowMs: number): void {
  switch (event.type) {
    case "poll_started":
      t.polling = true;
      t.backingOff = false;
      return;
    case "poll_ended":
      t.polling = false;
      t.backingOff = false;
      if (event.error) {
        t.consecutiveFailures++;
        t.lastError = { code: event.error.code, message: event.error.message, atMs: event.atMs };
        t.lastErrorAtMs = event.atMs;
      } else {
        t.consecutiveFailures = 0;
        t.lastError = undefined;
        t.lastSuccessMs = event.atMs;
      }
      if (t.newestEventMs !== undefined) t.lag.set(event.atMs, (event.atMs - t.newestEventMs) / 1000);
      return;
    case "retry":
      t.backingOff = true;
      return;
    case "written":
      t.events.add(nowMs, event.emitted);
      if (event.newestEventMs !== undefined) {
        t.newestEventMs = Math.max(t.newestEventMs ?? event.newestEventMs, event.newestEventMs);
      }
      return;
    case "breaker":
    case "breaker_reject":
    case "request":
      trackBreaker(t.breaker, event);
      return;
    default:
      return;
  }
}

/** Follows the breaker from events (used when no {@link BreakerProbe} is given). */
function trackBreaker(
  b: Tracked["breaker"],
  event: Extract<RunEvent, { type: "breaker" | "breaker_reject" | "request" }>,
): void {
  if (event.type === "breaker") {
    b.phase = event.to;
    b.failures = 0;
    b.successes = 0;
    if (event.to !== "open") b.openUntilMs = undefined;
  } else if (event.type === "breaker_reject") {
    if (b.phase === "open") b.openUntilMs = event.retryAtMs;
  } else {
    // The breaker's own rule, minus rate-limited 403s, which the event cannot tell apart.
    const failed = event.status === undefined || isBreakerFailure(event.status, false);
    if (b.phase === "closed") b.failures = failed ? b.failures + 1 : 0;
    else if (b.phase === "half_open" && !failed) b.successes++;
  }
}

function eventBreaker(t: Tracked): BreakerView {
  const b = t.breaker;
  return {
    phase: b.phase,
    consecutiveFailures: b.failures,
    ...(b.openUntilMs !== undefined ? { openUntilMs: b.openUntilMs } : {}),
    probeSuccesses: b.successes,
  };
}
