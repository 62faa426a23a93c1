/**
 * The collector's Prometheus metrics, fed by the run-event bus (`events.subscribe(metrics.observe)`)
 * and rendered for `GET /metrics`. Each configured source's series exist from the start (at 0), so
 * `rate()` and `increase()` see the first increment, and an alert on a counter does not wait for
 * the series to appear.
 */
import { Registry } from "prom-client";
import type { RunEvent, SourceEvent } from "./events.ts";
import {
  DROP_REASONS,
  defineSeries,
  POLL_OUTCOMES,
  RETRY_REASONS,
  type Series,
  SKIP_REASONS,
  STATUS_CLASSES,
  type Stamps,
  type StatusClass,
  WAIT_CAUSES,
} from "./metric-series.ts";
import { defineProcessSeries } from "./process-metrics.ts";

/** A configured source, as the metrics need it. */
export interface MetricsSourceInfo {
  readonly id: string;
  /** `schedule.interval_secs`. */
  readonly intervalSecs: number;
}

export interface MetricsOptions {
  readonly version: string;
  /** The bundle's content hash (`helr_build_info{bundle_hash}`). */
  /** A function is called at the first scrape (hashing a 4 MB bundle costs start-up time otherwise). */
  readonly bundleHash: string | (() => string);
  readonly sources: readonly MetricsSourceInfo[];
  /** Epoch ms. */
  readonly now: () => number;
  /**
   * `source` label values other than configured sources (sink names in output errors) allowed
   * before further ones fold into {@link OVERFLOW_LABEL}; default 32. Keeps cardinality bounded
   * whatever publishes on the bus.
   */
  readonly maxExtraLabels?: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** The `Content-Type` of {@link Metrics.render}'s text. */
  readonly contentType: string;
  readonly observe: (event: RunEvent) => void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  /**
   * After a reload: sources not seen before get their series initialised (and their label
   * allowed), every source's `helr_poll_interval_seconds` is set anew. The series of a removed
   * source stay (counters are monotonic; Prometheus marks them stale when they stop changing).
   */
  track(sources: readonly MetricsSourceInfo[]): void;
}

/** The `source` label of events beyond {@link MetricsOptions.maxExtraLabels}. */
export const OVERFLOW_LABEL = "_overflow";

const BREAKER_VALUE = { closed: 0, open: 1, half_open: 2 } as const;

/** A registry with every series, each configured source initialised. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const stamps = new Map<string, Stamps>();
  const s = defineSeries(registry, { now: options.now, stamps });
  defineProcessSeries(registry, options.now);
  let built = false;
  const buildInfo = (): void => {
    if (built) return;
    built = true;
    const hash = typeof options.bundleHash === "function" ? options.bundleHash() : options.bundleHash;
    s.buildInfo.set({ version: options.version, bundle_hash: hash }, 1);
  };
  if (typeof options.bundleHash === "string") buildInfo();
  s.storeFallback.set(0);
  const configured = new Set<string>();
  const track = (sources: readonly MetricsSourceInfo[]): void => {
    for (const { id, intervalSecs } of sources) {
      if (!configured.has(id)) {
        configured.add(id);
        initialise(s, id);
        stamps.set(id, {});
      }
      s.pollInterval.set({ source: id }, intervalSecs);
    }
  };
  track(options.sources);
  const label = labeller(configured, options.maxExtraLabels ?? 32);
  return {
    track,
    registry,
    contentType: registry.contentType,
    observe: (event) => {
      if (event.type === "store_fallback") s.storeFallback.set(event.active ? 1 : 0);
      else record(s, stamps, label(event.sourceId), event);
    },
    render: () => {
      buildInfo();
      return registry.metrics();
    },
  };
}

/** The Rust Helr's status classes (§5.4): a response's class, or `error` when none came. */
export function statusClass(status: number | undefined): StatusClass {
  if (status === undefined) return "error";
  if (status >= 200 && status < 600) return `${Math.floor(status / 100)}xx` as StatusClass;
  return "other";
}

function record(s: Series, stamps: Map<string, Stamps>, source: string, event: SourceEvent): void {
  const at = { source };
  switch (event.type) {
    case "request":
      s.requests.inc({ source, status: statusClass(event.status) });
      s.requestDuration.observe(at, event.durationMs / 1000);
      return;
    case "poll_ended":
      s.polls.inc({ source, outcome: event.error ? "error" : "ok" });
      s.pollDuration.observe(at, event.durationMs / 1000);
      if (event.error) {
        s.errors.inc(at);
        s.errorsRust.inc(at);
      } else s.lastSuccess.set(at, event.atMs / 1000);
      return;
    case "page":
      s.pages.inc(at);
      s.bytes.inc(at, event.bytes);
      return;
    case "written":
      written(s, stamp(stamps, source), source, event);
      return;
    case "checkpoint": {
      s.checkpointDuration.observe(at, event.durationMs / 1000);
      const st = stamp(stamps, source);
      st.checkpointMs = event.atMs;
      if (event.watermarkMs !== undefined) st.watermarkMs = event.watermarkMs;
      return;
    }
    case "output_error":
      s.outputErrors.inc(at);
      return;
    case "dropped":
      s.dropped.inc({ source, reason: event.reason }, event.count);
      return;
    case "pending":
      s.pending.set(at, event.count);
      return;
    case "retry":
      s.retries.inc({ source, reason: event.cause });
      return;
    case "throttle":
      s.rateLimitWait.inc({ source, cause: event.cause }, event.waitMs / 1000);
      return;
    case "breaker":
      s.breaker.set(at, BREAKER_VALUE[event.to]);
      return;
    case "lease":
      s.leaseHeld.set(at, event.held ? 1 : 0);
      return;
    case "poll_skipped":
      s.pollsSkipped.inc({ source, reason: event.reason });
      return;
    default:
      // poll_started, adaptive (its wait shows up as a rate_limit_block throttle), breaker_reject
      // (counted as a request with status "error").
      return;
  }
}

function written(s: Series, st: Stamps, source: string, event: Extract<RunEvent, { type: "written" }>): void {
  const at = { source };
  s.emitted.inc(at, event.emitted);
  s.dedupeHits.inc(at, event.duplicates);
  s.filtered.inc(at, event.filtered);
  if (event.oversized > 0) s.dropped.inc({ source, reason: "max_line_bytes" }, event.oversized);
  if (event.newestEventMs !== undefined) {
    st.newestEventMs = Math.max(st.newestEventMs ?? event.newestEventMs, event.newestEventMs);
  }
}

function stamp(stamps: Map<string, Stamps>, source: string): Stamps {
  let st = stamps.get(source);
  if (!st) {
    st = {};
    stamps.set(source, st);
  }
  return st;
}

/** Zero every bounded label combination of a configured source. */
function initialise(s: Series, source: string): void {
  const at = { source };
  for (const status of STATUS_CLASSES) s.requests.inc({ source, status }, 0);
  for (const reason of DROP_REASONS) s.dropped.inc({ source, reason }, 0);
  for (const outcome of POLL_OUTCOMES) s.polls.inc({ source, outcome }, 0);
  for (const reason of RETRY_REASONS) s.retries.inc({ source, reason }, 0);
  for (const cause of WAIT_CAUSES) s.rateLimitWait.inc({ source, cause }, 0);
  for (const reason of SKIP_REASONS) s.pollsSkipped.inc({ source, reason }, 0);
  for (const counter of [
    s.emitted,
    s.errors,
    s.errorsRust,
    s.outputErrors,
    s.pages,
    s.bytes,
    s.dedupeHits,
    s.filtered,
  ]) {
    counter.inc(at, 0);
  }
  for (const histogram of [s.requestDuration, s.pollDuration, s.checkpointDuration]) histogram.zero(at);
  s.pending.set(at, 0);
  s.breaker.set(at, 0);
}

/** Maps a source id to its label value, folding ids past the allowance into {@link OVERFLOW_LABEL}. */
/** `known` is read at each call: sources tracked after a reload are labelled as configured ones. */
function labeller(known: ReadonlySet<string>, maxExtra: number): (id: string) => string {
  const extra = new Set<string>();
  return (id) => {
    if (known.has(id) || extra.has(id)) return id;
    if (extra.size >= maxExtra) return OVERFLOW_LABEL;
    extra.add(id);
    return id;
  };
}
