import type { HttpRequest, HttpResponse, HttpSend } from "../http/client.ts";
import { redactUrl } from "../http/redact.ts";
import type { SourceSpec } from "../spec.ts";
import { type AttemptContext, runAttempts } from "./attempts.ts";
import { type BudgetRegistry, createBudgetRegistry } from "./budget.ts";
import {
  type BreakerOutcome,
  type BreakerPermit,
  type BreakerPhase,
  type BreakerTransition,
  breakerAllow,
  breakerRecord,
  initialBreaker,
} from "./circuit-breaker.ts";
import { CircuitOpenError, seconds } from "./errors.ts";
import type { ResilienceEvent, ResilienceLog } from "./events.ts";
import { createSemaphore } from "./semaphore.ts";

export type { ResilienceEvent, ResilienceLog } from "./events.ts";

/** What {@link createSourceHttp} needs from the outside world; tests pass fakes. */
export interface SourceHttpDeps {
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Uniform in [0, 1); drives jitter. */
  readonly random: () => number;
  /** Resolves after `ms`, or early when `signal` aborts (the engine's `sleep` fits). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly log: ResilienceLog;
  readonly onEvent?: (event: ResilienceEvent) => void;
  /** Rate budgets shared across sources (by `budgetKey`); default: a private registry. */
  readonly budgets?: BudgetRegistry;
}

/** The breaker as logs, `test` summaries and health endpoints show it. */
export interface BreakerSnapshot {
  readonly phase: BreakerPhase;
  readonly consecutiveFailures: number;
  /** Failures among the outcomes in the failure-rate window. */
  readonly windowFailures: number;
  readonly windowSize: number;
  /** While open: when the next probe may go (ISO 8601). */
  readonly nextProbeAt?: string;
  readonly probeInFlight: boolean;
  readonly openReason?: string;
}

/** Counters since the sender was created (across polls). */
export interface SourceHttpStats {
  /** Logical requests (calls to `send`). */
  requests: number;
  /** Requests actually sent, retries included. */
  attempts: number;
  retries: number;
  /** Logical requests that ended in an error. */
  failures: number;
  /** Rate-limited responses seen (429, 503 with Retry-After, rate-limited 403). */
  rateLimited: number;
  /** Time spent waiting for rate budgets, tokens and page delays. */
  throttledMs: number;
  breakerRejections: number;
  breakerOpens: number;
}

/** A source's resilient sender; keep one per source for the life of the process. */
export interface SourceHttp {
  readonly send: HttpSend;
  breakerState(): BreakerSnapshot;
  stats(): SourceHttpStats;
}

/**
 * Wraps a source's `base` sender with its resilience policy, in this order per logical request:
 * circuit breaker (fail fast, `HELR_CIRCUIT_OPEN`), bulkhead (`maxConcurrentRequests`), then per
 * attempt: rate budget (header blocks and the token bucket, shared by `budgetKey`), page delay
 * (first attempt only), send. Rate-limit headers are read before any retry decision: a 429 waits
 * what Retry-After or the reset header says (capped), other retryable failures back off
 * exponentially; `maxAttempts` counts every attempt. The breaker records one outcome per logical
 * request. Non-retryable responses (2xx, most 4xx) come back as they are; exhausted retries
 * throw `HELR_HTTP_<status>`, `HELR_HTTP_TRANSPORT` or `HELR_HTTP_TIMEOUT`.
 *
 * Construction is cheap (no I/O, no timers). Breaker, bulkhead, bucket and counters live in the
 * returned object, so they survive across polls.
 */
export function createSourceHttp(spec: SourceSpec, base: HttpSend, deps: SourceHttpDeps): SourceHttp {
  const resilience = spec.resilience;
  const budgets = deps.budgets ?? createBudgetRegistry();
  const stats: SourceHttpStats = {
    requests: 0,
    attempts: 0,
    retries: 0,
    failures: 0,
    rateLimited: 0,
    throttledMs: 0,
    breakerRejections: 0,
    breakerOpens: 0,
  };
  const ctx: AttemptContext = {
    spec,
    base,
    deps,
    stats,
    budget: budgets.get(resilience.rateLimit.budgetKey ?? `source:${spec.id}`, resilience.rateLimit),
    lastEndMs: undefined,
  };
  const bulkhead = createSemaphore(resilience.maxConcurrentRequests);
  const idle = new AbortController().signal;
  let breaker = initialBreaker();

  const transition = (t: BreakerTransition): void => {
    if (t.to === "open") stats.breakerOpens++;
    deps.onEvent?.({ type: "breaker", sourceId: spec.id, from: t.from, to: t.to, reason: t.reason });
    const fields = { sourceId: spec.id, breaker: t.to, from: t.from, reason: t.reason };
    if (t.to === "open") {
      const inMs = breaker.openUntilMs - deps.now();
      deps.log.warn(
        { ...fields, nextProbeAt: new Date(breaker.openUntilMs).toISOString() },
        `circuit ${t.from === "half_open" ? "re-opened" : "opened"} (${t.reason}): requests fail fast for ${seconds(inMs)}, then one probe`,
      );
    } else if (t.to === "half_open") deps.log.info(fields, "circuit half-open: sending one probe request");
    else deps.log.info(fields, `circuit closed after ${t.reason}`);
  };

  const admit = (req: HttpRequest): BreakerPermit => {
    const now = deps.now();
    const result = breakerAllow(resilience.circuitBreaker, breaker, now);
    breaker = result.state;
    if (result.allowed) {
      if (result.transition) transition(result.transition);
      return result.permit;
    }
    stats.breakerRejections++;
    deps.onEvent?.({ type: "breaker_reject", sourceId: spec.id, retryAtMs: result.retryAtMs });
    throw new CircuitOpenError(
      spec.id,
      result.retryAtMs,
      rejection(spec.id, req, result, now, breaker.openReason),
    );
  };

  const finish = (permit: BreakerPermit, outcome: BreakerOutcome): void => {
    const result = breakerRecord(resilience.circuitBreaker, breaker, permit, outcome, deps.now());
    breaker = result.state;
    if (result.transition) transition(result.transition);
  };

  const send: HttpSend = async (req): Promise<HttpResponse> => {
    const started = deps.now();
    try {
      const response = await sendLogical(req);
      done({ status: response.status }, started);
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const code = (error as { code?: unknown }).code;
      // A request cut short by shutdown is not an outcome of the API.
      if (code !== "HELR_HTTP_ABORTED")
        done(
          {
            ...(typeof status === "number" ? { status } : {}),
            ...(typeof code === "string" ? { code } : {}),
          },
          started,
        );
      throw error;
    }
  };

  /** One `request` event per logical request, for metrics (never the URL). */
  const done = (outcome: { status?: number; code?: string }, started: number): void => {
    deps.onEvent?.({ type: "request", sourceId: spec.id, ...outcome, durationMs: deps.now() - started });
  };

  const sendLogical: HttpSend = async (req): Promise<HttpResponse> => {
    stats.requests++;
    const permit = admit(req);
    const signal = req.signal ?? idle;
    let release: () => void;
    try {
      release = await bulkhead.acquire(signal);
    } catch (error) {
      finish(permit, "cancel");
      throw error;
    }
    let result: Awaited<ReturnType<typeof runAttempts>>;
    try {
      result = await runAttempts(ctx, req, signal);
    } catch (error) {
      finish(permit, "cancel");
      throw error;
    } finally {
      release();
      ctx.lastEndMs = deps.now();
    }
    finish(permit, result.outcome);
    if ("error" in result) {
      stats.failures++;
      throw result.error;
    }
    return result.response;
  };

  return {
    send,
    breakerState: () => snapshot(breaker),
    stats: () => ({ ...stats }),
  };
}

function rejection(
  sourceId: string,
  req: HttpRequest,
  result: { readonly retryAtMs: number; readonly reason: "open" | "probe_in_flight" },
  nowMs: number,
  openReason: string | undefined,
): string {
  const target = `${req.method} ${redactUrl(req.url, req.secrets ?? [])} not sent`;
  if (result.reason === "probe_in_flight") {
    return `source "${sourceId}": circuit half-open and its one probe request is still in flight; ${target}`;
  }
  const when = `${new Date(result.retryAtMs).toISOString()} (in ${seconds(result.retryAtMs - nowMs)})`;
  return `source "${sourceId}": circuit open${openReason ? ` (${openReason})` : ""}; ${target}; next probe at ${when}`;
}

function snapshot(state: ReturnType<typeof initialBreaker>): BreakerSnapshot {
  return {
    phase: state.phase,
    consecutiveFailures: state.consecutiveFailures,
    windowFailures: state.window.filter(Boolean).length,
    windowSize: state.window.length,
    probeInFlight: state.probeInFlight,
    ...(state.phase === "open" ? { nextProbeAt: new Date(state.openUntilMs).toISOString() } : {}),
    ...(state.openReason !== undefined && state.phase !== "closed" ? { openReason: state.openReason } : {}),
  };
}
