import { Redis } from "ioredis";
import { redisLeases } from "./lease-redis.ts";
import { checkNamespace, escapeGlob, sortedRecord, sortIds } from "./names.ts";
import { StateError, type StateErrorCode, type StateStore, type StoreFactory } from "./store.ts";
import { parseStoreUrl, redact, type StoreUrl } from "./url.ts";

/** The Rust Helr's default when `state.url` is absent. */
const DEFAULT_URL = "redis://127.0.0.1:6379";
const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 15_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Redis state, compatible with the Rust Helr: one hash per source at `helr:state:{source_id}`,
 * field = key. `commit` is one MULTI/EXEC (HSET + HDEL on the same hash), so a position and its
 * marks change together or not at all; a fenced commit is one Lua script that checks the lease
 * first (lease-redis.ts, whose keys sit beside the Rust layout, never inside it).
 *
 * Opening makes one connection attempt, bounded by a timeout: a wrong URL fails at start-up
 * with the host and port (never the password). Once open, a dropped connection is retried in
 * the background; a command issued meanwhile fails rather than waiting without bound.
 */
export const redisStore: StoreFactory = async ({ url = DEFAULT_URL, namespace }) => {
  const target = parseStoreUrl(url, ["redis:", "rediss:"], 6379);
  const prefix = `${namespace === undefined ? "" : `${checkNamespace(namespace)}:`}helr:state:`;
  const client = await connect(url, target);
  const hash = (sourceId: string): string => prefix + sourceId;
  const attempt = async <T>(code: StateErrorCode, what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new StateError(code, `Redis at ${target.endpoint}: cannot ${what}: ${reason(error, target)}`);
    }
  };
  const leases = redisLeases(client, namespace, attempt);
  const store: StateStore = {
    backend: "redis",
    leases,
    async read(sourceId) {
      const fields = await attempt("HELR_STATE_READ", "read state", () => client.hgetall(hash(sourceId)));
      return sortedRecord(Object.entries(fields));
    },
    async commit(sourceId, changes, fence) {
      const sets: string[] = [];
      const deletes: string[] = [];
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) deletes.push(key);
        else sets.push(key, value);
      }
      if (fence !== undefined) return leases.commitFenced(hash(sourceId), sourceId, fence, sets, deletes);
      if (sets.length === 0 && deletes.length === 0) return;
      await attempt("HELR_STATE_WRITE", "write state", async () => {
        const tx = client.multi();
        if (sets.length > 0) tx.hset(hash(sourceId), ...sets);
        if (deletes.length > 0) tx.hdel(hash(sourceId), ...deletes);
        const results = await tx.exec();
        const failed = results?.find(([error]) => error !== null)?.[0];
        if (results === null || failed) throw failed ?? new Error("transaction aborted");
      });
    },
    async listSources() {
      return attempt("HELR_STATE_READ", "list sources", () => scanSources(client, prefix));
    },
    async clear(sourceId) {
      await attempt("HELR_STATE_WRITE", "clear state", () => client.del(hash(sourceId)));
    },
    async ping() {
      await attempt("HELR_STATE_READ", "ping", () => client.ping());
    },
    async close() {
      if (client.status === "ready") await client.quit().catch(() => client.disconnect());
      else if (client.status !== "end") client.disconnect();
    },
  };
  return store;
};

/** Connects once; resolves when the server answered a PING, rejects with `HELR_STATE_CONNECT`. */
async function connect(url: string, target: StoreUrl): Promise<Redis> {
  let opened = false;
  let lastError: unknown;
  const client = new Redis(url, {
    lazyConnect: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    // null while opening: one attempt, then "end" — never an endless loop against a wrong URL.
    retryStrategy: (times) => (opened ? Math.min(times * 200, MAX_RECONNECT_DELAY_MS) : null),
  });
  // Without a listener ioredis prints every connection error; commands report their own.
  client.on("error", (error: unknown) => {
    lastError = error;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("end", () => reject(lastError ?? new Error("connection closed")));
    });
    await client.ping();
    opened = true;
    return client;
  } catch (error) {
    // After a failed first attempt the client has already ended; disconnecting it again
    // would leave a 2 s timer that keeps the process alive.
    if (client.status !== "end") client.disconnect();
    throw new StateError(
      "HELR_STATE_CONNECT",
      `cannot connect to Redis at ${target.endpoint}: ${reason(error, target)}`,
    );
  }
}

/** Every source with state: SCAN (never KEYS, which blocks the server) over the prefix. */
async function scanSources(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${escapeGlob(prefix)}*`, "COUNT", 100);
    for (const key of keys) found.push(key.slice(prefix.length));
    cursor = next;
  } while (cursor !== "0");
  return sortIds(found);
}

function reason(error: unknown, target: StoreUrl): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message || String((error as { code?: string })?.code ?? "unknown error"), target);
}
