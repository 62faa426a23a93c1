/**
 * How a network sink retries what the receiver did not acknowledge. The policy is pure (delays,
 * when to give up); {@link deliverWithRetries} runs it with an injected sleep and random source.
 *
 * The decision (docs/output.md): a retryable failure (transport, timeout, 408, 429, 5xx; for
 * NATS a timeout or a lost connection) is retried
 * - **without limit while the run is continuous**: the batch stays unacknowledged, `flush()` does
 *   not resolve, so the engine neither checkpoints nor writes more than the sink's buffer —
 *   polling pauses and nothing is dropped. After `maxRetries` the sink reports itself as failing
 *   (one error log, then a warning per attempt) and keeps trying;
 * - **up to `maxRetries` when bounded**: in `run --once`, and from the moment shutdown (or
 *   `close()`) begins. Then the batch fails, the failure is sticky, and the run exits non-zero
 *   with state not advanced past it.
 * A permanent failure (another 4xx, a rejected message) is never retried.
 */
import type { Logger } from "../log.ts";
import { backoffMs } from "../resilience/backoff.ts";
import type { DeliveryRetrySpec, RetrySpec } from "../spec.ts";

/** The logger methods a network sink reports with (pino's). */
export type SinkLog = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** What one attempt came to. */
export type AttemptOutcome =
  | { readonly kind: "acked" }
  | {
      readonly kind: "retry";
      /** For logs and the final error: `HTTP 503`, `ECONNREFUSED …`. Never a credential. */
      readonly reason: string;
      /** What the receiver asked for (`Retry-After`), in ms. */
      readonly retryAfterMs?: number;
    }
  | { readonly kind: "permanent"; readonly error: Error };

/**
 * The wait before retry number `retry` (1 = the first): the receiver's `Retry-After` when it
 * sent one (capped at `maxRetryAfterSecs`), else exponential backoff with jitter.
 */
export function retryDelayMs(
  spec: DeliveryRetrySpec,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), spec.maxRetryAfterSecs * 1000);
  return backoffMs(asRetrySpec(spec), retry, random);
}

/** Whether another attempt may follow `retriesDone` retries: always, unless bounded and used up. */
export function mayRetry(spec: DeliveryRetrySpec, retriesDone: number, bounded: boolean): boolean {
  return !bounded || retriesDone < spec.maxRetries;
}

function asRetrySpec(spec: DeliveryRetrySpec): RetrySpec {
  return {
    maxAttempts: spec.maxRetries + 1,
    initialBackoffSecs: spec.initialBackoffSecs,
    maxBackoffSecs: spec.maxBackoffSecs,
    multiplier: spec.multiplier,
    jitter: spec.jitter,
    retryableStatusCodes: [],
  };
}

/** Resolves after `ms`, or early when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The timer sleep. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** How {@link deliverWithRetries} waits and when it gives up. */
export interface RetryRun {
  readonly spec: DeliveryRetrySpec;
  /** Read before every retry: true in `--once` and once shutdown began. */
  bounded(): boolean;
  /** Aborts when the run becomes bounded, so a wait of an exhausted batch ends at once. */
  readonly wake: AbortSignal;
  readonly sleep: Sleep;
  readonly random: () => number;
  /** Called once per batch when it has used `maxRetries` and is retried anyway (continuous runs). */
  onFailing?(retries: number, reason: string): void;
  /** Called for every retry after that. */
  onStillFailing?(retries: number, reason: string): void;
}

/** The end of a delivery: acknowledged, or given up with the last reason and attempt count. */
export type DeliveryResult =
  | { readonly kind: "acked"; readonly retries: number }
  | { readonly kind: "gave_up"; readonly reason: string; readonly attempts: number };

/**
 * Runs `attempt` until it is acknowledged; retries retryable failures per {@link mayRetry} with
 * {@link retryDelayMs} between them. A permanent failure is thrown as it came.
 */
export async function deliverWithRetries(
  attempt: () => Promise<AttemptOutcome>,
  run: RetryRun,
): Promise<DeliveryResult> {
  for (let retries = 0; ; retries++) {
    const outcome = await attempt();
    if (outcome.kind === "acked") return { kind: "acked", retries };
    if (outcome.kind === "permanent") throw outcome.error;
    if (!mayRetry(run.spec, retries, run.bounded()))
      return { kind: "gave_up", reason: outcome.reason, attempts: retries + 1 };
    if (retries === run.spec.maxRetries) run.onFailing?.(retries, outcome.reason);
    else if (retries > run.spec.maxRetries) run.onStillFailing?.(retries, outcome.reason);
    const delay = retryDelayMs(run.spec, retries + 1, outcome.retryAfterMs, run.random);
    // Once bounded, waits are not cut short any more (else a woken loop would spin).
    await run.sleep(delay, run.bounded() ? undefined : run.wake);
  }
}

/** How often a sink that stays down says so again. */
const STILL_FAILING_EVERY_MS = 60_000;

/** The sink-level view of many deliveries: failing (reported once), still failing, recovered. */
export interface FailureReport {
  onFailing(retries: number, reason: string): void;
  onStillFailing(retries: number, reason: string): void;
  /** A delivery was acknowledged: a failing sink has recovered. */
  acked(): void;
}

/**
 * Reports a sink as failing once (error) when a delivery has used `maxRetries`, then at most once a
 * minute while any delivery keeps failing (warn), and once when one is acknowledged again (info)
 * — however many batches or messages are retrying at the same time.
 */
export function failureReport(
  display: string,
  log: SinkLog | undefined,
  now: () => number = Date.now,
): FailureReport {
  let failing = false;
  let lastWarnMs = 0;
  return {
    onFailing(retries, reason) {
      if (failing) return;
      failing = true;
      lastWarnMs = now();
      log?.error(
        { sink: display, retries, reason },
        `output ${display}: not acknowledged after ${retries} retries (${reason}); still retrying, ` +
          "polling is paused until the receiver accepts it",
      );
    },
    onStillFailing(retries, reason) {
      if (now() - lastWarnMs < STILL_FAILING_EVERY_MS) return;
      lastWarnMs = now();
      log?.warn({ sink: display, retries, reason }, `output ${display}: still failing (${reason})`);
    },
    acked() {
      if (!failing) return;
      failing = false;
      log?.info({ sink: display }, `output ${display}: recovered`);
    },
  };
}
