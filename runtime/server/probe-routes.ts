/**
 * `/healthz`, `/readyz`, `/startupz` and `/metrics` as routes. Readiness probes (file writable,
 * store reachable) are bounded by a timeout, so a hung state store makes `/readyz` answer 503
 * instead of holding the request, and never holds up polling.
 */
import type { HealthModel } from "../observe/health.ts";
import {
  healthzAnswer,
  type ProbeAnswer,
  type ProcessInfo,
  readyzAnswer,
  startupzAnswer,
} from "../observe/health-json.ts";
import type { Route } from "./routes.ts";

/** A yes/no check of a dependency; a throw or a timeout counts as no. */
export type Probe = () => boolean | Promise<boolean>;

export interface HealthRoutesOptions {
  readonly version: string;
  readonly health: HealthModel;
  /** Epoch ms. */
  readonly now: () => number;
  /** The state store answers (e.g. lists its sources). */
  readonly stateStoreConnected: Probe;
  /** The output can take lines (a file output opens for append); absent: always (stdout). */
  readonly outputWritable?: Probe;
  /** The memory fallback replaced the configured store at start-up. */
  readonly fallbackActive?: () => boolean;
  /** Additive top-level fields of `/healthz` (`replicas`: what this replica holds). */
  readonly healthzExtra?: () => Record<string, unknown> | undefined;
  /** A probe still running after this counts as failed; default 2000 ms. */
  readonly probeTimeoutMs?: number;
}

/** The three health routes (GET, and HEAD through the server). */
export function healthRoutes(options: HealthRoutesOptions): Route[] {
  const info = (): ProcessInfo => ({
    version: options.version,
    uptimeSecs: options.health.uptimeSecs(),
    fallbackActive: options.fallbackActive?.() ?? false,
    nowMs: options.now(),
  });
  const timeoutMs = options.probeTimeoutMs ?? 2_000;
  const json = (answer: ProbeAnswer) => ({ status: answer.status, json: answer.body });
  return [
    {
      method: "GET",
      path: "/healthz",
      handle: () => {
        const answer = healthzAnswer(info(), options.health.sources());
        const extra = options.healthzExtra?.();
        return json(extra ? { ...answer, body: { ...answer.body, ...extra } } : answer);
      },
    },
    {
      method: "GET",
      path: "/readyz",
      handle: async () => {
        const [outputWritable, stateStoreConnected] = await Promise.all([
          options.outputWritable ? bounded(options.outputWritable, timeoutMs) : true,
          bounded(options.stateStoreConnected, timeoutMs),
        ]);
        const inputs = { outputWritable, stateStoreConnected };
        return json(readyzAnswer(info(), options.health.sources(), inputs));
      },
    },
    { method: "GET", path: "/startupz", handle: () => json(startupzAnswer(info(), options.health.started)) },
  ];
}

/** What `/metrics` serves: the text exposition of a registry. */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsRoute(metrics: MetricsSource): Route {
  return {
    method: "GET",
    path: "/metrics",
    handle: async () => ({ status: 200, text: await metrics.render(), contentType: metrics.contentType }),
  };
}

/** Runs `probe`; false when it throws, rejects, answers anything but true, or takes longer than `ms`. */
export async function bounded(probe: Probe, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(probe), late]);
    return result === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
