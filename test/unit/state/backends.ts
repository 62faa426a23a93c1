/**
 * The real backends the state contract runs against, each behind one small fixture: fresh,
 * isolated storage per test (a temp file, or a unique Redis key prefix / Postgres table),
 * removed afterwards, so parallel runs on one server never collide.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import pg from "pg";
import { describe, it } from "vitest";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { postgresStore } from "../../../runtime/state/postgres.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import { sqliteStore } from "../../../runtime/state/sqlite.ts";
import type { StateStore } from "../../../runtime/state/store.ts";

export const REDIS_URL = process.env.HELR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env.HELR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Unique per test process: namespaces and source ids built from it never collide. */
export const RUN_ID = `${process.pid.toString(36)}${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
let counter = 0;
/** A fresh namespace (letters, digits, `_`). */
export function uniqueNamespace(): string {
  counter += 1;
  return `t_${RUN_ID}_${counter}`;
}

/** One test's storage. */
export interface Fixture {
  /** A store over this fixture's storage; call again after `close()` to reopen it. */
  open(): Promise<StateStore>;
  /**
   * A store over the same storage in which deleting the key `boom` fails inside the backend,
   * after the commit's other writes were sent (the previous store must be closed first).
   */
  openFaulty?(): Promise<StateStore>;
  destroy(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  /** State survives close and reopen. */
  readonly persistent: boolean;
  /** Two stores may be open on the same storage at once (SQLite has a single writer). */
  readonly multiWriter: boolean;
  /** Undefined when usable; otherwise why not (the server is down, …). */
  unavailable(): Promise<string | undefined>;
  fixture(): Promise<Fixture>;
}

const memory: Backend = {
  name: "memory",
  persistent: false,
  multiWriter: false,
  unavailable: async () => undefined,
  fixture: async () => ({ open: () => memoryStore({ path: "" }), destroy: async () => {} }),
};

const sqlite: Backend = {
  name: "sqlite",
  persistent: true,
  multiWriter: false,
  unavailable: async () => undefined,
  fixture: async () => {
    const dir = mkdtempSync(join(tmpdir(), "helr-contract-"));
    const path = join(dir, "state.db");
    return {
      open: () => sqliteStore({ path }),
      openFaulty: async () => {
        const db = new Database(path);
        db.exec(`CREATE TRIGGER fault BEFORE DELETE ON helr_state WHEN OLD.key = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
        db.close();
        return sqliteStore({ path });
      },
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const redis: Backend = {
  name: "redis",
  persistent: true,
  multiWriter: true,
  unavailable: () => probe(() => redisStore({ path: "", url: REDIS_URL, namespace: uniqueNamespace() })),
  fixture: async () => {
    const namespace = uniqueNamespace();
    const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    const user = `helr_${namespace}`;
    return {
      open: () => redisStore({ path: "", url: REDIS_URL, namespace }),
      openFaulty: async () => {
        // A user who may not HDEL: the HDEL queued in MULTI is refused, so EXEC discards it all.
        await admin.call("ACL", "SETUSER", user, "on", ">fault-pw", "~*", "&*", "+@all", "-hdel");
        const url = new URL(REDIS_URL);
        url.username = user;
        url.password = "fault-pw";
        return redisStore({ path: "", url: url.href, namespace });
      },
      destroy: async () => {
        await deleteByPattern(admin, `${namespace}:*`);
        await admin.call("ACL", "DELUSER", user);
        await admin.quit();
      },
    };
  },
};

const postgres: Backend = {
  name: "postgres",
  persistent: true,
  multiWriter: true,
  unavailable: async () => {
    try {
      await sql("SELECT 1");
      return undefined;
    } catch (error) {
      return `${(error as Error).message || (error as { code?: string }).code} (${new URL(POSTGRES_URL).host})`;
    }
  },
  fixture: async () => {
    const namespace = uniqueNamespace();
    const table = pg.escapeIdentifier(`${namespace}_helr_state`);
    const fn = pg.escapeIdentifier(`${namespace}_fault`);
    return {
      open: () => postgresStore({ path: "", url: POSTGRES_URL, namespace }),
      openFaulty: async () => {
        await sql(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN IF OLD.key = 'boom' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN OLD; END $$;
                   CREATE TRIGGER fault BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
        return postgresStore({ path: "", url: POSTGRES_URL, namespace });
      },
      destroy: async () => {
        const leaseTables = ["helr_lease", "helr_replica"].map((t) =>
          pg.escapeIdentifier(`${namespace}_${t}`),
        );
        await sql(
          `DROP TABLE IF EXISTS ${table}, ${leaseTables.join(", ")}; DROP FUNCTION IF EXISTS ${fn}();`,
        );
      },
    };
  },
};

/** Every backend, in the order the contract reports them. */
export const BACKENDS: readonly Backend[] = [memory, sqlite, redis, postgres];

/** Runs SQL as the test's admin connection. */
export async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key matching a glob (SCAN, then DEL). */
export async function deleteByPattern(client: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

async function probe(open: () => Promise<StateStore>): Promise<string | undefined> {
  try {
    await (await open()).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * `describe` for a backend that may be down: runs `body` when it is reachable; otherwise skips
 * with a note, or — under CI, where Redis and Postgres are provisioned — fails with the reason.
 */
export function describeBackend(
  backend: Backend,
  problem: string | undefined,
  title: string,
  body: () => void,
): void {
  if (problem !== undefined && inCi()) {
    describe(title, () => {
      it(`needs ${backend.name}, which is required under CI`, () => {
        throw new Error(`${backend.name} is unreachable: ${problem}`);
      });
    });
    return;
  }
  if (problem !== undefined) {
    console.warn(`${title}: skipped, ${backend.name} is unreachable (${problem}); under CI this fails`);
  }
  describe.skipIf(problem !== undefined)(title, body);
}

/** Looks a backend up by name. */
export function backendNamed(name: string): Backend {
  const backend = BACKENDS.find((b) => b.name === name);
  if (!backend) throw new Error(`no backend ${name}`);
  return backend;
}

/** True when running in CI, where a missing Redis or Postgres is a failure, not a skip. */
export function inCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}
