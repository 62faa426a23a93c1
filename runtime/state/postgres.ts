import { escapeIdentifier, Pool, type PoolClient } from "pg";
import { postgresLeases } from "./lease-postgres.ts";
import { checkNamespace, sortedRecord, sortIds } from "./names.ts";
import { inTransaction } from "./pg-transaction.ts";
import { StateError, type StateErrorCode, type StateStore, type StoreFactory } from "./store.ts";
import { parseStoreUrl, redact, type StoreUrl } from "./url.ts";

const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * PostgreSQL state, compatible with the Rust Helr: table `helr_state(source_id, key, value,
 * updated_at BIGINT unix seconds)`, created if missing. `commit` is one transaction (upsert
 * with ON CONFLICT, then deletes); keys are written in sorted order so concurrent commits to
 * one source lock rows in the same order and cannot deadlock. A fenced commit runs the same
 * writes in a transaction that first locks the source's lease row (lease-postgres.ts).
 */
export const postgresStore: StoreFactory = async ({ url, namespace }) => {
  if (url === undefined || url === "") {
    throw new StateError(
      "HELR_STATE_CONFIG",
      "state backend postgres needs state.url (or HELR_STATE_URL), e.g. postgres://helr@db.example.com/helr",
    );
  }
  const target = parseStoreUrl(url, ["postgres:", "postgresql:"], 5432);
  const table = escapeIdentifier(
    `${namespace === undefined ? "" : `${checkNamespace(namespace)}_`}helr_state`,
  );
  const pool = new Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: "helr",
    max: 4,
  });
  // An idle connection that dies is dropped by the pool; the next query opens a fresh one.
  pool.on("error", () => {});
  try {
    await inTransaction(pool, (client) => createTable(client, table));
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StateError(
      "HELR_STATE_CONNECT",
      `cannot open PostgreSQL state at ${target.endpoint}: ${reason(error, target)}`,
    );
  }
  const attempt = async <T>(code: StateErrorCode, what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new StateError(
        code,
        `PostgreSQL at ${target.endpoint}: cannot ${what}: ${reason(error, target)}`,
      );
    }
  };
  const leases = postgresLeases(pool, namespace, attempt);
  const store: StateStore = {
    backend: "postgres",
    leases,
    async read(sourceId) {
      const result = await attempt("HELR_STATE_READ", "read state", () =>
        pool.query<{ key: string; value: string }>(`SELECT key, value FROM ${table} WHERE source_id = $1`, [
          sourceId,
        ]),
      );
      return sortedRecord(result.rows.map((row) => [row.key, row.value] as const));
    },
    async commit(sourceId, changes, fence) {
      const entries = Object.entries(changes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const sets = entries.filter((entry): entry is [string, string] => entry[1] !== null);
      const deletes = entries.filter(([, value]) => value === null).map(([key]) => key);
      const write = async (client: PoolClient): Promise<void> => {
        if (sets.length > 0) await upsert(client, table, sourceId, sets);
        if (deletes.length > 0)
          await client.query(`DELETE FROM ${table} WHERE source_id = $1 AND key = ANY($2::text[])`, [
            sourceId,
            deletes,
          ]);
      };
      if (fence !== undefined) return leases.commitFenced(sourceId, fence, write);
      if (entries.length === 0) return;
      await attempt("HELR_STATE_WRITE", "write state", () => inTransaction(pool, write));
    },
    async listSources() {
      const result = await attempt("HELR_STATE_READ", "list sources", () =>
        pool.query<{ source_id: string }>(`SELECT DISTINCT source_id FROM ${table}`),
      );
      return sortIds(result.rows.map((row) => row.source_id));
    },
    async clear(sourceId) {
      await attempt("HELR_STATE_WRITE", "clear state", () =>
        pool.query(`DELETE FROM ${table} WHERE source_id = $1`, [sourceId]),
      );
    },
    async ping() {
      await attempt("HELR_STATE_READ", "ping", () => pool.query("SELECT 1"));
    },
    async close() {
      await pool.end();
    },
  };
  return store;
};

/** Creates the table unless it exists; an advisory lock serialises concurrent first starts. */
async function createTable(client: PoolClient, table: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [table]);
  const exists = await client.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [table]);
  if (exists.rows[0]?.found != null) return;
  await client.query(
    `CREATE TABLE ${table} (
      source_id TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (source_id, key)
    )`,
  );
}

async function upsert(
  client: PoolClient,
  table: string,
  sourceId: string,
  sets: readonly (readonly [string, string])[],
): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (source_id, key, value, updated_at)
     SELECT $1, t.key, t.value, $4 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(key, value, n)
     ORDER BY t.n
     ON CONFLICT (source_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [sourceId, sets.map(([key]) => key), sets.map(([, value]) => value), Math.floor(Date.now() / 1000)],
  );
}

function reason(error: unknown, target: StoreUrl): string {
  const err = error as { message?: string; code?: string };
  const message = err?.message || err?.code || String(error);
  return redact(message, target);
}
