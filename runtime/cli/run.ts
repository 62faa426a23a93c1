import type { App, BoundSource } from "../app.ts";
import { expand } from "../config/env.ts";
import { type PollDeps, type PollSummary, pollSource } from "../engine/poll.ts";
import { runSchedule, sleep } from "../engine/scheduler.ts";
import { sendHttp } from "../http/client.ts";
import type { Logger } from "../log.ts";
import { fileSink } from "../output/file-sink.ts";
import type { Sink } from "../output/sink.ts";
import { streamSink } from "../output/stream-sink.ts";
import type { StateStore } from "../state/store.ts";
import { UsageError } from "./usage.ts";

export interface RunOptions {
  readonly once: boolean;
  readonly sources: readonly string[];
  readonly output: string | undefined;
  readonly statePath: string | undefined;
}

/** `helr run`: returns the process exit code. */
export async function runCommand(app: App, options: RunOptions, log: Logger): Promise<number> {
  const sources = selectSources(app.sources, options.sources);
  const store = await openStore(app, options.statePath);
  let sink: Sink | undefined;
  const controller = new AbortController();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info({ signal }, "stopping: finishing the current page, then checkpointing");
    controller.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    sink = options.output ? await fileSink(options.output) : streamSink(process.stdout);
    const deps: PollDeps = {
      store,
      sink,
      http: sendHttp,
      env: process.env,
      log,
      version: app.version,
      now: () => new Date(),
      stopping: () => stopping,
    };
    if (options.once) return await runOnce(sources, deps, log);
    await runSchedule(
      sources.map((s) => ({ source: s, schedule: s.spec.schedule })),
      async ({ source }) => {
        await pollLogged(source, deps, log);
      },
      { signal: controller.signal, random: Math.random, sleep },
    );
    return 0;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await sink?.close();
    await store.close();
  }
}

async function runOnce(sources: readonly BoundSource[], deps: PollDeps, log: Logger): Promise<number> {
  const results = await Promise.all(sources.map((source) => pollLogged(source, deps, log)));
  const lines = results.map((r, i) => summaryLine(sources[i]?.spec.id ?? "?", r));
  process.stderr.write(`${lines.join("\n")}\n`);
  return results.some((r) => r instanceof Error) ? 1 : 0;
}

/** Polls one source; failures are logged with the source and cause, and returned, never thrown. */
async function pollLogged(source: BoundSource, deps: PollDeps, log: Logger): Promise<PollSummary | Error> {
  try {
    const summary = await pollSource(source, deps);
    log.info({ ...summary }, "poll complete");
    return summary;
  } catch (error) {
    const err = error as Error & { code?: string };
    log.error({ sourceId: source.spec.id, code: err.code }, err.message);
    if (err.code?.startsWith("HELR_OUTPUT")) throw error;
    return err;
  }
}

function summaryLine(id: string, result: PollSummary | Error): string {
  if (result instanceof Error) return `${id}: FAILED — ${result.message}`;
  return `${id}: ok — ${result.requests} requests, ${result.events} events, stopped: ${result.stopReason ?? "?"}`;
}

function selectSources(all: readonly BoundSource[], wanted: readonly string[]): readonly BoundSource[] {
  if (wanted.length === 0) return all;
  const known = new Map(all.map((s) => [s.spec.id, s]));
  return wanted.map((id) => {
    const source = known.get(id);
    if (!source)
      throw new UsageError(`unknown source "${id}"; this bundle has: ${[...known.keys()].join(", ")}`);
    return source;
  });
}

async function openStore(app: App, override: string | undefined): Promise<StateStore> {
  const backend = app.global.state.backend;
  const factory = app.stores[backend];
  if (!factory)
    throw new UsageError(`state backend "${backend}" is not linked into this bundle; rebuild with helrc`);
  const path = override ?? process.env.HELR_STATE_PATH ?? expand(app.global.state.path, process.env);
  return factory({ path });
}
