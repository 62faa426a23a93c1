/**
 * The StateStore contract, run against every real backend: memory, SQLite (temp file), Redis
 * and PostgreSQL (the local servers). Redis and Postgres are skipped with a note when they are
 * down, except under CI, where that is a failure.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { compareCodePoints } from "../../../runtime/state/names.ts";
import { StateError, type StateStore } from "../../../runtime/state/store.ts";
import { BACKENDS, type Backend, describeBackend, type Fixture } from "./backends.ts";

const availability = await Promise.all(BACKENDS.map(async (b) => [b, await b.unavailable()] as const));

for (const [backend, problem] of availability) {
  describeBackend(backend, problem, `${backend.name} state store`, () => contract(backend));
}

/** Source ids that must survive as-is: separators, globs, SQL, quotes, unicode, `__proto__`. */
const AWKWARD_IDS = [
  "okta/prod",
  "with space",
  "helr:state:nested",
  "glob*?[x]\\",
  "'; DROP TABLE helr_state; --",
  'quote"d',
  "tab\tand\nnewline",
  "Ünïcödé-источник",
  "😀 emoji",
  "\uff61half",
  "__proto__",
  "constructor",
];

function contract(backend: Backend): void {
  let fixture: Fixture;
  const open: StateStore[] = [];
  const openStore = async (faulty = false): Promise<StateStore> => {
    const store = faulty && fixture.openFaulty ? await fixture.openFaulty() : await fixture.open();
    open.push(store);
    return store;
  };
  const closeAll = async (): Promise<void> => {
    for (const store of open.splice(0)) await store.close();
  };

  beforeEach(async () => {
    fixture = await backend.fixture();
  });
  afterEach(async () => {
    await closeAll();
    await fixture.destroy();
  });

  it("reads an unknown source as empty and lists no sources", async () => {
    const store = await openStore();
    expect(await store.read("nobody")).toEqual({});
    expect(await store.listSources()).toEqual([]);
    await expect(store.ping?.()).resolves.toBeUndefined();
  });

  it("commits several keys at once, overwrites, and deletes with null", async () => {
    const store = await openStore();
    await store.commit("okta", { next_url: "https://h/1", watermark: "5", cursor: "" });
    expect(await store.read("okta")).toEqual({ next_url: "https://h/1", watermark: "5", cursor: "" });
    await store.commit("okta", { next_url: "https://h/2", watermark: null, missing: null });
    expect(await store.read("okta")).toEqual({ next_url: "https://h/2", cursor: "" });
    await store.commit("okta", {});
    expect(await store.read("okta")).toEqual({ next_url: "https://h/2", cursor: "" });
  });

  it("keeps sources apart, lists them sorted, and drops cleared or emptied ones", async () => {
    const store = await openStore();
    for (const id of ["b", "a", "c", "Z"]) await store.commit(id, { k: id });
    expect(await store.listSources()).toEqual(["Z", "a", "b", "c"]);
    await store.clear("b");
    await store.commit("c", { k: null });
    expect(await store.read("b")).toEqual({});
    expect(await store.read("a")).toEqual({ k: "a" });
    expect(await store.listSources()).toEqual(["Z", "a"]);
    await store.clear("never-existed");
  });

  it("stores awkward source ids, unicode keys and values exactly, listed by code point", async () => {
    const store = await openStore();
    const value = 'ünïcödé ✓ 😀 "quoted" \\ back\nline\ttab';
    for (const id of AWKWARD_IDS)
      await store.commit(id, { [`ключ-${id}`]: `${value}-${id}`, ["__proto__"]: id });
    for (const id of AWKWARD_IDS) {
      const state = await store.read(id);
      expect(Object.entries(state).sort()).toEqual(
        [
          ["__proto__", id],
          [`ключ-${id}`, `${value}-${id}`],
        ].sort(),
      );
    }
    expect(await store.listSources()).toEqual([...AWKWARD_IDS].sort(compareCodePoints));
    // A glob-like id must not match its neighbours when cleared.
    await store.clear("glob*?[x]\\");
    expect((await store.listSources()).length).toBe(AWKWARD_IDS.length - 1);
  });

  it("round-trips a 1 MB value", async () => {
    const store = await openStore();
    const big = "é😀x".repeat(150_000).slice(0, 1 << 20);
    await store.commit("big", { value: big, small: "1" });
    const state = await store.read("big");
    expect(state.value?.length).toBe(big.length);
    expect(state.value === big).toBe(true);
  });

  it.skipIf(!backend.persistent)("keeps state across close and reopen", async () => {
    const first = await openStore();
    await first.commit("okta", { next_url: "https://h/9", watermark: "7" });
    await first.commit("gone", { k: "v" });
    await first.clear("gone");
    await closeAll();
    const again = await openStore();
    expect(await again.read("okta")).toEqual({ next_url: "https://h/9", watermark: "7" });
    expect(await again.listSources()).toEqual(["okta"]);
  });

  it("writes nothing when reading the changes fails part-way", async () => {
    const store = await openStore();
    await store.commit("okta", { keep: "old" });
    const changes = { first: "1", keep: "new" } as Record<string, string | null>;
    Object.defineProperty(changes, "third", { enumerable: true, get: () => failInput() });
    await expect(store.commit("okta", changes)).rejects.toThrow();
    expect(await store.read("okta")).toEqual({ keep: "old" });
  });

  it.skipIf(backend.name === "memory")("rolls back a commit the backend refuses part-way", async () => {
    const store = await openStore();
    await store.commit("okta", { keep: "old", boom: "x" });
    await closeAll();
    const faulty = await openStore(true);
    const error = await faulty
      .commit("okta", { added: "1", keep: "new", boom: null })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe("HELR_STATE_WRITE");
    expect(await faulty.read("okta")).toEqual({ keep: "old", boom: "x" });
  });

  it("never interleaves the keys of concurrent commits", async () => {
    const stores = [await openStore()];
    if (backend.multiWriter) stores.push(await openStore());
    const writes = Array.from({ length: 40 }, (_, i) => {
      const n = String(i);
      const changes = { a: n, b: n, c: n, d: i % 3 === 0 ? null : n };
      return (stores[i % stores.length] as StateStore).commit("race", changes);
    });
    await Promise.all(writes);
    const state = await (stores[0] as StateStore).read("race");
    expect(state.b).toBe(state.a);
    expect(state.c).toBe(state.a);
    expect(state.d === undefined || state.d === state.a).toBe(true);
    expect(state.d === undefined).toBe(Number(state.a) % 3 === 0);
  });
}

function failInput(): never {
  throw new Error("changes could not be read");
}
