import type { Env } from "../config/env.ts";
import type { HttpSend } from "../http/client.ts";
import type { Logger } from "../log.ts";
import type { RunEvents } from "../observe/events.ts";
import type { Sink } from "../output/sink.ts";
import type { StopReason } from "../paginate/types.ts";
import type { StateStore } from "../state/store.ts";

export interface PollDeps {
  readonly store: StateStore;
  readonly sink: Sink;
  /** Sends one request; per-source retries and rate limits wrap it (see sourceContext). */
  readonly http: HttpSend;
  /** Sender for token-endpoint requests (the source's raw client); default: `http`. */
  readonly tokenHttp?: HttpSend;
  /** Aborts in-flight requests (the poll-tick timeout; a shutdown after a short grace). */
  readonly signal?: AbortSignal;
  /**
   * Aborts waits (back-off, Retry-After, rate budgets, token retries) at once: set on shutdown, so
   * SIGTERM never waits out a delay. Default: `signal`.
   */
  readonly waitSignal?: AbortSignal;
  /** Where the poll reports pages, checkpoints and failures (metrics, health, progress). */
  readonly events: RunEvents;
  readonly env: Env;
  readonly log: Logger;
  readonly version: string;
  readonly now: () => Date;
  /** Set on SIGTERM/SIGINT: the current page finishes and is checkpointed, then the pass ends. */
  readonly stopping: () => boolean;
  /**
   * With `global.replicas`: the token of the lease this poll runs under (it grows with every
   * acquisition). When it differs from the one the source's in-memory state was loaded under,
   * another replica may have polled and committed in between, so that state is renewed: the
   * dedupe window loaded from the store again, cached credentials dropped (SourceContext).
   * Unset without replicas: the window is loaded once per process.
   */
  readonly leaseToken?: number;
}

export interface PollSummary {
  readonly sourceId: string;
  requests: number;
  pages: number;
  /** Events in the responses, before filters and dedupe. */
  received: number;
  /** NDJSON lines written. */
  events: number;
  filtered: number;
  duplicates: number;
  bytes: number;
  stopReason?: StopReason;
  /** The position stored for the next poll, if the strategy keeps one. */
  position?: string | null;
  /** The committed high-water mark after this poll. */
  watermark?: string;
}
