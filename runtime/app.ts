import type { Authenticator } from "./auth/types.ts";
import type { SourceHooks } from "./hooks/binding.ts";
import type { Paginator } from "./paginate/types.ts";
import type { AuthSpec, GlobalSpec, HooksSpec, SourceSpec, StateBackend } from "./spec.ts";
import type { StoreFactory } from "./state/store.ts";

/** A source's spec bound to the runtime pieces its generated module chose. */
export interface BoundSource {
  readonly spec: SourceSpec;
  readonly auth: Authenticator | undefined;
  readonly paginator: Paginator;
  /** The source's hook script, when it has one (links QuickJS into the bundle). */
  readonly hooks?: SourceHooks;
}

/** Everything a bundle runs: built by the generated `index.ts`. */
export interface App {
  readonly version: string;
  readonly global: GlobalSpec;
  readonly sources: readonly BoundSource[];
  /** Only the backends this bundle links; the others are not in the file at all. */
  readonly stores: Readonly<Partial<Record<StateBackend, StoreFactory>>>;
}

/** The factories a generated module passes for its source. */
export interface SourceParts<S extends SourceSpec> {
  readonly auth?: (spec: NonNullable<S["auth"]>) => Authenticator;
  readonly pagination: (spec: S["pagination"]) => Paginator;
  readonly hooks?: (spec: HooksSpec) => SourceHooks;
}

/** Binds a source spec to its auth and pagination factories (called by generated modules). */
export function defineSource<S extends SourceSpec>(spec: S, parts: SourceParts<S>): BoundSource {
  const auth =
    spec.auth !== undefined && parts.auth ? parts.auth(spec.auth as NonNullable<S["auth"]>) : undefined;
  if (spec.auth !== undefined && auth === undefined) {
    throw new Error(`source "${spec.id}": auth ${(spec.auth as AuthSpec).type} has no factory (helrc bug)`);
  }
  const hooks = spec.hooks !== undefined && parts.hooks ? parts.hooks(spec.hooks) : undefined;
  if (spec.hooks !== undefined && hooks === undefined)
    throw new Error(`source "${spec.id}": hooks have no factory (helrc bug)`);
  return { spec, auth, paginator: parts.pagination(spec.pagination), ...(hooks ? { hooks } : {}) };
}
