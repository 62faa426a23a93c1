import { escapeIdentifier, type Pool, type PoolClient } from "pg";
import type { Fence, LeaseStore, Member } from "./lease.ts";
import { leaseLost } from "./lease-errors.ts";
import { compareCodePoints } from "./names.ts";
import { inTransaction } from "./pg-transaction.ts";
import type { StoreAttempt } from "./store.ts";

/** Postgres leases plus the fenced commit, which runs the store's writes under the lease row's lock. */
export interface PostgresLeases extends LeaseStore {
  /** Runs `write` in a transaction that first locks this source's lease row and checks `fence`. */
  commitFenced(sourceId: string, fence: Fence, write: (client: PoolClient) => Promise<void>): Promise<void>;
}

/** `now() + ttl` in SQL, the TTL (milliseconds) given as a parameter: expiry is the server's clock. */
const EXPIRY = (param: string) => `now() + ${param}::float8 * interval '1 millisecond'`;
const MS_LEFT = "(extract(epoch FROM expires_at - now()) * 1000)::bigint AS ms";

/**
 * Tables beside (never in) the Rust Helr's `helr_state`: `helr_lease(source_id, holder, token,
 * expires_at)` — the row stays after a release, so its token keeps counting — and
 * `helr_replica(replica_id, fingerprint, expires_at)`, both prefixed `{namespace}_` when the
 * store has one. They are created on first use, so a store that never runs replicas (or a
 * database user without CREATE) is unaffected.
 */
export function postgresLeases(
  pool: Pool,
  namespace: string | undefined,
  attempt: StoreAttempt,
): PostgresLeases {
  const prefix = namespace === undefined ? "" : `${namespace}_`;
  const leases = escapeIdentifier(`${prefix}helr_lease`);
  const replicas = escapeIdentifier(`${prefix}helr_replica`);
  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    ready ??= inTransaction(pool, (client) => createTables(client, leases, replicas)).catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  const query = async <R extends object>(text: string, values: unknown[]) => {
    await ensure();
    return pool.query<R>(text, values);
  };
  const write = (what: string, text: string, values: unknown[]) =>
    attempt("HELR_STATE_WRITE", what, () => query(text, values));
  return {
    async acquire(sourceId, holder, ttlMs) {
      // One statement: a concurrent acquirer waits for the row lock, then sees this holder.
      const result = await attempt("HELR_STATE_WRITE", `acquire the lease of source ${sourceId}`, () =>
        query<{ token: string; ms: string }>(
          `INSERT INTO ${leases} AS l (source_id, holder, token, expires_at) VALUES ($1, $2, 1, ${EXPIRY("$3")})
           ON CONFLICT (source_id) DO UPDATE
             SET holder = excluded.holder, token = l.token + 1, expires_at = excluded.expires_at
             WHERE l.holder IS NULL OR l.holder = excluded.holder OR l.expires_at <= now()
           RETURNING token, ${MS_LEFT}`,
          [sourceId, holder, ttlMs],
        ),
      );
      const row = result.rows[0];
      return row === undefined
        ? undefined
        : { sourceId, holder, token: Number(row.token), expiresInMs: Number(row.ms) };
    },
    async renew(sourceId, fence, ttlMs) {
      const result = await write(
        `renew the lease of source ${sourceId}`,
        `UPDATE ${leases} SET expires_at = ${EXPIRY("$4")}
         WHERE source_id = $1 AND holder = $2 AND token = $3 AND expires_at > now()`,
        [sourceId, fence.holder, fence.token, ttlMs],
      );
      return result.rowCount === 1;
    },
    async release(sourceId, fence) {
      const result = await write(
        `release the lease of source ${sourceId}`,
        `UPDATE ${leases} SET holder = NULL, expires_at = now() WHERE source_id = $1 AND holder = $2 AND token = $3`,
        [sourceId, fence.holder, fence.token],
      );
      return result.rowCount === 1;
    },
    async list(sourceIds) {
      const filter = sourceIds === undefined ? "" : "AND source_id = ANY($1::text[])";
      const result = await attempt("HELR_STATE_READ", "list leases", () =>
        query<{ source_id: string; holder: string; token: string; ms: string }>(
          `SELECT source_id, holder, token, ${MS_LEFT} FROM ${leases}
           WHERE holder IS NOT NULL AND expires_at > now() ${filter}`,
          sourceIds === undefined ? [] : [[...sourceIds]],
        ),
      );
      return result.rows
        .map((row) => ({
          sourceId: row.source_id,
          holder: row.holder,
          token: Number(row.token),
          expiresInMs: Number(row.ms),
        }))
        .sort((a, b) => compareCodePoints(a.sourceId, b.sourceId));
    },
    async heartbeat(replicaId, fingerprint, ttlMs) {
      const rows = await attempt("HELR_STATE_WRITE", "record this replica", async () => {
        await ensure();
        return inTransaction(pool, async (client) => {
          await client.query(
            `INSERT INTO ${replicas} (replica_id, fingerprint, expires_at) VALUES ($1, $2, ${EXPIRY("$3")})
             ON CONFLICT (replica_id) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at`,
            [replicaId, fingerprint, ttlMs],
          );
          await client.query(`DELETE FROM ${replicas} WHERE expires_at <= now()`);
          return (await client.query<MemberRow>(liveMembers(replicas))).rows;
        });
      });
      return toMembers(rows);
    },
    async members() {
      const result = await attempt("HELR_STATE_READ", "list replicas", () =>
        query<MemberRow>(liveMembers(replicas), []),
      );
      return toMembers(result.rows);
    },
    async leave(replicaId) {
      await write("remove this replica", `DELETE FROM ${replicas} WHERE replica_id = $1`, [replicaId]);
    },
    async commitFenced(sourceId, fence, writeState) {
      const held = await attempt("HELR_STATE_WRITE", "write state", async () => {
        await ensure();
        return inTransaction(pool, async (client) => {
          // FOR UPDATE: an acquire by another replica waits until this checkpoint is in.
          const lease = await client.query(
            `SELECT 1 FROM ${leases}
             WHERE source_id = $1 AND holder = $2 AND token = $3 AND expires_at > now() FOR UPDATE`,
            [sourceId, fence.holder, fence.token],
          );
          if (lease.rowCount !== 1) return false;
          await writeState(client);
          return true;
        });
      });
      if (!held) throw leaseLost(sourceId, fence);
    },
  };
}

interface MemberRow {
  readonly replica_id: string;
  readonly fingerprint: string;
  readonly ms: string;
}

function liveMembers(replicas: string): string {
  return `SELECT replica_id, fingerprint, ${MS_LEFT} FROM ${replicas} WHERE expires_at > now()`;
}

function toMembers(rows: readonly MemberRow[]): Member[] {
  return rows
    .map((row) => ({ replicaId: row.replica_id, fingerprint: row.fingerprint, expiresInMs: Number(row.ms) }))
    .sort((a, b) => compareCodePoints(a.replicaId, b.replicaId));
}

/** Creates the lease tables unless they exist; an advisory lock serialises concurrent first uses. */
async function createTables(client: PoolClient, leases: string, replicas: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [leases]);
  const found = async (table: string) =>
    (await client.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [table])).rows[0]
      ?.found != null;
  if (!(await found(leases))) {
    await client.query(
      `CREATE TABLE ${leases} (
        source_id TEXT PRIMARY KEY,
        holder TEXT,
        token BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      )`,
    );
  }
  if (!(await found(replicas))) {
    await client.query(
      `CREATE TABLE ${replicas} (
        replica_id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      )`,
    );
  }
}
