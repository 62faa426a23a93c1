import type { ErrorCode } from "../errors/codes.ts";
import { HttpError, HttpStatusError } from "../http/errors.ts";

/** What a logical request went through before it failed, for messages and callers. */
export interface Tried {
  readonly sourceId: string;
  readonly attempts: number;
  readonly elapsedMs: number;
}

/** `HELR_CIRCUIT_OPEN`: the source's breaker refused the request without sending it. */
export class CircuitOpenError extends HttpError {
  constructor(
    readonly sourceId: string,
    /** When the breaker will admit a probe (epoch ms). */
    readonly retryAtMs: number,
    message: string,
  ) {
    super("HELR_CIRCUIT_OPEN", message);
  }
}

/** A retryable status that was still failing when attempts ran out (`HELR_HTTP_<status>`). */
export class RetriedStatusError extends HttpStatusError {
  constructor(
    status: number,
    readonly tried: Tried,
    message: string,
  ) {
    super(status, message);
  }
}

/** A transport failure or timeout (`HELR_HTTP_TRANSPORT`, `HELR_HTTP_TIMEOUT`) after every attempt. */
export class RetriedTransportError extends HttpError {
  constructor(
    code: ErrorCode,
    readonly tried: Tried,
    message: string,
    cause: unknown,
  ) {
    super(code, message, { cause });
  }
}

/** "after 3 attempts over 7.2 s" */
export function describeTried(attempts: number, elapsedMs: number): string {
  return `after ${attempts} attempt${attempts === 1 ? "" : "s"} over ${seconds(elapsedMs)}`;
}

/** A duration for people: `0.25 s`, `7.2 s`, `42 s`. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(s < 1 ? 2 : 1))} s`;
}
