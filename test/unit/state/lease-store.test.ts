/**
 * The LeaseStore contract and the fenced commit, on the real Redis and PostgreSQL: exclusivity
 * under racing acquirers, tokens that only grow, expiry by the server's clock and takeover,
 * checkpoints refused (and nothing written) once a lease is gone, membership. SQLite and memory
 * have no leases and refuse a fenced commit.
 */
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LeaseStore } from "../../../runtime/state/lease.ts";
import { postgresStore } from "../../../runtime/state/postgres.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import { StateError, type StateStore } from "../../../runtime/state/store.ts";
import {
  backendNamed,
  deleteByPattern,
  describeBackend,
  type Fixture,
  POSTGRES_URL,
  REDIS_URL,
  RUN_ID,
  sql,
  uniqueNamespace,
} from "./backends.ts";

const NETWORKED = [backendNamed("redis"), backendNamed("postgres")];
const availability = await Promise.all(NETWORKED.map(async (b) => [b, await b.unavailable()] as const));

/** Waits (polling the server) until the lease of `sourceId` is gone by the server's clock. */
async function expired(leases: LeaseStore, sourceId: string): Promise<void> {
  await expect
    .poll(async () => (await leases.list([sourceId])).length, { timeout: 10_000, interval: 50 })
    .toBe(0);
}

async function rejection(promise: Promise<unknown>): Promise<StateError> {
  const error = await promise.then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateError);
  return error as StateError;
}

for (const [backend, problem] of availability) {
  describeBackend(backend, problem, `${backend.name} leases`, () => {
    let fixture: Fixture;
    const opened: StateStore[] = [];
    const open = async (): Promise<{ store: StateStore; leases: LeaseStore }> => {
      const store = await fixture.open();
      opened.push(store);
      if (!store.leases) throw new Error(`${backend.name} store has no leases`);
      return { store, leases: store.leases };
    };
    beforeEach(async () => {
      fixture = await backend.fixture();
    });
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await fixture.destroy();
    });

    it("lets exactly one of many racing replicas win each round, with a new, higher token each time", async () => {
      const replicas = await Promise.all(Array.from({ length: 8 }, () => open()));
      const tokens: number[] = [];
      for (let round = 0; round < 6; round++) {
        const results = await Promise.all(
          replicas.map(({ leases }, i) => leases.acquire("okta", `replica-${i}`, 30_000)),
        );
        const winners = results.filter((lease) => lease !== undefined);
        expect(winners).toHaveLength(1);
        const winner = winners[0] as NonNullable<(typeof winners)[0]>;
        tokens.push(winner.token);
        expect(await replicas[0]?.leases.list(["okta"])).toEqual([
          expect.objectContaining({ sourceId: "okta", holder: winner.holder, token: winner.token }),
        ]);
        expect(await replicas[0]?.leases.release("okta", winner)).toBe(true);
      }
      expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
      expect(new Set(tokens).size).toBe(tokens.length);
    });

    it("keeps tokens growing across releases, expiry and re-acquisition by the same holder", async () => {
      const { leases } = await open();
      const a = await leases.acquire("okta", "a", 30_000);
      const again = await leases.acquire("okta", "a", 30_000);
      expect(again?.token).toBeGreaterThan(a?.token ?? Number.POSITIVE_INFINITY);
      expect(await leases.renew("okta", a as NonNullable<typeof a>, 30_000)).toBe(false);
      await leases.release("okta", again as NonNullable<typeof again>);
      const b = await leases.acquire("okta", "b", 200);
      expect(b?.token).toBeGreaterThan(again?.token ?? Number.POSITIVE_INFINITY);
      await expired(leases, "okta");
      const c = await leases.acquire("okta", "c", 30_000);
      expect(c?.token).toBeGreaterThan(b?.token ?? Number.POSITIVE_INFINITY);
      expect((await leases.acquire("other", "c", 30_000))?.token).toBe(1);
    });

    it("expires by the server's clock, lets another replica take over, and refuses the old holder", async () => {
      const { leases } = await open();
      const a = await leases.acquire("okta", "a", 300);
      if (!a) throw new Error("a did not get the lease");
      expect(a).toMatchObject({ sourceId: "okta", holder: "a", expiresInMs: expect.any(Number) });
      expect(await leases.acquire("okta", "b", 30_000)).toBeUndefined();
      await expired(leases, "okta");
      const b = await leases.acquire("okta", "b", 30_000);
      expect(b?.holder).toBe("b");
      expect(await leases.renew("okta", a, 30_000)).toBe(false);
      expect(await leases.release("okta", a)).toBe(false);
      expect((await leases.list(["okta"]))[0]).toMatchObject({ holder: "b", token: b?.token });
    });

    it("extends a lease on renewal, and frees it on release", async () => {
      const { leases } = await open();
      const a = await leases.acquire("okta", "a", 1_000);
      if (!a) throw new Error("no lease");
      expect(await leases.renew("okta", a, 60_000)).toBe(true);
      const [listed] = await leases.list(["okta"]);
      expect(listed?.expiresInMs).toBeGreaterThan(30_000);
      expect(listed?.expiresInMs).toBeLessThanOrEqual(60_000);
      expect(await leases.renew("okta", { holder: "b", token: a.token }, 60_000)).toBe(false);
      expect(await leases.release("okta", { holder: a.holder, token: a.token + 1 })).toBe(false);
      expect(await leases.release("okta", a)).toBe(true);
      expect(await leases.list(["okta"])).toEqual([]);
      expect(await leases.acquire("okta", "b", 30_000)).toMatchObject({ holder: "b" });
    });

    it("lists the live leases of given sources, or of all, sorted by source", async () => {
      const { leases } = await open();
      for (const id of ["github", "okta", "slack/audit", "__proto__"])
        await leases.acquire(id, `r-${id}`, 30_000);
      const gone = await leases.acquire("tailscale", "r", 30_000);
      await leases.release("tailscale", gone as NonNullable<typeof gone>);
      expect((await leases.list()).map((l) => [l.sourceId, l.holder])).toEqual([
        ["__proto__", "r-__proto__"],
        ["github", "r-github"],
        ["okta", "r-okta"],
        ["slack/audit", "r-slack/audit"],
      ]);
      expect((await leases.list(["okta", "tailscale", "never"])).map((l) => l.sourceId)).toEqual(["okta"]);
    });

    it("writes a fenced checkpoint only while the lease is current; a stale holder writes nothing", async () => {
      const { store, leases } = await open();
      const a = await leases.acquire("okta", "a", 300);
      if (!a) throw new Error("no lease");
      await store.commit("okta", { next_url: "https://h/1", watermark: "5" }, a);
      expect(await store.read("okta")).toEqual({ next_url: "https://h/1", watermark: "5" });
      await expired(leases, "okta");
      const b = await leases.acquire("okta", "b", 30_000);
      if (!b) throw new Error("no lease for b");
      await store.commit("okta", { next_url: "https://h/2", watermark: null }, b);
      const stale = await rejection(store.commit("okta", { next_url: "https://h/STALE", other: "x" }, a));
      expect(stale.code).toBe("HELR_LEASE_LOST");
      expect(stale.message).toContain('source "okta"');
      expect(stale.message).toContain(`lease token ${a.token} of replica a`);
      expect(await store.read("okta")).toEqual({ next_url: "https://h/2" });
      const forged = await rejection(
        store.commit("okta", { next_url: "x" }, { holder: "a", token: b.token }),
      );
      expect(forged.code).toBe("HELR_LEASE_LOST");
      expect(await store.read("okta")).toEqual({ next_url: "https://h/2" });
    });

    it("refuses a fenced commit for a source that never had a lease, and keeps unfenced commits as they were", async () => {
      const { store } = await open();
      const error = await rejection(store.commit("okta", { k: "v" }, { holder: "a", token: 1 }));
      expect(error.code).toBe("HELR_LEASE_LOST");
      expect(await store.read("okta")).toEqual({});
      await store.commit("okta", { k: "v" });
      expect(await store.read("okta")).toEqual({ k: "v" });
      expect(await store.listSources()).toEqual(["okta"]);
    });

    it("keeps lease records out of the state listing", async () => {
      const { store, leases } = await open();
      await leases.acquire("okta", "a", 30_000);
      await leases.heartbeat("a", "f", 30_000);
      expect(await store.listSources()).toEqual([]);
    });

    it("records live replicas with their source-set fingerprint, forgets expired ones and leavers", async () => {
      const { leases } = await open();
      await leases.heartbeat("short", "f1", 200);
      const members = await leases.heartbeat("long", "f2", 30_000);
      expect(members.map((m) => [m.replicaId, m.fingerprint])).toEqual([
        ["long", "f2"],
        ["short", "f1"],
      ]);
      await expect
        .poll(async () => (await leases.members()).map((m) => m.replicaId), { timeout: 10_000, interval: 50 })
        .toEqual(["long"]);
      expect((await leases.heartbeat("other", "f1", 30_000)).map((m) => m.replicaId)).toEqual([
        "long",
        "other",
      ]);
      await leases.leave("long");
      expect(await leases.members()).toEqual([
        expect.objectContaining({ replicaId: "other", fingerprint: "f1" }),
      ]);
    });
  });
}

describe("stores without leases", () => {
  for (const backend of [backendNamed("memory"), backendNamed("sqlite")]) {
    it(`${backend.name} refuses a fenced commit and writes nothing`, async () => {
      const fixture = await backend.fixture();
      const store = await fixture.open();
      try {
        expect(store.leases).toBeUndefined();
        const error = await rejection(store.commit("okta", { k: "v" }, { holder: "a", token: 1 }));
        expect(error.code).toBe("HELR_STATE_CONFIG");
        expect(error.message).toContain(`state backend ${backend.name} has no leases`);
        expect(await store.read("okta")).toEqual({});
      } finally {
        await store.close();
        await fixture.destroy();
      }
    });
  }
});

const [redisProblem, postgresProblem] = availability.map(([, problem]) => problem);

describeBackend(backendNamed("redis"), redisProblem, "redis lease layout", () => {
  it("keeps leases beside the Rust Helr's helr:state:* keys, under the namespace when there is one", async () => {
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const namespace = uniqueNamespace();
    const id = `helr-test-${RUN_ID}`;
    const plain = await redisStore({ path: "", url: REDIS_URL });
    const spaced = await redisStore({ path: "", url: REDIS_URL, namespace });
    try {
      await plain.leases?.acquire(id, "a", 30_000);
      expect(await admin.hgetall(`helr:lease:${id}`)).toEqual({ holder: "a", token: "1" });
      expect(await admin.get(`helr:lease-token:${id}`)).toBe("1");
      expect(await plain.listSources()).not.toContain(id);

      await spaced.leases?.acquire("okta", "a", 30_000);
      await spaced.leases?.heartbeat("a", "f", 30_000);
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await admin.scan(cursor, "MATCH", `${namespace}:*`, "COUNT", 500);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== "0");
      expect(keys.sort()).toEqual(
        ["helr:lease-token:okta", "helr:lease:okta", "helr:replica-sources", "helr:replicas"].map(
          (k) => `${namespace}:${k}`,
        ),
      );
      expect(await admin.pttl(`${namespace}:helr:lease:okta`)).toBeGreaterThan(0);
    } finally {
      await admin.del(`helr:lease:${id}`, `helr:lease-token:${id}`);
      await deleteByPattern(admin, `${namespace}:*`);
      await Promise.all([plain.close(), spaced.close(), admin.quit()]);
    }
  });
});

describeBackend(backendNamed("postgres"), postgresProblem, "postgres lease layout", () => {
  it("creates its own tables beside helr_state on first use, under the namespace", async () => {
    const namespace = uniqueNamespace();
    const store = await postgresStore({ path: "", url: POSTGRES_URL, namespace });
    const tables = async () =>
      (
        await sql(
          "SELECT table_name FROM information_schema.tables WHERE table_name LIKE $1 ORDER BY table_name",
          [`${namespace}%`],
        )
      ).rows.map((row) => row.table_name);
    try {
      expect(await tables()).toEqual([`${namespace}_helr_state`]);
      await store.leases?.acquire("okta", "a", 30_000);
      expect(await tables()).toEqual([
        `${namespace}_helr_lease`,
        `${namespace}_helr_replica`,
        `${namespace}_helr_state`,
      ]);
      const rows = await sql(`SELECT source_id, holder, token FROM "${namespace}_helr_lease"`);
      expect(rows.rows).toEqual([{ source_id: "okta", holder: "a", token: "1" }]);
    } finally {
      await store.close();
      await sql(
        `DROP TABLE IF EXISTS ${["helr_state", "helr_lease", "helr_replica"].map((t) => `"${namespace}_${t}"`).join(", ")}`,
      );
    }
  });
});
