import type { BreakerPhase } from "./circuit-breaker.ts";

/** The logger the resilience layer writes to (a pino Logger fits). */
export interface ResilienceLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

/** What happened, for metrics and tests; every event is also logged. */
export type ResilienceEvent =
  | {
      readonly type: "retry";
      readonly sourceId: string;
      /** The attempt about to be made (2 = the first retry). */
      readonly attempt: number;
      readonly delayMs: number;
      readonly basis: "header" | "backoff";
      readonly reason: string;
      /** What failed: a retryable status, a timeout, or the network (metrics' retry reason). */
      readonly cause: RetryCause;
    }
  | RequestDone
  | {
      readonly type: "throttle";
      readonly sourceId: string;
      readonly waitMs: number;
      readonly cause: ThrottleCause;
    }
  | {
      readonly type: "adaptive";
      readonly sourceId: string;
      readonly waitMs: number;
      readonly remaining: number;
    }
  | {
      readonly type: "breaker";
      readonly sourceId: string;
      readonly from: BreakerPhase;
      readonly to: BreakerPhase;
      readonly reason: string;
    }
  | { readonly type: "breaker_reject"; readonly sourceId: string; readonly retryAtMs: number };

/** Why an attempt was retried. */
export type RetryCause = "status" | "timeout" | "network";

/** A logical request finished after its retries: a status, or the error code when none came. */
export interface RequestDone {
  readonly type: "request";
  readonly sourceId: string;
  /** The final HTTP status; absent when the request failed without a response. */
  readonly status?: number;
  /** `HELR_*` code when it failed without a response (timeout, transport, circuit open). */
  readonly code?: string;
  readonly durationMs: number;
}

/** Why a request waited before going out. */
export type ThrottleCause = "rate_limit_block" | "token_bucket" | "page_delay";
