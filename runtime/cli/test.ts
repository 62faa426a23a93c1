import type { Writable } from "node:stream";
import type { App } from "../app.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import type { PollSummary } from "../engine/poll.ts";
import type { SourceRuntime } from "../engine/source-runtime.ts";
import type { HttpSend } from "../http/client.ts";
import { createLogger, type Logger } from "../log.ts";
import { streamSink } from "../output/stream-sink.ts";
import { memoryStore } from "../state/memory.ts";
import type { StateStore } from "../state/store.ts";
import { baseDeps, openStore, pollLogged, prepareSource, selectSources, startAudit } from "./run.ts";
import { parseTestOptions, type TestOptions } from "./run-options.ts";
import { onShutdown } from "./shutdown.ts";

/** Where `helr test` writes: NDJSON to `out`, the summary to `err`. */
export interface TestIo {
  readonly out: Writable;
  readonly err: { write(text: string): unknown };
}

/** `helr test ARGS`. */
export async function testMain(app: App, args: readonly string[]): Promise<number> {
  const options = parseTestOptions(args);
  const log = await createLogger(app.global, process.env, options.log);
  startAudit(app, log);
  return testCommand(app, options, log, { out: process.stdout, err: process.stderr });
}

/**
 * `helr test --source ID`: one poll of one source, NDJSON to stdout, state reads passed through
 * but commits only captured; then a summary on stderr — requests, pages, events, bytes, why the
 * pass stopped, and the state it would have written. Exit 1 when the poll failed.
 */
export async function testCommand(app: App, options: TestOptions, log: Logger, io: TestIo): Promise<number> {
  const [chosen] = selectSources(app.sources, options.sources);
  if (!chosen) return 2;
  const id = chosen.spec.id;
  const shutdown = onShutdown(log);
  const base = options.fresh ? await memoryStore({ path: "" }) : await openTestStore(app, options, log);
  const store = dryRunStore(base);
  const sink = streamSink(io.out);
  const traffic = { requests: 0, bytes: 0 };
  try {
    const prepared = await prepareSource(chosen, baseDeps(app, store, sink, log, shutdown), options);
    const http = counting(prepared.deps.http, traffic);
    const result = await pollLogged(prepared.source, { ...prepared.deps, http }, log);
    await sink.flush().catch(() => undefined);
    io.err.write(redactSecrets(report(id, result, traffic, await store.preview(id))));
    if (prepared.runtime) io.err.write(redactSecrets(resilienceReport(prepared.runtime)));
    await prepared.runtime?.close();
    return result instanceof Error ? 1 : 0;
  } finally {
    shutdown.dispose();
    await sink.close();
    await base.close();
  }
}

async function openTestStore(app: App, options: TestOptions, log: Logger): Promise<StateStore> {
  try {
    return await openStore(app, options, log);
  } catch (error) {
    const hint = "use --fresh to test from empty state, or --state-path to read another file";
    throw Object.assign(new Error(`${(error as Error).message} (${hint})`), { cause: error });
  }
}

/** One key the poll would change: its stored value and the new one (null: deleted). */
export interface StateChange {
  readonly key: string;
  readonly before: string | undefined;
  readonly after: string | null;
}

/** A store whose reads see the real state plus this run's commits, and whose commits go nowhere. */
export function dryRunStore(base: StateStore): StateStore & {
  preview(sourceId: string): Promise<StateChange[]>;
} {
  const pending = new Map<string, Map<string, string | null>>();
  const overlay = async (sourceId: string): Promise<Record<string, string>> => {
    const merged: Record<string, string> = { ...(await base.read(sourceId)) };
    for (const [key, value] of pending.get(sourceId) ?? []) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    return merged;
  };
  return {
    backend: `${base.backend} (dry run)`,
    read: overlay,
    async commit(sourceId, changes) {
      const entries = pending.get(sourceId) ?? new Map<string, string | null>();
      for (const [key, value] of Object.entries(changes)) entries.set(key, value);
      pending.set(sourceId, entries);
    },
    listSources: () => base.listSources(),
    async clear(sourceId) {
      const entries = new Map<string, string | null>();
      for (const key of Object.keys(await base.read(sourceId))) entries.set(key, null);
      pending.set(sourceId, entries);
    },
    close: async () => undefined,
    async preview(sourceId) {
      const before = await base.read(sourceId);
      return [...(pending.get(sourceId) ?? [])]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, after]) => ({ key, before: before[key], after }));
    },
  };
}

function counting(http: HttpSend, traffic: { requests: number; bytes: number }): HttpSend {
  return async (req) => {
    traffic.requests++;
    const res = await http(req);
    traffic.bytes += res.body.length;
    return res;
  };
}

const STOP_REASONS: Readonly<Record<string, string>> = {
  end: "no next page",
  empty_page: "an empty page",
  short_page: "a page shorter than the page size",
  has_more_false: "the has-more flag was false",
  max_pages: "max_pages reached",
  max_bytes: "max_bytes reached",
  loop: "loop guard: the next page was already requested in this pass",
  single: "a single request, no pagination",
  caught_up: "caught up with the present",
  unparsable_page: "a page that could not be parsed",
  shutdown: "a signal (SIGTERM/SIGINT)",
};

/** Retries, rate limits and the circuit breaker's state after the poll. */
export function resilienceReport(runtime: SourceRuntime): string {
  const breaker = runtime.http.breakerState();
  const stats = runtime.http.stats();
  const probe = breaker.nextProbeAt ? `, next probe ${breaker.nextProbeAt}` : "";
  return (
    `  http      ${stats.attempts} attempts, ${stats.retries} retries, ${stats.rateLimited} rate-limited, ` +
    `${Math.round(stats.throttledMs)} ms throttled\n` +
    `  breaker   ${breaker.phase} (${breaker.consecutiveFailures} consecutive failures${probe})\n`
  );
}

/** The summary printed on stderr. */
export function report(
  id: string,
  result: PollSummary | Error,
  traffic: { readonly requests: number; readonly bytes: number },
  changes: readonly StateChange[],
): string {
  const lines: string[] = [];
  if (result instanceof Error) {
    lines.push(`test ${id}: FAILED — ${result.message}`);
    lines.push(`  requests  ${traffic.requests}`, `  bytes     ${traffic.bytes}`);
  } else {
    const reason = result.stopReason ?? "?";
    lines.push(
      `test ${id}: ok`,
      `  requests  ${result.requests}`,
      `  pages     ${result.pages}`,
      `  events    ${result.events} written (${result.received} received, ${result.filtered} filtered, ${result.duplicates} duplicates)`,
      `  bytes     ${result.bytes}`,
      `  stopped   ${reason}${STOP_REASONS[reason] ? ` (${STOP_REASONS[reason]})` : ""}`,
    );
  }
  const verb = result instanceof Error ? "would have written before failing" : "would write";
  if (changes.length === 0) lines.push(`  state it ${verb}: nothing`);
  else lines.push(`  state it ${verb} (not committed):`);
  for (const { key, before, after } of changes) {
    const now = after === null ? "(deleted)" : after;
    lines.push(`    ${key} = ${now}`, `      was ${before ?? "(unset)"}`);
  }
  return `${lines.join("\n")}\n`;
}
