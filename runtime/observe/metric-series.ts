/**
 * Every series the collector exports, on a registry of its own (never prom-client's global one,
 * so two collectors in one process, or a test, never mix). The first eight keep the Rust Helr's
 * names, types and labels (helr.md §5.4); the others are what operators alert on and no peer
 * exports. docs/operations/metrics.md describes each; a test keeps the two in step.
 *
 * Label values are bounded: source ids (from the config), status classes and fixed reasons.
 * No label carries a URL, a user value or a secret.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** `helr_requests_total{status}`: the Rust Helr's classes; `error` = no response at all. */
export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "other", "error"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** `helr_events_dropped_total{reason}`: the Rust Helr's two plus lines over `max_line_bytes`. */
export const DROP_REASONS = ["backpressure", "max_queue_age", "max_line_bytes"] as const;
/** `helr_retries_total{reason}`. */
export const RETRY_REASONS = ["status", "timeout", "network"] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];
/** `helr_rate_limit_wait_seconds_total{cause}`: the throttle causes of the resilient sender. */
export const WAIT_CAUSES = ["rate_limit_block", "token_bucket", "page_delay"] as const;
/** `helr_polls_skipped_total{reason}`: load shedding while backpressure is active. */
export const SKIP_REASONS = ["load_shedding"] as const;
/** `helr_polls_total{outcome}`. */
export const POLL_OUTCOMES = ["ok", "error"] as const;

/** 0.05 s × 2^k, k = 0..9 (0.05 s to 25.6 s), as the Rust Helr. */
export const REQUEST_DURATION_BUCKETS: readonly number[] = Array.from(
  { length: 10 },
  (_, k) => 0.05 * 2 ** k,
);
/** 0.1 s × 2^k, k = 0..12 (0.1 s to about 7 min): a backfill poll runs long. */
export const POLL_DURATION_BUCKETS: readonly number[] = Array.from({ length: 13 }, (_, k) => 0.1 * 2 ** k);
/** 1 ms × 2^k, k = 0..13 (1 ms to about 8 s): flush plus commit. */
export const CHECKPOINT_DURATION_BUCKETS: readonly number[] = Array.from(
  { length: 14 },
  (_, k) => 0.001 * 2 ** k,
);

/** What the scrape-time gauges read: the last values seen per source label. */
export interface Stamps {
  /** Newest event time written (epoch ms). */
  newestEventMs?: number;
  /** The last committed time watermark (epoch ms). */
  watermarkMs?: number;
  /** When the last checkpoint was committed (epoch ms). */
  checkpointMs?: number;
}

/** Inputs of the gauges computed at scrape time. */
export interface ScrapeInputs {
  /** Epoch ms. */
  readonly now: () => number;
  readonly stamps: ReadonlyMap<string, Stamps>;
}

/** The series, by role. */
export type Series = ReturnType<typeof defineSeries>;

/** Registers every series on `registry`. */
export function defineSeries(registry: Registry, scrape: ScrapeInputs) {
  const registers = [registry];
  const source = ["source"] as const;
  const age = (name: string, help: string, pick: (s: Stamps) => number | undefined): Gauge<"source"> => {
    const gauge: Gauge<"source"> = new Gauge({
      name,
      help,
      labelNames: source,
      registers,
      // Computed when scraped, so the value keeps growing while a source stalls.
      collect: () => {
        gauge.reset();
        const now = scrape.now();
        for (const [label, stamps] of scrape.stamps) {
          const at = pick(stamps);
          if (at !== undefined) gauge.set({ source: label }, (now - at) / 1000);
        }
      },
    });
    return gauge;
  };
  return {
    // The Rust Helr's series.
    requests: new Counter({
      name: "helr_requests_total",
      help: "Logical HTTP requests (after retries) by status class: 2xx, 3xx, 4xx, 5xx, other, or error (no response).",
      labelNames: ["source", "status"] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: "helr_request_duration_seconds",
      help: "Duration of logical HTTP requests, retries and their waits included.",
      labelNames: source,
      buckets: [...REQUEST_DURATION_BUCKETS],
      registers,
    }),
    emitted: new Counter({
      name: "helr_events_emitted_total",
      help: "NDJSON lines written (after filters and dedupe).",
      labelNames: source,
      registers,
    }),
    errors: new Counter({
      name: "helr_errors_total",
      help: "Failed polls, counted once each.",
      labelNames: source,
      registers,
    }),
    errorsRust: new Counter({
      name: "hel_errors_total",
      help: "Deprecated alias of helr_errors_total under the Rust Helr's misspelt name (same value; counted once per failed poll).",
      labelNames: source,
      registers,
    }),
    outputErrors: new Counter({
      name: "helr_output_errors_total",
      help: "Output failures (write errors, sink rejections) by source, or by sink name when no source is involved.",
      labelNames: source,
      registers,
    }),
    dropped: new Counter({
      name: "helr_events_dropped_total",
      help: "Events dropped on purpose: backpressure, max_queue_age, or lines over max_line_bytes.",
      labelNames: ["source", "reason"] as const,
      registers,
    }),
    pending: new Gauge({
      name: "helr_pending_events",
      help: "Events waiting in an output queue.",
      labelNames: source,
      registers,
    }),
    breaker: new Gauge({
      name: "helr_circuit_breaker_state",
      help: "Circuit breaker state: 0 closed, 1 open, 2 half_open.",
      labelNames: source,
      registers,
    }),
    // What operators alert on.
    polls: new Counter({
      name: "helr_polls_total",
      help: "Polls ended, by outcome (ok or error).",
      labelNames: ["source", "outcome"] as const,
      registers,
    }),
    pollDuration: new Histogram({
      name: "helr_poll_duration_seconds",
      help: "Duration of polls, from the first request to the last checkpoint.",
      labelNames: source,
      buckets: [...POLL_DURATION_BUCKETS],
      registers,
    }),
    pollInterval: new Gauge({
      name: "helr_poll_interval_seconds",
      help: "The configured poll interval (schedule.interval_secs), for alerts in units of intervals.",
      labelNames: source,
      registers,
    }),
    lastSuccess: new Gauge({
      name: "helr_last_successful_poll_timestamp_seconds",
      help: "When a poll last succeeded (unix seconds); absent until one has.",
      labelNames: source,
      registers,
    }),
    pages: new Counter({
      name: "helr_pages_received_total",
      help: "Response pages received and parsed.",
      labelNames: source,
      registers,
    }),
    bytes: new Counter({
      name: "helr_received_bytes_total",
      help: "Response body bytes received.",
      labelNames: source,
      registers,
    }),
    retries: new Counter({
      name: "helr_retries_total",
      help: "Retried attempts, by reason: status (a retryable status), timeout, or network.",
      labelNames: ["source", "reason"] as const,
      registers,
    }),
    rateLimitWait: new Counter({
      name: "helr_rate_limit_wait_seconds_total",
      help: "Time spent waiting before requests: rate_limit_block (a 429 or an exhausted budget), token_bucket, page_delay.",
      labelNames: ["source", "cause"] as const,
      registers,
    }),
    dedupeHits: new Counter({
      name: "helr_dedupe_hits_total",
      help: "Events skipped because their id was already seen.",
      labelNames: source,
      registers,
    }),
    filtered: new Counter({
      name: "helr_events_filtered_total",
      help: "Events left out by the source's filters.",
      labelNames: source,
      registers,
    }),
    checkpointDuration: new Histogram({
      name: "helr_checkpoint_duration_seconds",
      help: "Duration of checkpoints: the sink's flush plus the state commit.",
      labelNames: source,
      buckets: [...CHECKPOINT_DURATION_BUCKETS],
      registers,
    }),
    ingestLag: age(
      "helr_ingest_lag_seconds",
      "Now minus the newest event time written; absent until an event with a time was written.",
      (s) => s.newestEventMs,
    ),
    watermarkAge: age(
      "helr_watermark_age_seconds",
      "Now minus the committed time watermark (sources that keep one).",
      (s) => s.watermarkMs,
    ),
    checkpointAge: age(
      "helr_checkpoint_age_seconds",
      "Now minus when state (cursor, position or watermark) was last committed.",
      (s) => s.checkpointMs,
    ),
    leaseHeld: new Gauge({
      name: "helr_lease_held",
      help: "With global.replicas: 1 while this replica holds the source's lease (and polls it), 0 after it gave it up or lost it; absent without replicas.",
      labelNames: source,
      registers,
    }),
    pollsSkipped: new Counter({
      name: "helr_polls_skipped_total",
      help: "Scheduled polls not run, by reason: load_shedding (priority below skip_priority_below while backpressure is active).",
      labelNames: ["source", "reason"] as const,
      registers,
    }),
    storeFallback: new Gauge({
      name: "helr_state_store_fallback_active",
      help: "1 while the state store's memory fallback holds the state (degradation.state_store_fallback), else 0.",
      registers,
    }),
    buildInfo: new Gauge({
      name: "helr_build_info",
      help: "Always 1; the labels say which collector build is running.",
      labelNames: ["version", "bundle_hash"] as const,
      registers,
    }),
  };
}
