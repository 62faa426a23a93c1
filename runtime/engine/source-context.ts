import type { BoundSource } from "../app.ts";
import type { HttpSend } from "../http/client.ts";
import type { SourceSpec } from "../spec.ts";
import { DedupeWindow } from "./dedupe.ts";
import { forgetHookAuth } from "./hook-auth-cache.ts";
import type { PageContext } from "./page-lines.ts";
import type { PollDeps } from "./types.ts";

/**
 * What a source keeps between polls in one process: its dedupe window, filters and sender. The
 * window is the only part read from the state store; it is loaded on the first poll, and again
 * whenever a poll runs under another lease than the load did (`PollDeps.leaseToken`).
 *
 * With replicas, a source may be polled by another replica between two leases of this one:
 * whatever this process remembers of it from before may be stale then, so a new lease loads the
 * window again and drops the cached credentials (see {@link SourceContext.startPoll}).
 */
export interface SourceContext {
  readonly spec: SourceSpec;
  readonly page: PageContext;
  readonly send: HttpSend;
  /** Sender for token-endpoint requests. */
  readonly tokenSend: HttpSend;
  /**
   * Called first in every poll with `state` (what the poll read from the store) and the lease
   * the poll runs under. Loads the persisted dedupe window once per process, or with replicas
   * once per lease. Under a lease after an earlier one (this replica took the source back, and
   * another one may have polled it meanwhile) it also drops the cached credentials: the access
   * token, the rotated refresh token held in memory (another replica may have rotated it since;
   * sending a rotated-away one fails, and a server detecting its reuse revokes the whole chain),
   * and a getAuth hook's cached result. The next request reads them afresh, from the store.
   */
  startPoll(state: Readonly<Record<string, string>>, leaseToken: number | undefined): void;
  /** State changes persisting ids first emitted by a page. */
  dedupeChanges(newIds: readonly string[]): Record<string, string | null>;
}

const contexts = new WeakMap<BoundSource, { deps: PollDeps; context: SourceContext }>();

/** The context of a source, created on its first poll and kept while the deps are the same. */
export function sourceContext(source: BoundSource, deps: PollDeps): SourceContext {
  const cached = contexts.get(source);
  if (cached && cached.deps.store === deps.store && cached.deps.http === deps.http) return cached.context;
  const context = createContext(source, deps);
  contexts.set(source, { deps, context });
  return context;
}

function createContext(source: BoundSource, deps: PollDeps): SourceContext {
  const { spec } = source;
  const dedupe = spec.dedupe ? new DedupeWindow(spec.dedupe.capacity) : undefined;
  /** The lease of the last poll (token undefined: without replicas); unset before the first poll. */
  let polled: { readonly token: number | undefined } | undefined;
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
    startPoll(state, leaseToken) {
      const previous = polled;
      if (previous !== undefined && previous.token === leaseToken) return;
      polled = { token: leaseToken };
      dedupe?.load(state);
      if (previous === undefined) return;
      source.auth?.reset?.();
      forgetHookAuth(source);
    },
    dedupeChanges(newIds) {
      return dedupe ? dedupe.commitChanges(newIds) : {};
    },
  };
}
