import type { BoundSource } from "../app.ts";
import type { HttpSend } from "../http/client.ts";
import type { SourceSpec } from "../spec.ts";
import { DedupeWindow } from "./dedupe.ts";
import type { PageContext } from "./page-lines.ts";
import type { PollDeps } from "./types.ts";

/**
 * What a source keeps between polls in one process: its dedupe window, filters and sender. The
 * window is the only part read from the state store; it is loaded on the first poll, and again
 * whenever a poll runs under another lease than the load did (`PollDeps.leaseToken`).
 */
export interface SourceContext {
  readonly spec: SourceSpec;
  readonly page: PageContext;
  readonly send: HttpSend;
  /** Sender for token-endpoint requests. */
  readonly tokenSend: HttpSend;
  /**
   * Loads the persisted dedupe window from `state` (what the poll read from the store): once
   * per process, or once per lease when `leaseToken` is set.
   */
  loadDedupe(state: Readonly<Record<string, string>>, leaseToken?: number): void;
  /** State changes persisting ids first emitted by a page. */
  dedupeChanges(newIds: readonly string[]): Record<string, string | null>;
}

const contexts = new WeakMap<BoundSource, { deps: PollDeps; context: SourceContext }>();

/** The context of a source, created on its first poll and kept while the deps are the same. */
export function sourceContext(source: BoundSource, deps: PollDeps): SourceContext {
  const cached = contexts.get(source);
  if (cached && cached.deps.store === deps.store && cached.deps.http === deps.http) return cached.context;
  const context = createContext(source.spec, deps);
  contexts.set(source, { deps, context });
  return context;
}

function createContext(spec: SourceSpec, deps: PollDeps): SourceContext {
  const dedupe = spec.dedupe ? new DedupeWindow(spec.dedupe.capacity) : undefined;
  /** The lease token the window was loaded under (undefined: without replicas); unset until loaded. */
  let loaded: { readonly token: number | undefined } | undefined;
  return {
    spec,
    send: deps.http,
    tokenSend: deps.tokenHttp ?? deps.http,
    page: {
      spec,
      include: spec.extract.include.map((source) => new RegExp(source)),
      exclude: spec.extract.exclude.map((source) => new RegExp(source)),
      dedupe,
      now: deps.now,
    },
    loadDedupe(state, leaseToken) {
      if (!dedupe || (loaded !== undefined && loaded.token === leaseToken)) return;
      dedupe.load(state);
      loaded = { token: leaseToken };
    },
    dedupeChanges(newIds) {
      return dedupe ? dedupe.commitChanges(newIds) : {};
    },
  };
}
