/**
 * How sinks count their failures: an `output_error` run event (`helr_output_errors_total{source}`)
 * per source whose lines were in a failed write, batch or message. The decision (docs/output.md,
 * "Failures in the metrics"): every attempt that did not deliver counts — a retried HTTP batch or
 * NATS publish once per failed attempt, a permanent rejection once, a file or stdout write once
 * (its failure is sticky and stops the run). So the counter keeps rising while a receiver is down,
 * also in a continuous run that never gives up. Later writes refused because of an earlier sticky
 * failure are not counted again. Labels are source ids, never a URL.
 */
import type { RunEvents } from "../observe/events.ts";

/**
 * The label when the lines' source is not known (lines replayed from the disk buffer, a write
 * without block info). A source id cannot start with `_`, so it never collides with one.
 */
export const UNKNOWN_SOURCE_LABEL = "_output";

/** Publishes one `output_error` per distinct source in `sources` (the unknown label when none). */
export type CountFailure = (sources: Iterable<string> | string | undefined, code: string) => void;

/** A {@link CountFailure} on `events`; a no-op without a bus. */
export function failureCounter(events: RunEvents | undefined): CountFailure {
  if (events === undefined) return () => undefined;
  return (sources, code) => {
    const ids = new Set(typeof sources === "string" ? [sources] : (sources ?? []));
    if (ids.size === 0) ids.add(UNKNOWN_SOURCE_LABEL);
    for (const sourceId of ids) events.publish({ type: "output_error", sourceId, code });
  };
}
