import type { Redis } from "ioredis";
import type { Fence, Lease, LeaseStore, Member } from "./lease.ts";
import { leaseLost } from "./lease-errors.ts";
import { ACQUIRE, FENCED_COMMIT, HEARTBEAT, MEMBERS, RELEASE, RENEW } from "./lease-redis-scripts.ts";
import { compareCodePoints, escapeGlob, sortIds } from "./names.ts";
import type { StoreAttempt } from "./store.ts";

/** Redis leases plus the fenced commit, which needs the state hash's key too. */
export interface RedisLeases extends LeaseStore {
  /** Writes `sets` and `deletes` to `stateKey` only while `fence` is current (one Lua script). */
  commitFenced(
    stateKey: string,
    sourceId: string,
    fence: Fence,
    sets: readonly string[],
    deletes: readonly string[],
  ): Promise<void>;
}

/**
 * Key layout, beside (never inside) the Rust Helr's `helr:state:*`: `helr:lease:{source}` (hash
 * holder/token, PX expiry), `helr:lease-token:{source}` (the token counter), `helr:replicas`
 * (zset of replica ids scored by expiry) and `helr:replica-sources` (replica id → fingerprint),
 * each prefixed with `{namespace}:` when the store has one.
 */
export function leaseKeys(namespace: string | undefined) {
  const base = `${namespace === undefined ? "" : `${namespace}:`}helr:`;
  return {
    leasePrefix: `${base}lease:`,
    lease: (sourceId: string) => `${base}lease:${sourceId}`,
    token: (sourceId: string) => `${base}lease-token:${sourceId}`,
    replicas: `${base}replicas`,
    fingerprints: `${base}replica-sources`,
  };
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** Leases on the state store's own connection; `namespace` is already checked. */
export function redisLeases(
  client: Redis,
  namespace: string | undefined,
  attempt: StoreAttempt,
): RedisLeases {
  const keys = leaseKeys(namespace);
  const scripts = { ACQUIRE, RENEW, RELEASE, FENCED_COMMIT, HEARTBEAT, MEMBERS };
  for (const [name, lua] of Object.entries(scripts)) client.defineCommand(`helr_${name}`, { lua });
  // defineCommand adds methods ioredis cannot type; EVALSHA with an EVAL fallback on NOSCRIPT.
  const commands = client as unknown as Record<string, Script>;
  const run = (name: keyof typeof scripts, keyList: string[], ...args: (string | number)[]) =>
    (commands[`helr_${name}`] as Script).call(client, keyList.length, ...keyList, ...args);
  const read = (sourceIds: readonly string[]) => readLeases(client, keys, sourceIds);
  return {
    async acquire(sourceId, holder, ttlMs) {
      const token = await attempt("HELR_STATE_WRITE", `acquire the lease of source ${sourceId}`, () =>
        run("ACQUIRE", [keys.lease(sourceId), keys.token(sourceId)], holder, ttlMs),
      );
      return token === null ? undefined : { sourceId, holder, token: Number(token), expiresInMs: ttlMs };
    },
    async renew(sourceId, fence, ttlMs) {
      const done = await attempt("HELR_STATE_WRITE", `renew the lease of source ${sourceId}`, () =>
        run("RENEW", [keys.lease(sourceId)], fence.holder, fence.token, ttlMs),
      );
      return done === 1;
    },
    async release(sourceId, fence) {
      const done = await attempt("HELR_STATE_WRITE", `release the lease of source ${sourceId}`, () =>
        run("RELEASE", [keys.lease(sourceId)], fence.holder, fence.token),
      );
      return done === 1;
    },
    async list(sourceIds) {
      return attempt("HELR_STATE_READ", "list leases", async () =>
        read(sourceIds ?? (await scanIds(client, keys.leasePrefix))),
      );
    },
    async heartbeat(replicaId, fingerprint, ttlMs) {
      const flat = await attempt("HELR_STATE_WRITE", "record this replica", () =>
        run("HEARTBEAT", [keys.replicas, keys.fingerprints], replicaId, fingerprint, ttlMs),
      );
      return members(flat);
    },
    async members() {
      const flat = await attempt("HELR_STATE_READ", "list replicas", () =>
        run("MEMBERS", [keys.replicas, keys.fingerprints]),
      );
      return members(flat);
    },
    async leave(replicaId) {
      await attempt("HELR_STATE_WRITE", "remove this replica", () =>
        client.multi().zrem(keys.replicas, replicaId).hdel(keys.fingerprints, replicaId).exec(),
      );
    },
    async commitFenced(stateKey, sourceId, fence, sets, deletes) {
      const done = await attempt("HELR_STATE_WRITE", "write state", () =>
        run(
          "FENCED_COMMIT",
          [keys.lease(sourceId), stateKey],
          fence.holder,
          fence.token,
          sets.length / 2,
          ...sets,
          ...deletes,
        ),
      );
      if (done !== 1) throw leaseLost(sourceId, fence);
    },
  };
}

/** One pipeline: holder, token and time left of each lease; missing or expired ones are left out. */
async function readLeases(
  client: Redis,
  keys: ReturnType<typeof leaseKeys>,
  sourceIds: readonly string[],
): Promise<Lease[]> {
  const ids = sortIds(sourceIds);
  const pipeline = client.pipeline();
  for (const id of ids) pipeline.hmget(keys.lease(id), "holder", "token").pttl(keys.lease(id));
  const replies = (await pipeline.exec()) ?? [];
  const leases: Lease[] = [];
  ids.forEach((sourceId, i) => {
    const [fieldsError, fields] = replies[2 * i] ?? [];
    const [ttlError, ttl] = replies[2 * i + 1] ?? [];
    if (fieldsError || ttlError) throw fieldsError ?? ttlError;
    const [holder, token] = fields as (string | null)[];
    if (holder == null || token == null || typeof ttl !== "number" || ttl < 0) return;
    leases.push({ sourceId, holder, token: Number(token), expiresInMs: ttl });
  });
  return leases;
}

/** Source ids of every lease key: SCAN over the lease prefix (never KEYS). */
async function scanIds(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", `${escapeGlob(prefix)}*`, "COUNT", 100);
    for (const key of batch) found.push(key.slice(prefix.length));
    cursor = next;
  } while (cursor !== "0");
  return found;
}

function members(flat: unknown): Member[] {
  const items = flat as string[];
  const out: Member[] = [];
  for (let i = 0; i + 2 < items.length; i += 3) {
    out.push({
      replicaId: items[i] as string,
      expiresInMs: Math.max(0, Number(items[i + 1])),
      fingerprint: items[i + 2] as string,
    });
  }
  return out.sort((a, b) => compareCodePoints(a.replicaId, b.replicaId));
}
