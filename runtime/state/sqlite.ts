import Database from "better-sqlite3";
import { fenceUnsupported } from "./lease-errors.ts";
import { loadSqliteAddon } from "./native.ts";
import { StateError, type StateStore, type StoreFactory } from "./store.ts";

const SCHEMA = `CREATE TABLE IF NOT EXISTS helr_state (
  source_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source_id, key)
)`;

/**
 * SQLite state (the default), compatible with the Rust Helr's `helr_state` table.
 *
 * WAL journal for crash safety; exclusive locking so a second process on the same file
 * gets a clear error instead of two writers interleaving positions.
 */
export const sqliteStore: StoreFactory = async ({ path }) => {
  const db = openDatabase(path);
  const upsert = db.prepare(
    "INSERT INTO helr_state (source_id, key, value, updated_at) VALUES (?, ?, ?, ?) " +
      "ON CONFLICT (source_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  );
  const remove = db.prepare("DELETE FROM helr_state WHERE source_id = ? AND key = ?");
  const select = db.prepare("SELECT key, value FROM helr_state WHERE source_id = ? ORDER BY key");
  const apply = db.transaction((sourceId: string, changes: Record<string, string | null>) => {
    const now = Math.floor(Date.now() / 1000);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) remove.run(sourceId, key);
      else upsert.run(sourceId, key, value, now);
    }
  });
  const store: StateStore = {
    backend: "sqlite",
    async read(sourceId) {
      const rows = select.all(sourceId) as Array<{ key: string; value: string }>;
      return Object.fromEntries(rows.map((row) => [row.key, row.value]));
    },
    async commit(sourceId, changes, fence) {
      if (fence !== undefined) throw fenceUnsupported("sqlite");
      guard(path, () => apply(sourceId, changes));
    },
    async listSources() {
      const rows = db.prepare("SELECT DISTINCT source_id FROM helr_state ORDER BY source_id").all();
      return (rows as Array<{ source_id: string }>).map((row) => row.source_id);
    },
    async clear(sourceId) {
      guard(path, () => db.prepare("DELETE FROM helr_state WHERE source_id = ?").run(sourceId));
    },
    async ping() {
      guard(path, () => db.prepare("SELECT 1").get());
    },
    async close() {
      db.close();
    },
  };
  return store;
};

function openDatabase(path: string): Database.Database {
  const addon = loadSqliteAddon();
  let db: Database.Database;
  try {
    db = new Database(path, addon ? { nativeBinding: addon as unknown as string } : {});
  } catch (error) {
    throw new StateError("HELR_STATE_OPEN", `cannot open state file ${path}: ${(error as Error).message}`);
  }
  try {
    db.pragma("busy_timeout = 0");
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a power loss can drop only the latest commits, so state can only fall
    // behind the output (pages repeat, never lost). The output's own fsync is the barrier that
    // matters, and this saves one fsync per checkpoint.
    db.pragma("synchronous = NORMAL");
    // Take the write lock now (and keep it): a second process fails here, not mid-run.
    db.exec("BEGIN EXCLUSIVE; COMMIT");
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new StateError(
        "HELR_STATE_LOCKED",
        `state file ${path} is in use by another helr process; SQLite state has a single writer. ` +
          "Stop the other process, or give this one its own state.path (HELR_STATE_PATH).",
      );
    }
    throw new StateError("HELR_STATE_OPEN", `cannot open state file ${path}: ${(error as Error).message}`);
  }
}

function guard(path: string, write: () => unknown): void {
  try {
    write();
  } catch (error) {
    throw new StateError("HELR_STATE_WRITE", `cannot write state file ${path}: ${(error as Error).message}`);
  }
}
