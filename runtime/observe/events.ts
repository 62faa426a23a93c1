/**
 * What a running collector reports about itself: one vocabulary for metrics, health, the status
 * page and the terminal progress line. The engine, the resilient sender and the sinks publish
 * events on a {@link RunEvents} bus; observers subscribe. Events carry source ids and numbers,
 * never URLs, user values or secrets (metric labels are built from them).
 */
import type { ResilienceEvent } from "../resilience/events.ts";

export type { RequestDone } from "../resilience/events.ts";

/** A poll of one source began. */
export interface PollStarted {
  readonly type: "poll_started";
  readonly sourceId: string;
  /** Epoch ms. */
  readonly atMs: number;
}

/** A poll ended: `error` is set when it failed (its stable code and message). */
export interface PollEnded {
  readonly type: "poll_ended";
  readonly sourceId: string;
  readonly atMs: number;
  readonly durationMs: number;
  readonly pages: number;
  readonly events: number;
  readonly stopReason?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** A page's response was received and its events extracted. */
export interface PageReceived {
  readonly type: "page";
  readonly sourceId: string;
  readonly bytes: number;
  /** Events in the response, before filters and dedupe. */
  readonly received: number;
}

/** A page's lines were handed to the sink. */
export interface PageWritten {
  readonly type: "written";
  readonly sourceId: string;
  readonly emitted: number;
  readonly filtered: number;
  readonly duplicates: number;
  /** Lines dropped for `max_line_bytes`. */
  readonly oversized: number;
  /** Newest event time among the lines written (epoch ms), for ingest lag; absent when none had one. */
  readonly newestEventMs?: number;
}

/** A checkpoint was committed (after the sink's flush). */
export interface Checkpointed {
  readonly type: "checkpoint";
  readonly sourceId: string;
  /** Flush plus commit. */
  readonly durationMs: number;
  readonly atMs: number;
  /** The committed high-water mark's time (epoch ms), when the source keeps a time watermark. */
  readonly watermarkMs?: number;
}

/**
 * The output failed for a source's lines: a failed write or fsync (broken pipe, disk full), a
 * failed attempt of a network sink's batch or message (retried or not), a permanent rejection
 * (runtime/output/output-failures.ts).
 */
export interface OutputFailed {
  readonly type: "output_error";
  /** The source whose lines were affected, or `_output` when that is not known. */
  readonly sourceId: string;
  readonly code: string;
}

/** Events deliberately dropped (backpressure `drop`, `max_queue_age`). */
export interface EventsDropped {
  readonly type: "dropped";
  readonly sourceId: string;
  readonly reason: "backpressure" | "max_queue_age";
  readonly count: number;
}

/** Events of a source waiting in an output queue right now. */
export interface PendingEvents {
  readonly type: "pending";
  readonly sourceId: string;
  readonly count: number;
}

/** A scheduled poll was not run: load shedding while backpressure is active. */
export interface PollSkipped {
  readonly type: "poll_skipped";
  readonly sourceId: string;
  readonly reason: "load_shedding";
}

/** With `global.replicas`: this replica took a source's lease (`held`) or stopped holding it. */
export interface LeaseChanged {
  readonly type: "lease";
  readonly sourceId: string;
  readonly held: boolean;
}

/**
 * The state store's memory fallback became active or ended (`degradation.state_store_fallback`).
 * A process-wide event: it names no source.
 */
export interface StoreFallback {
  readonly type: "store_fallback";
  readonly active: boolean;
}

/** An event about one source (every run event but {@link StoreFallback}). */
export type SourceEvent = Exclude<RunEvent, StoreFallback>;

export type RunEvent =
  | ResilienceEvent
  | PollStarted
  | PollEnded
  | PageReceived
  | PageWritten
  | Checkpointed
  | OutputFailed
  | EventsDropped
  | PendingEvents
  | PollSkipped
  | LeaseChanged
  | StoreFallback;

/** A fan-out of run events. Publishing never throws: a failing observer is isolated. */
export interface RunEvents {
  publish(event: RunEvent): void;
  /** Adds an observer; returns a function that removes it. */
  subscribe(observer: (event: RunEvent) => void): () => void;
}

/** A bus with no observers yet. */
export function createRunEvents(onObserverError?: (error: unknown) => void): RunEvents {
  const observers = new Set<(event: RunEvent) => void>();
  return {
    publish(event) {
      for (const observer of observers) {
        try {
          observer(event);
        } catch (error) {
          onObserverError?.(error);
        }
      }
    },
    subscribe(observer) {
      observers.add(observer);
      return () => observers.delete(observer);
    },
  };
}

/** A bus that drops everything (tests, `helr test`). */
export const NO_EVENTS: RunEvents = { publish: () => undefined, subscribe: () => () => undefined };
