import { resolve as resolvePath } from "node:path";
import type { App, BoundSource } from "../app.ts";
import { auditConfigLoaded, configureAudit } from "../audit.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import { withFixHint } from "../engine/fix-hint.ts";
import { type PollDeps, type PollSummary, pollSource } from "../engine/poll.ts";
import { createScheduleSet } from "../engine/schedule-set.ts";
import { sleep } from "../engine/scheduler.ts";
import { createSourceRuntime } from "../engine/source-runtime.ts";
import { codeOf, outputFailure } from "../errors/helr-error.ts";
import { type HttpSend, sendHttp } from "../http/client.ts";
import { createLogger, type Logger, logFormat } from "../log.ts";
import { NO_EVENTS, type RunEvents } from "../observe/events.ts";
import { openSink } from "../output/open-sink.ts";
import type { Sink } from "../output/sink.ts";
import { recordingSend } from "../record/recording-send.ts";
import { replaySend } from "../record/replay-send.ts";
import { createBudgetRegistry } from "../resilience/budget.ts";
import { withPollTimeout } from "../resilience/poll-timeout.ts";
import { createSemaphore } from "../resilience/semaphore.ts";
import { memoryStore } from "../state/memory.ts";
import { openStore as openConfiguredStore } from "../state/open.ts";
import type { StateStore } from "../state/store.ts";
import { installDumpOnSigusr1 } from "./dump.ts";
import { prepareRunApi } from "./run-api.ts";
import { RunFlow } from "./run-flow.ts";
import {
  outputProbe,
  type RunObservability,
  showProgress,
  startRunObservability,
} from "./run-observability.ts";
import { type CommonOptions, parseRunOptions, type RunOptions } from "./run-options.ts";
import { BundleReloader } from "./run-reload.ts";
import { type Replicas, startReplicas } from "./run-replicas.ts";
import { type Prepared, type Running, RunningSources } from "./run-sources.ts";
import { onShutdown, type Shutdown } from "./shutdown.ts";
import { UsageError } from "./usage.ts";

export type { RunOptions } from "./run-options.ts";
export type { Prepared } from "./run-sources.ts";

/** `helr run ARGS`: parses, sets up logging, runs; returns the exit code. */
export async function runMain(app: App, args: readonly string[]): Promise<number> {
  const options = parseRunOptions(args, process.env);
  const log = await createLogger(app.global, process.env, options.log);
  startAudit(app, log);
  const pretty = logFormat(app.global, process.env, options.log) === "pretty";
  return runCommand(app, options, log, {
    progress: options.once && pretty && process.stderr.isTTY === true,
    // The file node runs is the bundle: SIGHUP loads it again after `helrc build` overwrote it.
    ...(process.argv[1] !== undefined ? { bundlePath: resolvePath(process.argv[1]) } : {}),
  });
}

/** Audit log (global.audit): the configuration this bundle was built from, then credential reads. */
export function startAudit(app: App, log: Logger): void {
  configureAudit(log, app.global.audit);
  for (const origin of new Set(app.sources.map((s) => s.spec.origin))) auditConfigLoaded(origin);
}

/** How `helr run` was started, beyond its options. */
export interface RunContext {
  /** Show the TTY progress line (`--once` on a terminal with pretty logs). */
  readonly progress?: boolean;
  /** The bundle file this process runs; without it reload is not available. */
  readonly bundlePath?: string;
}

/** `helr run`: returns the process exit code. */
export async function runCommand(
  app: App,
  options: RunOptions,
  log: Logger,
  context: RunContext = {},
): Promise<number> {
  const sources = selectSources(app.sources, options.sources);
  const shutdown = onShutdown(log);
  const reloadable = !options.once && options.replayDir === undefined && context.bundlePath !== undefined;
  const hangup = onHangup(log, reloadable ? "reload" : options.once ? "once" : "replay");
  let sink: Sink | undefined;
  let store: StateStore | undefined;
  let running: RunningSources | undefined;
  let reloader: BundleReloader | undefined;
  let replicas: Replicas | undefined;
  let observed: RunObservability | undefined;
  let flow: RunFlow | undefined;
  let stopDump: (() => void) | undefined;
  /** `POST /api/v1/sources/{id}/poll`: set once the sources are prepared (continuous mode). */
  let triggered: ((id: string) => Promise<PollSummary | Error> | undefined) | undefined;
  try {
    const outputWritable = outputProbe(options.output ?? app.global.output.http.url);
    const api = prepareRunApi(app, {
      store: () => store,
      current: () => reloader?.app ?? app,
      ...(options.once ? {} : { poll: (id) => triggered?.(id) }),
      ...(reloadable ? { reload: (remote) => reloader?.reload({ via: "api", remote }) } : {}),
    });
    observed = await startRunObservability(app, sources, log, {
      routes: api.routes,
      ...(api.authorize ? { authorize: api.authorize } : {}),
      fallbackActive: () => flow?.fallbackActive() ?? false,
      // With replicas, the store is reachable when the lease keeper's renewals get through.
      stateStoreConnected: () => (replicas ? replicas.storeReachable() : store ? storeAnswers(store) : false),
      ...(outputWritable ? { outputWritable } : {}),
      healthzExtra: () => (replicas ? { replicas: replicaHealth(replicas) } : undefined),
    });
    const { events } = observed;
    const runFlow = new RunFlow(app, log, events);
    flow = runFlow;
    store = await runFlow.openStore(() => openStore(app, options, log));
    replicas = startReplicas(app, store, sources, options, log, shutdown.waits, events);
    const metrics = observed.metrics;
    stopDump = installDumpOnSigusr1(app.global, {
      store,
      metricsText: () => metrics?.render(),
      log,
    });
    sink = await openSink(options.output ?? app.global.output.http.url, {
      env: process.env,
      log,
      output: app.global.output,
      rotate: options.rotate,
      once: options.once,
      signal: shutdown.waits,
      events,
    });
    sink = await runFlow.wrapSink(sink);
    const deps: PollDeps = baseDeps(app, replicas?.store ?? store, sink, log, shutdown, events);
    const fatal: { error?: Error } = {};
    const sourceSlots = createSemaphore(app.global.maxConcurrentSources);
    // Scheduled and triggered polls of one source go through its lock: never two at once.
    const poll = async ({ source, deps: d }: Prepared): Promise<PollSummary | Error> => {
      const result = await api.locks.run(source.spec.id, () =>
        sourceSlots.run(() => pollLogged(source, d, log)),
      );
      if (result instanceof Error && outputFailure(result) !== undefined) {
        fatal.error ??= result;
        shutdown.stop();
      }
      return result;
    };
    const gate = replicas;
    const schedule = createScheduleSet<Running>(
      async (r) => void (runFlow.skips(r.prepared.source) || (await r.poll())),
      { signal: shutdown.waits, random: Math.random, sleep: (ms, s) => sleep(runFlow.delayMs(ms), s) },
    );
    const polled = new RunningSources({
      prepare: (source, d) => prepareSource(source, d, options),
      deps,
      // The replica gate waits for the lease; a retired source (reload) stops waiting.
      poll: gate ? (p, stop) => gate.gate(poll, AbortSignal.any([shutdown.waits, stop]))(p) : poll,
      schedule,
    });
    running = polled;
    await polled.add(sources);
    hangup.prepared(() => polled.prepared);
    observed.health.markStarted();
    if (options.once) {
      const prepared = polled.prepared;
      const endProgress = context.progress ? showProgress(events, sources) : undefined;
      const results = await Promise.all(prepared.map(poll)).finally(endProgress);
      printSummaries(prepared, results);
      return results.some((r) => r instanceof Error) ? 1 : 0;
    }
    // A triggered poll takes the same path as a scheduled one (replica gate, slots, lock).
    triggered = (id) =>
      polled
        .get(id)
        ?.poll()
        .then((r) => r ?? new Error(`source "${id}": not polled by this replica`));
    const tracked = observed;
    if (reloadable && context.bundlePath !== undefined) {
      reloader = new BundleReloader({
        bundlePath: context.bundlePath,
        app,
        sources: polled,
        selected: options.sources,
        replicas: replicas !== undefined,
        stopping: shutdown.stopping,
        applied: (_next, now) => tracked.track(now),
        log,
      });
      hangup.reloads(reloader);
    }
    polled.schedule();
    await schedule.done();
    return fatal.error ? 1 : 0;
  } finally {
    triggered = undefined;
    hangup.dispose();
    stopDump?.();
    await replicas?.close();
    shutdown.dispose();
    await running?.close();
    await sink?.close();
    await store?.close();
    await observed?.close();
  }
}

/** `/healthz` `replicas`: this replica, whether it reaches the store, and the sources it holds. */
function replicaHealth(replicas: Replicas): Record<string, unknown> {
  return {
    replica_id: replicas.keeper.replicaId,
    store_reachable: replicas.storeReachable(),
    held: replicas.held(),
  };
}

/** The `/readyz` store check: a round trip to the store. */
async function storeAnswers(store: StateStore): Promise<boolean> {
  await (store.ping ? store.ping() : store.listSources());
  return true;
}

/** One per process: sources sharing a `budget_key` draw from one rate budget. */
const budgets = createBudgetRegistry();

/**
 * Binds a source to its sender: live, recording (`--record-dir`) or replaying (`--replay-dir`,
 * no network at all: auth is dropped too, so no token is needed or fetched).
 */
export async function prepareSource(
  source: BoundSource,
  deps: PollDeps,
  options: CommonOptions,
): Promise<Prepared> {
  const id = source.spec.id;
  if (options.replayDir !== undefined) {
    return {
      source: { ...source, auth: undefined },
      deps: { ...deps, http: replaySend(options.replayDir, id) },
    };
  }
  const recordDir = options.recordDir;
  const runtime = createSourceRuntime(source.spec, {
    env: deps.env,
    log: deps.log,
    budgets,
    onEvent: (event) => deps.events.publish(event),
    ...(recordDir !== undefined ? { wrapBase: (live: HttpSend) => recordingSend(live, recordDir, id) } : {}),
  });
  // Token requests go through `tokenHttp`, the source's raw client: its TLS settings, and never
  // recorded (their bodies are credentials, and replay has no auth).
  return {
    source,
    deps: { ...deps, http: runtime.send, tokenHttp: runtime.base },
    runtime,
  };
}

/** The dependencies every source shares. */
export function baseDeps(
  app: App,
  store: StateStore,
  sink: Sink,
  log: Logger,
  shutdown: Pick<Shutdown, "stopping" | "waits" | "requests">,
  events: RunEvents = NO_EVENTS,
): PollDeps {
  return {
    store,
    sink,
    http: sendHttp,
    env: process.env,
    log,
    version: app.version,
    now: () => new Date(),
    stopping: shutdown.stopping,
    signal: shutdown.requests,
    waitSignal: shutdown.waits,
    events,
  };
}

/** Polls one source; failures are logged with the source and cause, and returned, never thrown. */
export async function pollLogged(
  source: BoundSource,
  deps: PollDeps,
  log: Logger,
): Promise<PollSummary | Error> {
  const started = Date.now();
  const sourceId = source.spec.id;
  deps.events.publish({ type: "poll_started", sourceId, atMs: started });
  const result = await pollReported(source, deps, log);
  const atMs = Date.now();
  const common = { type: "poll_ended", sourceId, atMs, durationMs: atMs - started } as const;
  if (result instanceof Error) {
    deps.events.publish({
      ...common,
      pages: 0,
      events: 0,
      error: {
        code: codeOf(result) ?? "HELR_INTERNAL",
        message: redactSecrets(result.message),
      },
    });
  } else {
    deps.events.publish({
      ...common,
      pages: result.pages,
      events: result.events,
      ...(result.stopReason !== undefined ? { stopReason: result.stopReason } : {}),
    });
  }
  return result;
}

async function pollReported(source: BoundSource, deps: PollDeps, log: Logger): Promise<PollSummary | Error> {
  try {
    const summary = await withPollTimeout(
      (signal) =>
        pollSource(source, {
          ...deps,
          signal,
          waitSignal: deps.waitSignal ? AbortSignal.any([signal, deps.waitSignal]) : signal,
        }),
      source.spec,
      deps.signal,
    );
    log.info({ ...summary }, "poll complete");
    return summary;
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const output = outputFailure(err);
    if (output) {
      log.error(
        { sourceId: source.spec.id, code: output.code },
        `output failed, stopping: ${output.message}`,
      );
      return output;
    }
    withFixHint(err, source.spec);
    log.error({ sourceId: source.spec.id, code: (err as { code?: string }).code }, err.message);
    return err;
  }
}

function printSummaries(prepared: readonly Prepared[], results: readonly (PollSummary | Error)[]): void {
  const lines = results.map((r, i) => summaryLine(prepared[i]?.source.spec.id ?? "?", r));
  process.stderr.write(redactSecrets(`${lines.join("\n")}\n`));
}

function summaryLine(id: string, result: PollSummary | Error): string {
  if (result instanceof Error) return `${id}: FAILED — ${result.message}`;
  return `${id}: ok — ${result.requests} requests, ${result.events} events, stopped: ${result.stopReason ?? "?"}`;
}

/** The sources named by `--source` (all when none), in the order given. */
export function selectSources(
  all: readonly BoundSource[],
  wanted: readonly string[],
): readonly BoundSource[] {
  if (wanted.length === 0) return all;
  const known = new Map(all.map((s) => [s.spec.id, s]));
  return [...new Set(wanted)].map((id) => {
    const source = known.get(id);
    if (!source)
      throw new UsageError(`unknown source "${id}"; this bundle has: ${[...known.keys()].join(", ")}`);
    return source;
  });
}

/**
 * The configured state store (`--state-path`, HELR_STATE_PATH and HELR_STATE_URL applied by
 * runtime/state/open.ts). Replay never touches it: recorded positions must not leak into real
 * state, so a replay keeps its state in memory.
 */
export async function openStore(app: App, options: CommonOptions, log: Logger): Promise<StateStore> {
  if (options.replayDir !== undefined) {
    log.info({ replayDir: options.replayDir }, "replay: state is kept in memory and discarded at exit");
    return memoryStore({ path: "" });
  }
  return openConfiguredStore(app, { statePath: options.statePath, env: process.env });
}

/** SIGHUP's handler for the whole run, installed before anything starts (the Rust Helr has none during its first poll). */
export interface Hangup {
  /** The sources whose tokens a SIGHUP drops where it does not reload (`--once`, replay). */
  prepared(current: () => readonly Prepared[]): void;
  /** Reloads from now on; a SIGHUP that came during start-up reloads now. */
  reloads(reloader: BundleReloader): void;
  dispose(): void;
}

/**
 * SIGHUP (docs/operations/reload.md). In a continuous run it reloads the bundle (a SIGHUP during
 * start-up is kept and applied once the sources run; one during a reload is logged and dropped).
 * Under `--once` and replay there is nothing to reload: every source drops its cached tokens, so
 * the next request re-reads its secrets, and the log says so. Never the default action (exit).
 */
export function onHangup(log: Logger, mode: "reload" | "once" | "replay"): Hangup {
  let current: () => readonly Prepared[] = () => [];
  let reloader: BundleReloader | undefined;
  let pending = false;
  const reload = (): void => {
    void reloader?.reload({ via: "sighup" }).then((outcome) => {
      if (outcome === "busy") log.warn("SIGHUP: a reload is already running; this signal is dropped");
    });
  };
  const handler = (): void => {
    if (mode !== "reload") {
      for (const { source } of current()) source.auth?.reset?.();
      log.info(
        `SIGHUP: cached tokens dropped; secrets are re-read on the next request (no reload under ${mode === "once" ? "--once" : "replay"})`,
      );
    } else if (reloader === undefined) {
      pending = true;
      log.info("SIGHUP during start-up: the bundle is reloaded once the sources have started");
    } else reload();
  };
  process.on("SIGHUP", handler);
  return {
    prepared: (get) => {
      current = get;
    },
    reloads: (r) => {
      reloader = r;
      if (pending) reload();
    },
    dispose: () => {
      process.off("SIGHUP", handler);
    },
  };
}
