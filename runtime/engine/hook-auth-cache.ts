import type { BoundSource } from "../app.ts";
import type { AuthResult } from "../hooks/shape.ts";

/**
 * getAuth's results, per source, for `auth_cache_ttl_secs` (hook-stages.ts reads and fills it).
 * Its own module so the per-source context can drop an entry (a new lease) without importing
 * the hook stages.
 */
export const cachedAuth = new WeakMap<BoundSource, { readonly auth: AuthResult; readonly atMs: number }>();

/** Forgets the source's cached getAuth result: the next poll calls getAuth again. */
export function forgetHookAuth(source: BoundSource): void {
  cachedAuth.delete(source);
}
