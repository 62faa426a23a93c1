import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sqliteStore } from "../../../runtime/state/sqlite.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "helr-sqlite-"));
  dirs.push(dir);
  return join(dir, "state.db");
}

describe("sqliteStore", () => {
  it("commits several keys atomically, deletes with null, and survives reopening", async () => {
    const path = tempDb();
    const store = await sqliteStore({ path });
    await store.commit("okta", { next_url: "https://h/1", watermark: "5" });
    await store.commit("okta", { watermark: null });
    await store.commit("github", { next_url: "https://g/2" });
    await store.close();
    const again = await sqliteStore({ path });
    expect(await again.read("okta")).toEqual({ next_url: "https://h/1" });
    expect(await again.listSources()).toEqual(["github", "okta"]);
    await again.clear("github");
    expect(await again.read("github")).toEqual({});
    await again.close();
  });

  it("refuses a second writer on the same file with a clear error", async () => {
    const path = tempDb();
    const first = await sqliteStore({ path });
    await expect(sqliteStore({ path })).rejects.toThrow(/in use by another helr process/);
    await first.close();
    const after = await sqliteStore({ path });
    await after.close();
  });
});
