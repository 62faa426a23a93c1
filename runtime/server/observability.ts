/**
 * The one call `run` makes to observe itself: the health model (always), the metrics registry
 * (only with `global.metrics.enabled`, so a collector without metrics pays nothing for them),
 * both subscribed to the run-event bus, and the metrics and API servers. Everything binds before
 * the first poll; a bind error is thrown for `run` to print and exit 1.
 */
import type { RunEvents } from "../observe/events.ts";
import { type BreakerProbe, createHealth, type HealthModel } from "../observe/health.ts";
import { createMetrics, type Metrics, type MetricsSourceInfo } from "../observe/metrics.ts";
import type { Authorize } from "./bearer.ts";
import type { HttpServer, HttpServerOptions, ServerLog } from "./http-server.ts";
import { healthRoutes, metricsRoute, type Probe } from "./probe-routes.ts";
import type { Route } from "./routes.ts";
import { startServers } from "./servers.ts";

/** Where a server listens (`global.metrics` / `global.api` when enabled). */
export interface ListenSpec {
  readonly address: string;
  readonly port: number;
}

export interface ObservabilityOptions {
  readonly version: string;
  readonly bundleHash: string | (() => string);
  readonly sources: readonly MetricsSourceInfo[];
  readonly events: RunEvents;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: ServerLog;
  /** `global.metrics` when enabled; absent: no registry, no server. */
  readonly metrics?: ListenSpec;
  /**
   * `global.api` when enabled: the health probes, plus `routes` (the REST API, the status page);
   * a function gets the health model this call creates, which those routes read.
   */
  readonly api?: ListenSpec & {
    readonly routes?: readonly Route[] | ((health: HealthModel) => readonly Route[]);
    readonly authorize?: Authorize;
  };
  readonly stateStoreConnected: Probe;
  readonly outputWritable?: Probe;
  readonly fallbackActive?: () => boolean;
  readonly healthzExtra?: () => Record<string, unknown> | undefined;
  readonly breakers?: BreakerProbe;
}

export interface Observability {
  readonly health: HealthModel;
  readonly metrics: Metrics | undefined;
  /** The servers started, metrics first. */
  readonly servers: readonly HttpServer[];
  /** Unsubscribes from the bus and closes the servers. */
  close(): Promise<void>;
}

/** Creates the observers, subscribes them, and starts the enabled servers. */
export async function startObservability(options: ObservabilityOptions): Promise<Observability> {
  const health = createHealth({
    sources: options.sources.map((s) => s.id),
    now: options.now,
    ...(options.breakers ? { breakers: options.breakers } : {}),
  });
  const metrics =
    options.metrics &&
    createMetrics({
      version: options.version,
      bundleHash: options.bundleHash,
      sources: options.sources,
      now: options.now,
    });
  const unsubscribe = [options.events.subscribe(health.observe)];
  if (metrics) unsubscribe.push(options.events.subscribe(metrics.observe));
  const servers: HttpServerOptions[] = [];
  if (options.metrics && metrics) {
    servers.push({
      bind: { key: "global.metrics", ...options.metrics },
      routes: [metricsRoute(metrics)],
      log: options.log,
    });
  }
  if (options.api) {
    const probes = healthRoutes({
      version: options.version,
      health,
      now: options.now,
      stateStoreConnected: options.stateStoreConnected,
      ...(options.outputWritable ? { outputWritable: options.outputWritable } : {}),
      ...(options.fallbackActive ? { fallbackActive: options.fallbackActive } : {}),
      ...(options.healthzExtra ? { healthzExtra: options.healthzExtra } : {}),
    });
    servers.push({
      bind: { key: "global.api", address: options.api.address, port: options.api.port },
      routes: [...probes, ...apiRoutesOf(options.api.routes, health)],
      log: options.log,
      ...(options.api.authorize ? { authorize: options.api.authorize } : {}),
    });
  }
  const stopListening = () => {
    for (const stop of unsubscribe) stop();
  };
  let started: HttpServer[];
  try {
    started = await startServers(servers);
  } catch (error) {
    stopListening();
    throw error;
  }
  return {
    health,
    metrics,
    servers: started,
    close: async () => {
      stopListening();
      await Promise.all(started.map((s) => s.close()));
    },
  };
}

function apiRoutesOf(
  routes: readonly Route[] | ((health: HealthModel) => readonly Route[]) | undefined,
  health: HealthModel,
): readonly Route[] {
  return typeof routes === "function" ? routes(health) : (routes ?? []);
}
