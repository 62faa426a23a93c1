import type { CircuitBreakerSpec } from "../spec.ts";

export type BreakerPhase = "closed" | "open" | "half_open";

/**
 * Breaker state; immutable, advanced only by {@link breakerAllow} and {@link breakerRecord}.
 * `generation` changes on every transition, so an outcome of a request admitted before a
 * transition is ignored instead of being counted against the new phase.
 */
export interface BreakerState {
  readonly phase: BreakerPhase;
  readonly generation: number;
  /** Closed: failures since the last success. */
  readonly consecutiveFailures: number;
  /** Closed: the last `minimumRequests` outcomes, oldest first (true = failure). */
  readonly window: readonly boolean[];
  /** Open: when the next probe may go (epoch ms). */
  readonly openUntilMs: number;
  /** Half-open: the one probe is out. */
  readonly probeInFlight: boolean;
  /** Half-open: successful probes so far. */
  readonly probeSuccesses: number;
  /** Why the circuit last opened, for messages. */
  readonly openReason?: string;
}

/** A ticket for one admitted request; hand it back to {@link breakerRecord}. */
export interface BreakerPermit {
  readonly generation: number;
  readonly probe: boolean;
}

export type BreakerOutcome = "success" | "failure" | "cancel";

/** A phase change, for logs and events. */
export interface BreakerTransition {
  readonly from: BreakerPhase;
  readonly to: BreakerPhase;
  readonly reason: string;
}

export type AllowResult =
  | {
      readonly allowed: true;
      readonly state: BreakerState;
      readonly permit: BreakerPermit;
      readonly transition?: BreakerTransition;
    }
  | {
      readonly allowed: false;
      readonly state: BreakerState;
      readonly retryAtMs: number;
      readonly reason: "open" | "probe_in_flight";
    };

export interface RecordResult {
  readonly state: BreakerState;
  readonly transition?: BreakerTransition;
}

/** A closed breaker with no history. */
export function initialBreaker(): BreakerState {
  return {
    phase: "closed",
    generation: 0,
    consecutiveFailures: 0,
    window: [],
    openUntilMs: 0,
    probeInFlight: false,
    probeSuccesses: 0,
  };
}

/** How long the circuit stays open: min(halfOpenTimeoutSecs, resetTimeoutSecs), in ms. */
export function openDurationMs(spec: CircuitBreakerSpec): number {
  const secs = Math.min(spec.halfOpenTimeoutSecs, spec.resetTimeoutSecs ?? Number.POSITIVE_INFINITY);
  return Math.max(0, secs) * 1000;
}

/**
 * Asks to send one request at `nowMs`. Closed: yes. Open: no, until `openUntilMs`, when the
 * breaker goes half-open and this request becomes the probe. Half-open: only while no probe is
 * out — exactly one probe at a time. A disabled breaker always admits.
 */
export function breakerAllow(spec: CircuitBreakerSpec, state: BreakerState, nowMs: number): AllowResult {
  if (!spec.enabled || state.phase === "closed") {
    return { allowed: true, state, permit: { generation: state.generation, probe: false } };
  }
  if (state.phase === "open") {
    if (nowMs < state.openUntilMs) {
      return { allowed: false, state, retryAtMs: state.openUntilMs, reason: "open" };
    }
    const next: BreakerState = {
      ...state,
      phase: "half_open",
      generation: state.generation + 1,
      probeInFlight: true,
      probeSuccesses: 0,
    };
    return {
      allowed: true,
      state: next,
      permit: { generation: next.generation, probe: true },
      transition: { from: "open", to: "half_open", reason: "open timeout elapsed; sending one probe" },
    };
  }
  if (state.probeInFlight) return { allowed: false, state, retryAtMs: nowMs, reason: "probe_in_flight" };
  return {
    allowed: true,
    state: { ...state, probeInFlight: true },
    permit: { generation: state.generation, probe: true },
  };
}

/** Records the outcome of an admitted request (one per logical request, after its retries). */
export function breakerRecord(
  spec: CircuitBreakerSpec,
  state: BreakerState,
  permit: BreakerPermit,
  outcome: BreakerOutcome,
  nowMs: number,
): RecordResult {
  if (!spec.enabled || permit.generation !== state.generation) return { state };
  if (state.phase === "half_open") return recordProbe(spec, state, outcome, nowMs);
  if (state.phase !== "closed" || outcome === "cancel") return { state };
  const failed = outcome === "failure";
  const size = Math.max(1, spec.minimumRequests ?? 1);
  const window = [...state.window, failed].slice(-size);
  const consecutiveFailures = failed ? state.consecutiveFailures + 1 : 0;
  const next: BreakerState = { ...state, window, consecutiveFailures };
  if (!failed) return { state: next };
  const reason = openReason(spec, next);
  return reason === undefined ? { state: next } : open(spec, next, nowMs, reason);
}

function openReason(spec: CircuitBreakerSpec, state: BreakerState): string | undefined {
  if (state.consecutiveFailures >= Math.max(1, spec.failureThreshold)) {
    return `${state.consecutiveFailures} consecutive failures`;
  }
  const rate = spec.failureRateThreshold;
  const minimum = spec.minimumRequests;
  if (rate === undefined || minimum === undefined || state.window.length < Math.max(1, minimum))
    return undefined;
  const failures = state.window.filter(Boolean).length;
  if (failures / state.window.length < rate) return undefined;
  return `${failures} of the last ${state.window.length} requests failed`;
}

function recordProbe(
  spec: CircuitBreakerSpec,
  state: BreakerState,
  outcome: BreakerOutcome,
  nowMs: number,
): RecordResult {
  if (!state.probeInFlight) return { state };
  if (outcome === "cancel") return { state: { ...state, probeInFlight: false } };
  if (outcome === "failure") return open(spec, state, nowMs, "probe failed");
  const probeSuccesses = state.probeSuccesses + 1;
  if (probeSuccesses < Math.max(1, spec.successThreshold)) {
    return { state: { ...state, probeInFlight: false, probeSuccesses } };
  }
  return {
    state: { ...initialBreaker(), generation: state.generation + 1 },
    transition: { from: "half_open", to: "closed", reason: `${probeSuccesses} successful probes` },
  };
}

function open(spec: CircuitBreakerSpec, state: BreakerState, nowMs: number, reason: string): RecordResult {
  return {
    state: {
      phase: "open",
      generation: state.generation + 1,
      consecutiveFailures: state.consecutiveFailures,
      window: [],
      openUntilMs: nowMs + openDurationMs(spec),
      probeInFlight: false,
      probeSuccesses: 0,
      openReason: reason,
    },
    transition: { from: state.phase, to: "open", reason },
  };
}
