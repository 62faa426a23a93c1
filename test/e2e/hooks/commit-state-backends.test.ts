/**
 * commitState's keys survive the process in every persistent backend (issue 20), through the
 * built bundle: a source paged by its hook script runs `helr run --once`, the committed position
 * is in the store (read by the bundle's own `helr state export`), and the next run, a new
 * process, starts from it — the script reads it from ctx.state, the API receives it, and no event
 * is written twice. SQLite always; Redis and PostgreSQL on the local servers (skipped with a note
 * when down, failed under CI), each under a source id of its own so parallel runs never meet.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanEnv, helrc, runProcess, tempDir } from "../../support/bundle.ts";
import { type MockRequest, type MockServer, serveMock } from "../../support/mocks/http-mock.ts";
import {
  backendNamed,
  describeBackend,
  POSTGRES_URL,
  REDIS_URL,
  RUN_ID,
  sql,
} from "../../unit/state/backends.ts";

const PAGE = 2;

/**
 * Pages by a body cursor (`after`, the seq of the last event seen); the position it commits is
 * the last event written, and `resumed_from` what ctx.state held when the run began paging.
 */
const SCRIPT = `
function buildRequest(ctx) {
  return { body: { after: Number(ctx.state.after || 0), limit: ${PAGE} } };
}
function parseResponse(ctx, response) {
  return response.body.items.map((e) => ({ ts: e.time, event: e, meta: { id: e.id } }));
}
function getNextPage(ctx, request, response) {
  return response.body.has_more ? { body: { after: response.body.cursor, limit: ${PAGE} } } : null;
}
function commitState(ctx, events) {
  if (events.length === 0) return null;
  return { after: String(events[events.length - 1].event.seq), resumed_from: ctx.state.after || "0" };
}
`;

interface Event {
  readonly id: string;
  readonly seq: number;
  readonly time: string;
}

/** An API whose log grows when the test says so; it answers `after`/`limit` from the body. */
async function eventApi(): Promise<{ server: MockServer; add(n: number): string[] }> {
  const events: Event[] = [];
  const server = await serveMock({ requestId: () => "req" }, (request: MockRequest) => {
    const { after, limit } = JSON.parse(request.body || "{}") as { after: number; limit: number };
    const items = events.filter((e) => e.seq > after).slice(0, limit);
    const cursor = items.at(-1)?.seq ?? after;
    return { status: 200, body: { items, cursor, has_more: events.some((e) => e.seq > cursor) } };
  });
  return {
    server,
    add(n) {
      const added = Array.from({ length: n }, (_, i) => {
        const seq = events.length + i + 1;
        return { id: `evt-${seq}`, seq, time: `2026-01-01T00:00:${String(seq).padStart(2, "0")}Z` };
      });
      events.push(...added);
      return added.map((e) => e.id);
    },
  };
}

/** A source's keys as the backend itself holds them (the Rust Helr's layouts), read past the bundle. */
type RawRead = (dir: string, id: string) => Promise<Record<string, string>>;

const rows = (list: ReadonlyArray<{ key: string; value: string }>) =>
  Object.fromEntries(list.map((row) => [row.key, row.value]));

const readSqlite: RawRead = async (dir, id) => {
  const db = new Database(join(dir, "state.db"), { readonly: true });
  try {
    const query = db.prepare("SELECT key, value FROM helr_state WHERE source_id = ? ORDER BY key");
    return rows(query.all(id) as Array<{ key: string; value: string }>);
  } finally {
    db.close();
  }
};

const readRedis: RawRead = async (_dir, id) => {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await client.hgetall(`helr:state:${id}`);
  } finally {
    await client.quit();
  }
};

const readPostgres: RawRead = async (_dir, id) =>
  rows((await sql("SELECT key, value FROM helr_state WHERE source_id = $1", [id])).rows);

const STORES = [
  { name: "sqlite", state: '    backend: sqlite\n    path: "./state.db"', env: {}, raw: readSqlite },
  { name: "redis", state: '    backend: redis\n    url: "${REDIS_URL}"', env: { REDIS_URL }, raw: readRedis },
  {
    name: "postgres",
    state: '    backend: postgres\n    url: "${PG_URL}"',
    env: { PG_URL: POSTGRES_URL },
    raw: readPostgres,
  },
] as const;

const problems = await Promise.all(STORES.map((store) => backendNamed(store.name).unavailable()));

for (const [index, store] of STORES.entries()) {
  const backend = backendNamed(store.name);
  describeBackend(backend, problems[index], `commitState's state in ${store.name}, across processes`, () => {
    const id = `hooked_${store.name}_${RUN_ID}`;
    let api: Awaited<ReturnType<typeof eventApi>>;
    let dir: string;

    beforeAll(async () => {
      api = await eventApi();
      const yaml = [
        "global:",
        "  hooks: { enabled: true, timeout_secs: 2 }",
        "  state:",
        store.state,
        "sources:",
        `  ${id}:`,
        `    url: ${api.server.url}/events`,
        "    method: post",
        "    hooks:",
        "      script: ./cursor.js",
      ].join("\n");
      dir = tempDir({ "helr.yaml": yaml, "cursor.js": SCRIPT });
      const built = await helrc(["build", join(dir, "helr.yaml"), "-o", join(dir, "helr.js")]);
      expect(built.stderr).toBe("");
      expect(built.code).toBe(0);
    }, 120_000);
    afterAll(async () => {
      // Already reset by a passing test; this clears what a failing one left behind.
      if (dir !== undefined) await helr(["state", "reset", id]);
      await api?.server.close();
    });

    const helr = (args: readonly string[]) =>
      runProcess(process.execPath, [join(dir, "helr.js"), ...args], { cwd: dir, env: cleanEnv(store.env) });

    /** One `helr run --once`: the ids it wrote, and the `after` of each request the API received. */
    async function poll(): Promise<{ ids: string[]; afters: number[] }> {
      const seen = api.server.requests.length;
      const run = await helr(["run", "--once"]);
      expect(run.code, run.stderr).toBe(0);
      const ids = run.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { event: { id: string } }).event.id);
      const afters = api.server.requests
        .slice(seen)
        .map((r) => (JSON.parse(r.body) as { after: number }).after);
      return { ids, afters };
    }

    /** The source's state as the bundle's `helr state export` reads it from the store. */
    async function stored(): Promise<Record<string, string> | undefined> {
      const out = await helr(["state", "export"]);
      expect(out.code, out.stderr).toBe(0);
      return (JSON.parse(out.stdout) as Record<string, Record<string, string>>)[id];
    }

    it("stores commitState's position, and the next process resumes from it without repeating", async () => {
      expect(await stored()).toBeUndefined();
      const first = api.add(5);
      expect(await poll()).toEqual({ ids: first, afters: [0, 2, 4] });
      expect(await stored()).toEqual({ after: "5", resumed_from: "0" });
      expect(await store.raw(dir, id)).toEqual({ after: "5", resumed_from: "0" });

      const second = api.add(3);
      expect(await poll()).toEqual({ ids: second, afters: [5, 7] });
      expect(await stored()).toEqual({ after: "8", resumed_from: "5" });
      expect(await store.raw(dir, id)).toEqual({ after: "8", resumed_from: "5" });

      // Nothing new: the third process asks from the committed position, writes nothing, and
      // commitState (called with no events) leaves the state as it was.
      expect(await poll()).toEqual({ ids: [], afters: [8] });
      expect(await stored()).toEqual({ after: "8", resumed_from: "5" });

      expect((await helr(["state", "reset", id])).code).toBe(0);
      expect(await store.raw(dir, id)).toEqual({});
    }, 120_000);
  });
}
