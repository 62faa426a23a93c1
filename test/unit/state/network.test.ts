/**
 * What only the networked stores have: the Rust Helr's exact layout, connection errors that
 * name the server but never the password, and behaviour when the server goes away.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresStore } from "../../../runtime/state/postgres.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import { StateError, type StateStore } from "../../../runtime/state/store.ts";
import { closedPort, startProxy } from "../../support/tcp-proxy.ts";
import {
  backendNamed,
  deleteByPattern,
  describeBackend,
  POSTGRES_URL,
  REDIS_URL,
  RUN_ID,
  sql,
  uniqueNamespace,
} from "./backends.ts";

const redis = backendNamed("redis");
const postgres = backendNamed("postgres");
const [redisProblem, postgresProblem] = await Promise.all([redis.unavailable(), postgres.unavailable()]);
const PASSWORD = "s3cret-Pa55word";

async function failure(open: Promise<StateStore>): Promise<StateError> {
  const error = await open.then(
    async (store) => {
      await store.close();
      return new Error("opened");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateError);
  return error as StateError;
}

function withPort(url: string, port: number, password?: string): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  if (password !== undefined) {
    parsed.username = parsed.username || "helr";
    parsed.password = password;
  }
  return parsed.href;
}

describe("store configuration errors", () => {
  it("rejects other schemes and malformed URLs without echoing them", async () => {
    const scheme = await failure(redisStore({ path: "", url: `http://u:${PASSWORD}@h/` }));
    expect([scheme.code, scheme.message]).toEqual([
      "HELR_STATE_CONFIG",
      "state.url has scheme http:; expected redis:// or rediss://",
    ]);
    const garbage = await failure(postgresStore({ path: "", url: `not a url ${PASSWORD}` }));
    expect(garbage.code).toBe("HELR_STATE_CONFIG");
    expect(garbage.message).not.toContain(PASSWORD);
  });

  it("requires a URL for postgres", async () => {
    const error = await failure(postgresStore({ path: "" }));
    expect(error.code).toBe("HELR_STATE_CONFIG");
    expect(error.message).toMatch(/state backend postgres needs state\.url \(or HELR_STATE_URL\)/);
  });

  it("rejects a namespace that could not be a table name", async () => {
    const error = await failure(redisStore({ path: "", url: REDIS_URL, namespace: 'x"; DROP' }));
    expect(error.code).toBe("HELR_STATE_CONFIG");
  });

  it("fails to connect to a closed port at once, naming host:port but not the password", async () => {
    const port = await closedPort();
    for (const [open, name] of [
      [redisStore, "Redis"],
      [postgresStore, "PostgreSQL"],
    ] as const) {
      const url = withPort(name === "Redis" ? REDIS_URL : POSTGRES_URL, port, PASSWORD);
      const error = await failure(open({ path: "", url }));
      expect(error.code).toBe("HELR_STATE_CONNECT");
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toContain(name);
      expect(error.message).not.toContain(PASSWORD);
    }
  });
});

describeBackend(redis, redisProblem, "redis store on a server", () => {
  let admin: Redis;
  beforeAll(async () => {
    admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await admin.quit();
  });

  it("uses the Rust Helr's layout: one hash per source at helr:state:{source_id}", async () => {
    const id = `helr-test-${RUN_ID}`;
    const store = await redisStore({ path: "", url: REDIS_URL });
    try {
      await store.commit(id, { next_url: "https://h/1", watermark: "5" });
      expect(await admin.type(`helr:state:${id}`)).toBe("hash");
      expect(await admin.hgetall(`helr:state:${id}`)).toEqual({ next_url: "https://h/1", watermark: "5" });
      await admin.hset(`helr:state:${id}`, "written_by", "rust");
      expect(await store.read(id)).toEqual({ next_url: "https://h/1", watermark: "5", written_by: "rust" });
      expect(await store.listSources()).toContain(id);
    } finally {
      await admin.del(`helr:state:${id}`);
      await store.close();
    }
  });

  it("prefixes keys with the namespace, and lists only its own sources", async () => {
    const namespace = uniqueNamespace();
    const store = await redisStore({ path: "", url: REDIS_URL, namespace });
    try {
      await store.commit("okta", { k: "v" });
      expect(await admin.hgetall(`${namespace}:helr:state:okta`)).toEqual({ k: "v" });
      await admin.hset(`helr:state:other-${RUN_ID}`, "k", "v");
      expect(await store.listSources()).toEqual(["okta"]);
    } finally {
      await admin.del(`helr:state:other-${RUN_ID}`);
      await deleteByPattern(admin, `${namespace}:*`);
      await store.close();
    }
  });

  it("refuses a wrong password with the host, not the password", async () => {
    const url = new URL(REDIS_URL);
    url.username = `nobody_${RUN_ID}`;
    url.password = PASSWORD;
    const error = await failure(redisStore({ path: "", url: url.href }));
    expect(error.code).toBe("HELR_STATE_CONNECT");
    expect(error.message).toContain(`Redis at ${url.hostname}:${url.port || 6379}`);
    expect(error.message).not.toContain(PASSWORD);
  });

  it("fails a command while the server is away, and recovers when it is back", async () => {
    const upstream = new URL(REDIS_URL);
    const proxy = await startProxy(upstream.hostname, Number(upstream.port || 6379));
    const namespace = uniqueNamespace();
    const store = await redisStore({ path: "", url: withPort(REDIS_URL, proxy.port), namespace });
    try {
      await store.commit("okta", { k: "1" });
      await proxy.cut();
      const error = await store.commit("okta", { k: "2" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe("HELR_STATE_WRITE");
      await proxy.restore();
      await expect
        .poll(() => store.read("okta").catch(() => undefined), { timeout: 10_000 })
        .toEqual({ k: "1" });
    } finally {
      await store.close();
      await proxy.cut();
      await deleteByPattern(admin, `${namespace}:*`);
    }
  });
});

describeBackend(postgres, postgresProblem, "postgres store on a server", () => {
  it("uses the Rust Helr's table: helr_state(source_id, key, value, updated_at BIGINT)", async () => {
    const id = `helr-test-${RUN_ID}`;
    const store = await postgresStore({ path: "", url: POSTGRES_URL });
    try {
      const before = Math.floor(Date.now() / 1000);
      await store.commit(id, { next_url: "https://h/1" });
      const columns = await sql(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_name = 'helr_state' AND table_schema = current_schema() ORDER BY ordinal_position`,
      );
      expect(columns.rows).toEqual([
        { column_name: "source_id", data_type: "text" },
        { column_name: "key", data_type: "text" },
        { column_name: "value", data_type: "text" },
        { column_name: "updated_at", data_type: "bigint" },
      ]);
      const rows = await sql("SELECT key, value, updated_at FROM helr_state WHERE source_id = $1", [id]);
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]).toMatchObject({ key: "next_url", value: "https://h/1" });
      expect(Number(rows.rows[0].updated_at)).toBeGreaterThanOrEqual(before);
      await sql("INSERT INTO helr_state VALUES ($1, 'written_by', 'rust', 0)", [id]);
      expect(await store.read(id)).toEqual({ next_url: "https://h/1", written_by: "rust" });
    } finally {
      await sql("DELETE FROM helr_state WHERE source_id = $1", [id]);
      await store.close();
    }
  });

  it("creates the table once when several collectors start together", async () => {
    const namespace = uniqueNamespace();
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => postgresStore({ path: "", url: POSTGRES_URL, namespace })),
      );
      await Promise.all(stores.map((s, i) => s.commit("okta", { [`k${i}`]: "v" })));
      expect(Object.keys(await (stores[0] as StateStore).read("okta")).sort()).toEqual([
        "k0",
        "k1",
        "k2",
        "k3",
      ]);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await sql(`DROP TABLE IF EXISTS "${namespace}_helr_state"`);
    }
  });

  it("fails a command while the server is away, and recovers when it is back", async () => {
    const upstream = new URL(POSTGRES_URL);
    const proxy = await startProxy(upstream.hostname, Number(upstream.port || 5432));
    const namespace = uniqueNamespace();
    const store = await postgresStore({ path: "", url: withPort(POSTGRES_URL, proxy.port), namespace });
    try {
      await store.commit("okta", { k: "1" });
      await proxy.cut();
      const error = await store.commit("okta", { k: "2" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe("HELR_STATE_WRITE");
      expect((error as StateError).message).toContain(`127.0.0.1:${proxy.port}`);
      await proxy.restore();
      expect(await store.read("okta")).toEqual({ k: "1" });
    } finally {
      await store.close();
      await proxy.cut();
      await sql(`DROP TABLE IF EXISTS "${namespace}_helr_state"`);
    }
  });
});
