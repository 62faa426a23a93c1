import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { App, BoundSource } from "../app.ts";
import type { Logger } from "../log.ts";
import { bundleHasher } from "../observe/build-info.ts";
import { createRunEvents, type RunEvents } from "../observe/events.ts";
import type { HealthModel } from "../observe/health.ts";
import type { Metrics } from "../observe/metrics.ts";
import { startProgressLine } from "../observe/progress-line.ts";
import { parseOutputTarget } from "../output/sink-url.ts";
import type { Authorize } from "../server/bearer.ts";
import { type Observability, startObservability } from "../server/observability.ts";
import type { Probe } from "../server/probe-routes.ts";
import type { Route } from "../server/routes.ts";
import { statusPageRoute } from "../server/status-page.ts";

/** What `helr run` feeds the health probes with; every probe may be asked before the store is open. */
export interface RunProbes {
  /** The state store answers (false until it is open). */
  readonly stateStoreConnected: Probe;
  readonly outputWritable?: Probe;
  /** `global.degradation`'s memory fallback replaced the configured store. */
  readonly fallbackActive?: () => boolean;
  /** Additive top-level fields of `/healthz`. */
  readonly healthzExtra?: () => Record<string, unknown> | undefined;
  /** Routes served beside the probes on `global.api` (the REST API, the status page). */
  readonly routes?: (health: HealthModel) => readonly Route[];
  /** The bearer check of `global.api.auth` (protected routes); absent: an open, loopback-only API. */
  readonly authorize?: Authorize;
}

/** A running collector's view of itself: the bus the engine publishes on, and its observers. */
export interface RunObservability {
  readonly events: RunEvents;
  readonly health: HealthModel;
  readonly metrics: Metrics | undefined;
  /** The servers' base URLs (`http://127.0.0.1:9090`), as logged at start. */
  readonly urls: readonly string[];
  /** After a reload: health and metrics follow the sources polled now. */
  track(sources: readonly BoundSource[]): void;
  close(): Promise<void>;
}

/**
 * Starts observing a run (docs/operations/): the run-event bus, the health model and, with
 * `global.metrics.enabled`, the Prometheus registry; then binds the metrics and API servers.
 * Called before the state store is opened, so `/startupz` answers `started: false` while it
 * opens; a bind error (port in use, metrics and API on one port) is thrown before any poll.
 */
export async function startRunObservability(
  app: App,
  sources: readonly BoundSource[],
  log: Logger,
  probes: RunProbes,
): Promise<RunObservability> {
  const events = createRunEvents((error) =>
    log.warn({ cause: (error as Error).message }, "an observer of run events failed"),
  );
  const { api, metrics } = app.global;
  const observed: Observability = await startObservability({
    version: app.version,
    bundleHash: bundleHasher(),
    sources: sources.map((s) => ({ id: s.spec.id, intervalSecs: s.spec.schedule.intervalSecs })),
    events,
    now: Date.now,
    log,
    ...(metrics.enabled ? { metrics: { address: metrics.address, port: metrics.port } } : {}),
    ...(api.enabled
      ? {
          api: {
            address: api.address,
            port: api.port,
            routes: (health: HealthModel) => [
              ...(probes.routes?.(health) ?? []),
              statusPageRoute({ version: app.version, health, now: Date.now }),
            ],
            ...(probes.authorize ? { authorize: probes.authorize } : {}),
          },
        }
      : {}),
    stateStoreConnected: probes.stateStoreConnected,
    ...(probes.outputWritable ? { outputWritable: probes.outputWritable } : {}),
    ...(probes.fallbackActive ? { fallbackActive: probes.fallbackActive } : {}),
    ...(probes.healthzExtra ? { healthzExtra: probes.healthzExtra } : {}),
  });
  for (const server of observed.servers)
    log.info({ key: server.key, url: server.url }, `${server.key} listening`);
  return {
    events,
    health: observed.health,
    metrics: observed.metrics,
    urls: observed.servers.map((s) => s.url),
    track: (polled) => {
      observed.health.track(polled.map((s) => s.spec.id));
      observed.metrics?.track(
        polled.map((s) => ({ id: s.spec.id, intervalSecs: s.spec.schedule.intervalSecs })),
      );
    },
    close: () => observed.close(),
  };
}

/**
 * `/readyz`'s `output_writable` for a file output: the file opens for append without being
 * created (the Rust Helr's check), so a deleted directory or a read-only file shows up. Stdout and
 * the network sinks have no such check (their failures show in `helr_output_errors_total`).
 */
export function outputProbe(value: string | undefined): Probe | undefined {
  let target: ReturnType<typeof parseOutputTarget>;
  try {
    target = parseOutputTarget(value);
  } catch {
    return undefined;
  }
  if (target.kind !== "file") return undefined;
  const { path } = target;
  return async () => {
    const handle = await open(path, constants.O_WRONLY | constants.O_APPEND);
    await handle.close();
    return true;
  };
}

/**
 * The live progress line of `run --once` on a terminal (observe/progress-line.ts). Everything
 * else written to stderr while it shows (pretty log lines) clears it first, so they never share
 * a row. Returns the function that ends it, before the summaries are printed.
 */
export function showProgress(
  events: RunEvents,
  sources: readonly BoundSource[],
  stderr: NodeJS.WriteStream = process.stderr,
): () => void {
  const original = stderr.write;
  const write = (text: string): boolean => original.call(stderr, text);
  const line = startProgressLine({
    terminal: {
      write,
      get columns() {
        return stderr.columns;
      },
    },
    sources: sources.map((s) => s.spec.id),
    now: Date.now,
  });
  stderr.write = ((...args: Parameters<typeof original>) => {
    line.clear();
    return original.apply(stderr, args);
  }) as typeof original;
  const unsubscribe = events.subscribe(line.observe);
  return () => {
    unsubscribe();
    stderr.write = original;
    line.stop();
  };
}
