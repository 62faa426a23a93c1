/**
 * What a failed JetStream publish means: retry (no ack in time, the connection is down or
 * reconnecting, no stream answered for a moment, a 503 from the API), or permanent (the message
 * is too large, the account may not publish there, the stream refused it). The nats.js error
 * classes all set `name`, which is what this reads.
 */
import type { AttemptOutcome } from "./delivery-retry.ts";
import { OutputError } from "./sink.ts";

const RETRYABLE = new Set([
  "TimeoutError",
  "ConnectionError",
  "RequestError",
  "NoRespondersError",
  "JetStreamNotEnabled",
  "AuthorizationError",
  "UserAuthenticationExpiredError",
]);

/** The outcome of a publish that threw `error`. */
export function publishOutcome(
  error: unknown,
  target: { readonly display: string; readonly subject: string },
  timeoutMs: number,
): AttemptOutcome {
  const err = error as Error & { status?: number };
  const name = err.name ?? "";
  if (name === "TimeoutError") return { kind: "retry", reason: `no ack within ${timeoutMs / 1000} s` };
  if (name === "JetStreamNotEnabled" || name === "NoRespondersError") {
    return { kind: "retry", reason: `no stream answered for subject "${target.subject}" (no responders)` };
  }
  if (RETRYABLE.has(name)) return { kind: "retry", reason: `${name}: ${err.message}` };
  if (name === "JetStreamApiError" && err.status === 503) {
    return { kind: "retry", reason: `JetStream unavailable: ${err.message}` };
  }
  return { kind: "permanent", error: permanent(err, target) };
}

function permanent(err: Error, target: { readonly display: string; readonly subject: string }): OutputError {
  const where = `output ${target.display}`;
  if (/max_payload/i.test(err.message)) {
    return new OutputError(
      "HELR_OUTPUT_NATS_REJECTED",
      `${where}: a line is larger than the server's max_payload (${err.message}); raise max_payload or ` +
        "limit lines with max_line_bytes",
    );
  }
  if (err.name === "PermissionViolationError") {
    return new OutputError(
      "HELR_OUTPUT_NATS_REJECTED",
      `${where}: the account may not publish to "${target.subject}" (${err.message}); fix its permissions`,
    );
  }
  return new OutputError(
    "HELR_OUTPUT_NATS_REJECTED",
    `${where}: the stream rejected a message (${err.name}: ${err.message}); state is not advanced past it`,
  );
}
