import { compareCodePoints } from "./names.ts";

/** What one replica knows when it plans: the live leases and the live replicas of its bundle. */
export interface PlanInput {
  /** This replica's id. */
  readonly me: string;
  /** The bundle's source ids. */
  readonly sources: readonly string[];
  /** The sources this replica holds by its own account (renewed in time, not lost). */
  readonly held: ReadonlySet<string>;
  /**
   * Live leases by source id → holder, as the store lists them (sources of other bundles are
   * ignored). A lease the store still shows under `me` but that is not in `held` (given up
   * locally, as it could have expired) counts as free: taking it again issues a new token.
   */
  readonly holders: ReadonlyMap<string, string>;
  /** Live replicas that run this bundle; `me` is counted whether listed or not. */
  readonly replicas: readonly string[];
}

/** What to do in one step. */
export interface LeasePlan {
  /** How many sources this replica should hold. */
  readonly target: number;
  /** Free sources to try to take now, most preferred first (as many as the target is short). */
  readonly acquire: readonly string[];
  /**
   * When this replica holds more than its target: every source it holds, least preferred
   * first, as candidates. The caller drops at most one per step, the first that is not being
   * polled ({@link chooseRelease}), so rebalancing is gradual and a busy source never blocks it.
   */
  readonly release: readonly string[];
}

/**
 * The fair share of each replica: `n` sources over `r` replicas give `ceil(n / r)` to the first
 * `n mod r` replicas in id order and `floor(n / r)` to the others, so the targets add up to
 * `n` and no two differ by more than one.
 */
export function targets(sourceCount: number, replicas: readonly string[]): Map<string, number> {
  const ids = [...new Set(replicas)].sort(compareCodePoints);
  const base = Math.floor(sourceCount / Math.max(1, ids.length));
  const extra = sourceCount - base * ids.length;
  return new Map(ids.map((id, i) => [id, base + (i < extra ? 1 : 0)]));
}

/**
 * Plans one replica's step (pure). It takes free sources until it holds its target and offers
 * its surplus for release; replicas prefer different sources (rendezvous hashing of replica
 * and source), so they rarely race for the same free one. A source held by anyone, even a
 * replica that has died but whose lease has not expired yet, is never in `acquire`.
 */
export function planLeases({ me, sources, held, holders, replicas }: PlanInput): LeasePlan {
  const target = targets(sources.length, [...replicas, me]).get(me) ?? 0;
  const byPreference = (a: string, b: string) =>
    preference(me, b) - preference(me, a) || compareCodePoints(a, b);
  const mine = sources.filter((id) => held.has(id)).sort(byPreference);
  const free = sources.filter((id) => !held.has(id) && (holders.get(id) ?? me) === me).sort(byPreference);
  return {
    target,
    acquire: free.slice(0, Math.max(0, target - mine.length)),
    release: mine.length > target ? [...mine].reverse() : [],
  };
}

/** The one source to release this step, if any: the first candidate the caller may drop now. */
export function chooseRelease(
  plan: LeasePlan,
  mayRelease: (sourceId: string) => boolean,
): string | undefined {
  return plan.release.find(mayRelease);
}

/**
 * How much `replica` wants `sourceId`: FNV-1a over both, then Murmur3's finaliser so that
 * replicas with similar ids still rank sources independently. Stable across processes.
 */
export function preference(replica: string, sourceId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`${replica}\u0000${sourceId}`, "utf8")) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
