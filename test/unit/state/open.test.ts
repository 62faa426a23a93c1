import { describe, expect, it } from "vitest";
import type { App } from "../../../runtime/app.ts";
import type { StateSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { openStore, storeOptions } from "../../../runtime/state/open.ts";
import { StateError } from "../../../runtime/state/store.ts";

/** An app whose only meaningful part is `global.state` (openStore reads nothing else). */
function app(state: StateSpec, stores: App["stores"] = {}): App {
  return { version: "0.0.0", global: { state } as App["global"], sources: [], stores };
}

describe("storeOptions", () => {
  const sqlite = app({ backend: "sqlite", path: "${STATE_DIR:-/var/lib/helr}/state.db" });

  it("takes the SQLite path from --state-path, then HELR_STATE_PATH, then the config", () => {
    expect(storeOptions(sqlite, { statePath: "/flag.db", env: { HELR_STATE_PATH: "/env.db" } })).toEqual({
      path: "/flag.db",
    });
    expect(storeOptions(sqlite, { env: { HELR_STATE_PATH: "/env.db" } })).toEqual({ path: "/env.db" });
    expect(storeOptions(sqlite, { statePath: "", env: { HELR_STATE_PATH: "" } })).toEqual({
      path: "/var/lib/helr/state.db",
    });
    expect(storeOptions(sqlite, { env: { STATE_DIR: "/srv" } })).toEqual({ path: "/srv/state.db" });
  });

  it("takes the Redis or Postgres URL from HELR_STATE_URL, then the config, expanded", () => {
    const redis = app({
      backend: "redis",
      path: "${UNSET_PATH_VAR}",
      url: "redis://:${REDIS_PW}@cache:6379/0",
    });
    expect(storeOptions(redis, { env: { REDIS_PW: "pw" } })).toEqual({
      path: "",
      url: "redis://:pw@cache:6379/0",
    });
    expect(
      storeOptions(redis, { statePath: "/ignored.db", env: { HELR_STATE_URL: "redis://other/" } }),
    ).toEqual({
      path: "",
      url: "redis://other/",
    });
    const postgres = app({ backend: "postgres", path: "./helr-state.db" });
    expect(storeOptions(postgres, { env: {} })).toEqual({ path: "" });
  });

  it("needs the placeholders of the store's own settings only", () => {
    const redis = app({ backend: "redis", path: "./x.db", url: "redis://${REDIS_HOST}/" });
    expect(() => storeOptions(redis, { env: {} })).toThrow(/REDIS_HOST is not set/);
    expect(storeOptions(redis, { env: { HELR_STATE_URL: "redis://h/" } })).toEqual({
      path: "",
      url: "redis://h/",
    });
  });
});

describe("openStore", () => {
  it("names a backend the bundle does not link", async () => {
    const error = await openStore(app({ backend: "redis", path: "" }), { env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as Error).message).toBe(
      'state backend "redis" is not linked into this bundle; rebuild it with helrc',
    );
  });

  it("passes the resolved options to the backend's factory", async () => {
    const seen: unknown[] = [];
    const store = await openStore(
      app(
        { backend: "sqlite", path: "./state.db" },
        {
          sqlite: async (options) => {
            seen.push(options);
            return memoryStore(options);
          },
        },
      ),
      { env: { HELR_STATE_PATH: "/tmp/x.db" } },
    );
    await store.close();
    expect(seen).toEqual([{ path: "/tmp/x.db" }]);
  });
});
