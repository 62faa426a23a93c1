import type { Env } from "../config/env.ts";
import { createSourceClient, type HttpSend } from "../http/client.ts";
import { tlsConnectOptions } from "../http/tls.ts";
import type { BudgetRegistry } from "../resilience/budget.ts";
import type { ResilienceLog } from "../resilience/events.ts";
import { createSourceHttp, type SourceHttp, type SourceHttpDeps } from "../resilience/source-http.ts";
import type { SourceSpec } from "../spec.ts";
import { sleep } from "./scheduler.ts";

/** Options of {@link createSourceRuntime}. */
export interface SourceRuntimeOptions {
  readonly env: Env;
  readonly log: ResilienceLog;
  /** One registry per process, shared by every source, so `budgetKey` budgets are shared. */
  readonly budgets: BudgetRegistry;
  /** Wraps the raw per-attempt sender (e.g. `--record-dir` recording); default: none. */
  readonly wrapBase?: (send: HttpSend) => HttpSend;
  /** Where the sender's events go (the run-event bus: metrics, health); default: nowhere. */
  readonly onEvent?: SourceHttpDeps["onEvent"];
  /** Fakes for tests; default: the real clock, Math.random and the scheduler's sleep. */
  readonly clock?: Partial<Pick<SourceHttpDeps, "now" | "random" | "sleep" | "onEvent">>;
}

/** A source's HTTP for the life of the process: resilient sender, its breaker and stats, and its pool. */
export interface SourceRuntime {
  /** Use as the source's `HttpSend` (the engine's `SourceContext.send`). */
  readonly send: HttpSend;
  readonly http: SourceHttp;
  /** The source's raw client (its TLS and timeouts, no retries, never recorded): for token requests. */
  readonly base: HttpSend;
  /** Closes the source's connection pool (at shutdown). */
  close(): Promise<void>;
}

/**
 * Builds a source's HTTP stack once: an undici Agent with its timeouts and `resilience.tls`
 * (loaded on the first request), wrapped by {@link createSourceHttp}. Cheap: no I/O until a send.
 */
export function createSourceRuntime(spec: SourceSpec, options: SourceRuntimeOptions): SourceRuntime {
  const tls = spec.resilience.tls;
  const client = createSourceClient(
    spec,
    tls ? { tls: () => tlsConnectOptions(tls, options.env, spec.id) } : {},
  );
  const base = options.wrapBase ? options.wrapBase(client.send) : client.send;
  const http = createSourceHttp(spec, base, {
    now: Date.now,
    random: Math.random,
    sleep,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...options.clock,
    log: options.log,
    budgets: options.budgets,
  });
  return { send: http.send, http, base: client.send, close: () => client.close() };
}
