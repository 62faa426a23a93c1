/** `helr leases` on the real Redis and PostgreSQL, and its refusal on a store without leases. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App, BoundSource } from "../../../runtime/app.ts";
import { leasesCommand } from "../../../runtime/cli/leases.ts";
import { UsageError } from "../../../runtime/cli/usage.ts";
import { sourceSetFingerprint } from "../../../runtime/state/lease.ts";
import { sqliteStore } from "../../../runtime/state/sqlite.ts";
import type { StateStore, StoreFactory } from "../../../runtime/state/store.ts";
import { backendNamed, describeBackend, type Fixture } from "./backends.ts";

const SOURCES = ["slack", "okta", "github"];
const NETWORKED = [backendNamed("redis"), backendNamed("postgres")];
const availability = await Promise.all(NETWORKED.map(async (b) => [b, await b.unavailable()] as const));

function appWith(backend: "redis" | "postgres" | "sqlite", factory: StoreFactory, path = ""): App {
  return {
    version: "0.0.0",
    global: { state: { backend, path } } as App["global"],
    sources: SOURCES.map((id) => ({ spec: { id } }) as BoundSource),
    stores: { [backend]: factory },
  };
}

async function leases(app: App, args: string[] = []): Promise<string> {
  const out: string[] = [];
  const code = await leasesCommand(app, args, { env: {}, stdout: (text) => void out.push(text) });
  expect(code).toBe(0);
  return out.join("");
}

for (const [backend, problem] of availability) {
  describeBackend(backend, problem, `helr leases on ${backend.name}`, () => {
    let fixture: Fixture;
    let store: StateStore;
    let app: App;
    beforeEach(async () => {
      fixture = await backend.fixture();
      store = await fixture.open();
      // The command opens its own store through the app, on this fixture's storage.
      app = appWith(backend.name as "redis" | "postgres", () => fixture.open());
      const lease = store.leases as NonNullable<StateStore["leases"]>;
      await lease.acquire("okta", "web-1-311-9f3a2c1d", 30_000);
      await lease.acquire("okta", "web-1-311-9f3a2c1d", 30_000);
      await lease.acquire("zoom", "other-7-aa", 30_000);
      await lease.heartbeat("web-1-311-9f3a2c1d", sourceSetFingerprint(["okta", "github", "slack"]), 30_000);
      await lease.heartbeat("other-7-aa", sourceSetFingerprint(["zoom"]), 30_000);
    });
    afterEach(async () => {
      await store.close();
      await fixture.destroy();
    });

    it("prints each source's holder, token and expiry, leases of other bundles' sources, and the replicas", async () => {
      const lines = (await leases(app)).split("\n");
      expect(lines[0]).toBe("SOURCE  HOLDER              TOKEN  EXPIRES IN");
      expect(lines[1]).toBe("github  -                   -      -");
      expect(lines[2]).toMatch(/^okta {4}web-1-311-9f3a2c1d {2}2 {6}(29|30)\.\d s$/);
      expect(lines[3]).toBe("slack   -                   -      -");
      expect(lines[4]).toMatch(/^zoom \* {2}other-7-aa {10}1 {6}\d+\.\d s$/);
      expect(lines.slice(5, 8)).toEqual(["* not a source of this bundle", "", "live replicas (2):"]);
      expect(lines[8]).toMatch(
        /^ {2}other-7-aa {2}expires in \d+\.\d s {2}\(runs a different set of sources\)$/,
      );
      expect(lines[9]).toMatch(/^ {2}web-1-311-9f3a2c1d {2}expires in \d+\.\d s$/);
    });

    it("prints the same as JSON with --json", async () => {
      const document = JSON.parse(await leases(app, ["--json"]));
      const ms = expect.any(Number);
      expect(document).toEqual({
        leases: [
          { source: "github", holder: null, token: null, expiresInMs: null, inBundle: true },
          { source: "okta", holder: "web-1-311-9f3a2c1d", token: 2, expiresInMs: ms, inBundle: true },
          { source: "slack", holder: null, token: null, expiresInMs: null, inBundle: true },
          { source: "zoom", holder: "other-7-aa", token: 1, expiresInMs: ms, inBundle: false },
        ],
        replicas: [
          { replicaId: "other-7-aa", expiresInMs: ms, sameSources: false },
          { replicaId: "web-1-311-9f3a2c1d", expiresInMs: ms, sameSources: true },
        ],
      });
    });
  });
}

describe("helr leases without a shared store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "helr-leases-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("says which backends have leases", async () => {
    const app = appWith("sqlite", sqliteStore, join(dir, "state.db"));
    await expect(leases(app)).rejects.toMatchObject({
      code: "HELR_STATE_CONFIG",
      message:
        "state backend sqlite has no leases; helr leases needs the redis or postgres backend (global.replicas)",
    });
  });

  it("rejects unknown options as a usage mistake", async () => {
    const app = appWith("sqlite", sqliteStore, join(dir, "state.db"));
    await expect(leases(app, ["--all"])).rejects.toBeInstanceOf(UsageError);
  });
});
