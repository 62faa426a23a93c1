/**
 * SIGUSR1 (`global.dump_on_sigusr1`): a snapshot for an operator debugging a running collector —
 * every source's stored state in the `helr state export` shape plus the Prometheus metrics text,
 * written to one log line or to a file. Without the key the signal is ignored with a log line
 * (the Rust Helr lets SIGUSR1 kill the process; Node would open its inspector).
 *
 * State can hold a rotated refresh token: every value the secret registry knows is masked, in
 * the file as in the log. A signal that arrives while a dump is being written is coalesced into
 * it; a failing dump is logged, never thrown (a debugging aid must not stop the collector).
 */
import { rename, writeFile } from "node:fs/promises";
import { type Env, expand } from "../config/env.ts";
import { redactSecrets } from "../config/secret-registry.ts";
import type { GlobalSpec } from "../spec.ts";
import { exportState, type StateDocument } from "../state/export.ts";
import type { StateStore } from "../state/store.ts";

/** Where dump lines go (a pino Logger fits). */
export interface DumpLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface DumpDeps {
  readonly store: StateStore;
  /** The metrics text; `undefined` when `global.metrics` is off (the dump then has `metrics: null`). */
  readonly metricsText: () => Promise<string> | undefined;
  readonly log: DumpLog;
  /** For `${VAR}` in `path`; default `process.env`. */
  readonly env?: Env;
  /** Epoch ms for `dumped_at`; default `Date.now`. */
  readonly now?: () => number;
  /** Called after each dump attempt, written or not (tests). */
  readonly onDump?: (result: DumpResult) => void;
}

/** What one dump did. */
export type DumpResult =
  | { readonly ok: true; readonly destination: "log" | "file"; readonly path?: string }
  | { readonly ok: false; readonly error: string };

/** The document a dump writes; `state` is exactly what `helr state export` prints (secrets masked). */
export interface DumpDocument {
  readonly dumped_at: string;
  readonly state: StateDocument;
  readonly metrics: string | null;
}

const IGNORED = "SIGUSR1 ignored: dump_on_sigusr1 not set";

/**
 * Listens for SIGUSR1 for the life of a run; returns the function that stops listening. With
 * `dump_on_sigusr1`, each signal writes a {@link DumpDocument}; without it, each signal logs
 * that it was ignored.
 */
export function installDumpOnSigusr1(spec: GlobalSpec, deps: DumpDeps): () => void {
  const dump = spec.dumpOnSigusr1;
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      // Not `onDump?.(await dumpOnce(…))`: an optional call skips its arguments when absent.
      const result = await dumpOnce(spec, deps);
      deps.onDump?.(result);
    } while (again);
  };
  const listener = (): void => {
    if (dump === undefined) {
      deps.log.warn({ signal: "SIGUSR1" }, IGNORED);
      deps.onDump?.({ ok: false, error: IGNORED });
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => {
      running = undefined;
    });
  };
  process.on("SIGUSR1", listener);
  return () => {
    process.off("SIGUSR1", listener);
  };
}

/** Builds one dump and writes it where `spec.dumpOnSigusr1` says; never throws. */
export async function dumpOnce(spec: GlobalSpec, deps: DumpDeps): Promise<DumpResult> {
  const dump = spec.dumpOnSigusr1;
  if (dump === undefined) return { ok: false, error: IGNORED };
  try {
    const document = await dumpDocument(deps);
    if (dump.destination === "log") {
      deps.log.info({ signal: "SIGUSR1", dump: document }, "SIGUSR1 dump");
      return { ok: true, destination: "log" };
    }
    const path = expand(dump.path ?? "", deps.env ?? process.env);
    if (path === "") throw new Error("dump_on_sigusr1.path is empty");
    // Written beside the target and renamed, so a reader never sees half a dump.
    const partial = `${path}.partial`;
    await writeFile(partial, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    await rename(partial, path);
    deps.log.info({ signal: "SIGUSR1", path }, `SIGUSR1 dump written to ${path}`);
    return { ok: true, destination: "file", path };
  } catch (error) {
    const message = redactSecrets((error as Error).message);
    deps.log.error({ signal: "SIGUSR1", error: message }, `SIGUSR1 dump failed: ${message}`);
    return { ok: false, error: message };
  }
}

async function dumpDocument(deps: DumpDeps): Promise<DumpDocument> {
  const state = masked(await exportState(deps.store));
  const metrics = await deps.metricsText();
  return {
    dumped_at: new Date((deps.now ?? Date.now)()).toISOString(),
    state,
    metrics: metrics === undefined ? null : redactSecrets(metrics),
  };
}

function masked(document: StateDocument): StateDocument {
  const out: Record<string, Record<string, string>> = {};
  for (const [source, keys] of Object.entries(document)) {
    const shown: Record<string, string> = {};
    for (const [key, value] of Object.entries(keys)) shown[key] = redactSecrets(value);
    Object.defineProperty(out, source, {
      value: shown,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
